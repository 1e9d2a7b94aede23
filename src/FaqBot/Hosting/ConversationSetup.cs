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
        services.AddHostedService<TurnRecovery>();
        return services;
    }

    /// <summary>Once every service has started: runs the turns a previous process stored but never completed.</summary>
    private sealed class TurnRecovery(ConversationService conversations) : IHostedLifecycleService
    {
        public Task StartedAsync(CancellationToken cancellationToken) => conversations.RecoverUnprocessedAsync(cancellationToken);

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Creates the schema before the server takes its first request.</summary>
    private sealed class StoreInitializer(IConversationStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
