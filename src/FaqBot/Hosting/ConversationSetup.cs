using FaqBot.Conversation;
using FaqBot.Storage;

namespace FaqBot.Hosting;

public static class ConversationSetup
{
    /// <summary>Clinic options, the SQLite store, the feed, the turn handler and the conversation service.</summary>
    public static IServiceCollection AddConversation(this IServiceCollection services, IConfiguration configuration, string root)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<ClinicOptions>().Bind(configuration.GetSection(ClinicOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(_ => new SqliteDatabase(
            configuration.GetConnectionString("FaqBot") ?? "Data Source=data/faqbot.db", root));
        services.AddSingleton<IConversationStore, SqliteConversationStore>();
        services.AddSingleton<ConversationFeed>();
        services.AddSingleton<TurnHandler>();
        services.AddSingleton<ConversationService>();
        services.AddHostedService<StoreInitializer>();
        return services;
    }

    /// <summary>Creates the schema before the server takes its first request.</summary>
    private sealed class StoreInitializer(IConversationStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
