using System.Net;
using FaqBot.Channels.DirectLine;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Channels.DirectLine;

public sealed class DirectLineDisabledSecretTests
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
}
