using Microsoft.Extensions.Options;

namespace FaqBot.Channels.BotConnector;

/// <summary>
/// The "BotConnector" section: how <c>/api/messages</c> trusts Azure Bot Service and authenticates its replies.
/// Without <see cref="MicrosoftAppId"/> only loopback callers are accepted (Bot Framework Emulator on the same machine)
/// and replies go out without a token.
/// </summary>
public sealed class BotConnectorOptions
{
    public const string Section = "BotConnector";

    /// <summary>The bot's Microsoft App ID: the audience inbound tokens must carry. Empty: loopback callers only.</summary>
    public string MicrosoftAppId { get; set; } = "";

    /// <summary>With the app id, replies carry an AAD token (client credentials). Empty: replies go unauthenticated.</summary>
    public string MicrosoftAppPassword { get; set; } = "";

    /// <summary>Single-tenant bots: the tenant whose token endpoint issues reply tokens. Empty: botframework.com (multi-tenant).</summary>
    public string MicrosoftAppTenantId { get; set; } = "";

    /// <summary>Where the signing keys of inbound tokens are published (OpenID metadata with a jwks_uri).</summary>
    public string OpenIdMetadataUrl { get; set; } = "https://login.botframework.com/v1/.well-known/openidconfiguration";

    public string TokenIssuer { get; set; } = "https://api.botframework.com";

    /// <summary>Token endpoint for reply tokens. Empty: derived from <see cref="MicrosoftAppTenantId"/>.</summary>
    public string OAuthTokenEndpoint { get; set; } = "";

    public string OAuthScope { get; set; } = "https://api.botframework.com/.default";

    public int MaxBodyBytes { get; set; } = 256 * 1024;

    public bool Authenticates => MicrosoftAppId.Length > 0;

    public bool SignsReplies => MicrosoftAppId.Length > 0 && MicrosoftAppPassword.Length > 0;

    public string TokenEndpoint => OAuthTokenEndpoint.Length > 0
        ? OAuthTokenEndpoint
        : $"https://login.microsoftonline.com/{(MicrosoftAppTenantId.Length > 0 ? MicrosoftAppTenantId : "botframework.com")}/oauth2/v2.0/token";
}

public sealed class BotConnectorOptionsValidator : IValidateOptions<BotConnectorOptions>
{
    public ValidateOptionsResult Validate(string? name, BotConnectorOptions options)
    {
        var failures = new List<string>();
        if (options.MicrosoftAppPassword.Length > 0 && options.MicrosoftAppId.Length == 0)
        {
            failures.Add("BotConnector:MicrosoftAppPassword is set without BotConnector:MicrosoftAppId.");
        }

        if (!IsHttpUrl(options.OpenIdMetadataUrl))
        {
            failures.Add("BotConnector:OpenIdMetadataUrl must be an absolute http(s) URL.");
        }

        if (!IsHttpUrl(options.TokenEndpoint))
        {
            failures.Add("BotConnector:OAuthTokenEndpoint must be an absolute http(s) URL.");
        }

        if (options.MaxBodyBytes < 1024)
        {
            failures.Add("BotConnector:MaxBodyBytes must be at least 1024.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
