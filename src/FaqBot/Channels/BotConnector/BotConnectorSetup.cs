using Microsoft.Extensions.Options;

namespace FaqBot.Channels.BotConnector;

public static class BotConnectorSetup
{
    public const string HttpClientName = "BotConnector";

    /// <summary>Options (validated on start), the caller check, the reference store, the client and the reply relay.</summary>
    public static IServiceCollection AddBotConnector(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BotConnectorOptions>().Bind(configuration.GetSection(BotConnectorOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BotConnectorOptions>, BotConnectorOptionsValidator>();
        services.AddHttpClient(HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(20));
        services.AddSingleton<BotConnectorAuthenticator>();
        services.AddSingleton<BotConnectorClient>();
        services.AddHostedService<BotConnectorRelay>();
        return services;
    }
}
