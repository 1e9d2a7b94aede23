using System.Net;
using FaqBot.Channels.DirectLine;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Channels.DirectLine;

public sealed class DirectLineConfigurationTests
{
    [Fact]
    public async Task Generate_without_a_configured_secret_is_disabled_with_a_clear_error()
    {
        await using var server = new FaqBotServer(); // appsettings.json ships with an empty secret
        using var client = new DirectLineTestClient(server);

        using var response = await client.SendAsync(HttpMethod.Post, "tokens/generate", "anything-at-all");

        await DirectLineTestClient.AssertErrorAsync(response, HttpStatusCode.Forbidden, DirectLineError.Forbidden);
        Assert.Contains("DirectLine:Secret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // ...and an empty secret never matches an empty credential.
        using var empty = await client.SendAsync(HttpMethod.Post, "conversations", "");
        await DirectLineTestClient.AssertErrorAsync(empty, HttpStatusCode.Unauthorized, DirectLineError.Unauthorized);
    }

    [Theory]
    [InlineData("DirectLine:TokenLifetimeSeconds", "600", "DirectLine:TokenLifetimeSeconds")]
    [InlineData("DirectLine:SigningKey", "too-short", "DirectLine:SigningKey")]
    [InlineData("DirectLine:Secret", "short", "DirectLine:Secret")]
    [InlineData("BotConnector:OpenIdMetadataUrl", "not a url", "BotConnector:OpenIdMetadataUrl")]
    public void A_bad_setting_stops_the_server_at_start_with_a_clear_message(string key, string value, string named)
    {
        var error = Assert.ThrowsAny<Exception>(() => new FaqBotServer(new Dictionary<string, string?> { [key] = value }).Dispose());
        Assert.Contains(named, Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_answers_are_never_cached()
    {
        await using var server = new FaqBotServer();
        using var client = new DirectLineTestClient(server);
        using var page = await client.Http.PostAsync(new Uri("/api/directline/token", UriKind.Relative), null);
        Assert.True(page.Headers.CacheControl?.NoStore);
        var token = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<ConversationResponse>(page.Content, DirectLineTestClient.Json))!.Token;
        using var start = await client.SendAsync(HttpMethod.Post, "conversations", token);
        Assert.True(start.Headers.CacheControl?.NoStore);
    }

    private static string Flatten(Exception error) => error.InnerException is null ? error.Message : error.Message + " " + Flatten(error.InnerException);

    [Theory]
    [InlineData("https", "clinic.example", "wss://clinic.example/v3/directline/conversations/c1/stream?watermark=5&t=")]
    [InlineData("http", "127.0.0.1:5000", "ws://127.0.0.1:5000/v3/directline/conversations/c1/stream?watermark=5&t=")]
    public async Task Stream_url_follows_the_request_scheme_and_host(string scheme, string host, string expectedStart)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new DirectLineOptions { SigningKey = DirectLineTestClient.SigningKey });
        var keys = new KeyFolder(Path.Combine(TestPaths.TempRoot, Guid.NewGuid().ToString("N")));
        var key = new DirectLineSigningKey(options, keys, Microsoft.AspNetCore.DataProtection.DataProtectionProvider.Create(new DirectoryInfo(keys.Path)), Microsoft.Extensions.Logging.Abstractions.NullLogger<DirectLineSigningKey>.Instance);
        var tokens = new DirectLineTokens(options, key, TimeProvider.System);
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Scheme = scheme;
        context.Request.Host = new Microsoft.AspNetCore.Http.HostString(host);

        var url = await DirectLineEndpoints.StreamUrlAsync(context.Request, tokens, "c1", "dl_u", 5);

        Assert.StartsWith(expectedStart, url, StringComparison.Ordinal);
        var t = url[expectedStart.Length..];
        var auth = await tokens.AuthenticateAsync(Uri.UnescapeDataString(t), "c1", stream: true);
        Assert.Equal("dl_u", auth.Caller!.UserId);
    }
}
