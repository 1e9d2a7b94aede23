using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FaqBot.Tests.Channels.BotConnector;

/// <summary>What the fake channel received on its Connector API.</summary>
internal sealed record ReceivedRequest(string Path, string? Authorization, JsonObject Body);

/// <summary>
/// A stand-in for Azure Bot Service on loopback Kestrel: its Connector API records what the bot sends,
/// it publishes OpenID metadata and a JWKS with its own RSA key (endorsed for one channel), signs the
/// tokens it calls the bot with, and issues reply tokens at /token.
/// </summary>
internal sealed class LoopbackChannel : IAsyncDisposable
{
    public const string Issuer = "https://api.botframework.com";
    public const string ChannelId = "test";
    public const string ReplyToken = "token-from-the-loopback-token-endpoint";

    private readonly WebApplication _app;
    private readonly Channel<ReceivedRequest> _received = Channel.CreateUnbounded<ReceivedRequest>();
    private readonly RSA _rsa = RSA.Create(2048);

    private LoopbackChannel()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/.well-known/openidconfiguration", () => TypedResults.Text(new JsonObject
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = $"{Url}/keys",
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            ["token_endpoint_auth_methods_supported"] = new JsonArray("private_key_jwt"),
        }.ToJsonString(), "application/json"));
        _app.MapGet("/keys", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = "k1" });
            return TypedResults.Text(new JsonObject
            {
                ["keys"] = new JsonArray(new JsonObject
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["kid"] = "k1",
                    ["n"] = jwk.N,
                    ["e"] = jwk.E,
                    ["endorsements"] = new JsonArray(ChannelId, "msteams"),
                }),
            }.ToJsonString(), "application/json");
        });
        _app.MapPost("/token", () => TypedResults.Text($$"""{"token_type":"Bearer","expires_in":3600,"access_token":"{{ReplyToken}}"}""", "application/json"));
        _app.MapPost("/v3/conversations/{**rest}", async (HttpContext context) =>
        {
            var body = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
            var path = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
            await _received.Writer.WriteAsync(new ReceivedRequest(path, context.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null, body));
            return TypedResults.Json(new { id = "channel-reply-1" });
        });
    }

    public string Url { get; private set; } = "";

    public static async Task<LoopbackChannel> StartAsync()
    {
        var channel = new LoopbackChannel();
        await channel._app.StartAsync();
        channel.Url = channel._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        return channel;
    }

    /// <summary>The next request the bot sent to the Connector API (waits for it; a guard stops a hang).</summary>
    public async Task<ReceivedRequest> NextAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await _received.Reader.ReadAsync(guard.Token);
    }

    public bool TryTake(out ReceivedRequest? request) => _received.Reader.TryRead(out request);

    /// <summary>A channel token as Azure Bot Service would send it; <paramref name="key"/> defaults to this channel's.</summary>
    public string SignToken(string audience, string serviceUrl, DateTime? expires = null, RSA? key = null)
    {
        var until = expires ?? DateTime.UtcNow.AddMinutes(30);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            NotBefore = until.AddHours(-1),
            IssuedAt = until.AddHours(-1),
            Expires = until,
            Subject = new ClaimsIdentity([new Claim("serviceurl", serviceUrl)]),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? _rsa) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _rsa.Dispose();
    }
}
