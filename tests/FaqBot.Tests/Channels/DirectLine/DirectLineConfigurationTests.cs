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
}
