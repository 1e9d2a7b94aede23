using FaqBot.Conversation;

namespace FaqBot.Hosting;

public static class ConversationSetup
{
    /// <summary>Clinic options, the feed, the turn handler and the conversation service (the store: <see cref="StorageSetup"/>).</summary>
    public static IServiceCollection AddConversation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClinicOptions>().Bind(configuration.GetSection(ClinicOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ConversationFeed>();
        services.AddSingleton<TurnHandler>();
        services.AddSingleton<ConversationService>();
        return services;
    }
}
