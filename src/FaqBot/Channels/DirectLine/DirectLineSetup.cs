using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace FaqBot.Channels.DirectLine;

public static class DirectLineSetup
{
    /// <summary>Options (validated on start), tokens and their signing key, authentication, the rate-limit policy, WebSocket keep-alive.</summary>
    public static IServiceCollection AddDirectLine(this IServiceCollection services, IConfiguration configuration, string root)
    {
        services.AddOptions<DirectLineOptions>().Bind(configuration.GetSection(DirectLineOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DirectLineOptions>, DirectLineOptionsValidator>();
        var keys = KeyFolder.FromConfiguration(configuration, root);
        services.AddSingleton(keys);
        services.AddDataProtection().SetApplicationName("FaqBot").PersistKeysToFileSystem(new DirectoryInfo(keys.Path));
        services.AddSingleton<DirectLineSigningKey>();
        services.AddSingleton<DirectLineTokens>();
        services.AddHostedService<SigningKeyLoader>();
        services.AddRateLimiter(options => options.AddPolicy<string, DirectLineRateLimit>(DirectLineRateLimit.PolicyName));
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, DirectLineAuthenticationHandler>(DirectLineAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(DirectLineAuthenticationHandler.Policy, policy => policy
            .AddAuthenticationSchemes(DirectLineAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireAssertion(DirectLineAuthenticationHandler.OwnsRouteConversation));
        services.Configure<WebSocketOptions>(options => options.KeepAliveInterval = TimeSpan.FromSeconds(30));
        return services;
    }

    /// <summary>Direct Line's error dialect for everything under /v3/directline (see <see cref="DirectLineError"/>).</summary>
    public static IApplicationBuilder UseDirectLineErrors(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/v3/directline"), branch => branch.UseMiddleware<DirectLineErrorMiddleware>());

    /// <summary>Direct Line 3.0 under /v3/directline, plus the page's <c>/api/site</c> and <c>/api/directline/token</c>.</summary>
    public static IEndpointRouteBuilder MapDirectLine(this IEndpointRouteBuilder app)
    {
        app.MapDirectLineApi();
        app.MapWebChatApi();
        return app;
    }

    /// <summary>Loads (or generates) the signing key at start, so a broken database shows before the first patient does.</summary>
    private sealed class SigningKeyLoader(DirectLineSigningKey key) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => key.GetAsync();

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
