using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace FaqBot.Channels.BotConnector;

/// <summary>A verdict on an inbound call: allowed, or the status and reason to refuse it with.</summary>
public sealed record CallerCheck(int Status, string? Reason, string? ServiceUrlClaim = null, IReadOnlyList<string>? Endorsements = null)
{
    public bool Allowed => Status == StatusCodes.Status200OK;
}

/// <summary>
/// Decides whether a call to /api/messages comes from Azure Bot Service. With an app id: the bearer JWT must
/// be signed by a key from the OpenID metadata, issued by api.botframework.com for our app id, and be within
/// its lifetime (5 minutes skew). Without one: the caller must be on this machine (loopback).
/// </summary>
public sealed class BotConnectorAuthenticator
{
    private static readonly JsonWebTokenHandler Handler = new();
    private readonly BotConnectorOptions _options;
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _metadata;

    public BotConnectorAuthenticator(IOptions<BotConnectorOptions> options, IHttpClientFactory http)
    {
        _options = options.Value;
        var metadataUri = new Uri(_options.OpenIdMetadataUrl);
        _metadata = new ConfigurationManager<OpenIdConnectConfiguration>(
            _options.OpenIdMetadataUrl,
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(http.CreateClient(BotConnectorSetup.HttpClientName)) { RequireHttps = !metadataUri.IsLoopback })
        {
            AutomaticRefreshInterval = TimeSpan.FromHours(24),
        };
    }

    public async Task<CallerCheck> CheckAsync(HttpContext context)
    {
        if (!_options.Authenticates)
        {
            return context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
                ? new CallerCheck(StatusCodes.Status200OK, null)
                : new CallerCheck(StatusCodes.Status403Forbidden, "Without BotConnector:MicrosoftAppId only callers on this machine (the Bot Framework Emulator) are accepted.");
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return new CallerCheck(StatusCodes.Status401Unauthorized, "Missing Authorization: Bearer token.");
        }

        var token = header["Bearer ".Length..].Trim();
        var result = await ValidateAsync(token, refresh: false, context.RequestAborted);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // Keys rotate: fetch the metadata again once before refusing.
            result = await ValidateAsync(token, refresh: true, context.RequestAborted);
        }

        if (!result.IsValid)
        {
            return new CallerCheck(StatusCodes.Status401Unauthorized, result.Exception is SecurityTokenExpiredException ? "The token has expired." : "The token is not valid for this bot.");
        }

        var serviceUrl = result.Claims.TryGetValue("serviceurl", out var claim) ? claim as string : null;
        return new CallerCheck(StatusCodes.Status200OK, null, serviceUrl, await EndorsementsAsync(result.SecurityToken, context.RequestAborted));
    }

    private async Task<TokenValidationResult> ValidateAsync(string token, bool refresh, CancellationToken ct)
    {
        if (refresh)
        {
            _metadata.RequestRefresh();
        }

        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await _metadata.GetConfigurationAsync(ct);
        }
        catch (InvalidOperationException ex)
        {
            return new TokenValidationResult { IsValid = false, Exception = ex };
        }

        return await Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = _options.TokenIssuer,
            ValidAudience = _options.MicrosoftAppId,
            IssuerSigningKeys = configuration.SigningKeys,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromMinutes(5),
        });
    }

    /// <summary>The channels the signing key is endorsed for (Bot Framework keys list them), or null when it lists none.</summary>
    private async Task<IReadOnlyList<string>?> EndorsementsAsync(SecurityToken token, CancellationToken ct)
    {
        var keyId = token.SigningKey?.KeyId;
        var configuration = await _metadata.GetConfigurationAsync(ct);
        var key = configuration.JsonWebKeySet?.Keys.FirstOrDefault(k => k.KeyId == keyId);
        if (key is null || !key.AdditionalData.TryGetValue("endorsements", out var value))
        {
            return null;
        }

        return value switch
        {
            JsonElement { ValueKind: JsonValueKind.Array } array => [.. array.EnumerateArray().Select(e => e.ToString())],
            IEnumerable<object> items => [.. items.Select(i => i.ToString() ?? "")],
            _ => [],
        };
    }
}
