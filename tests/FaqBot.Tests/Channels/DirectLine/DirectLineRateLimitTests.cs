using System.Net;
using System.Text.Json.Nodes;
using FaqBot.Channels.DirectLine;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Channels.DirectLine;

/// <summary>Tiny limits with a one-hour window, so the outcome depends on counts only, never on timing.</summary>
public sealed class DirectLineRateLimitTests
{
    private static FaqBotServer Server(int perToken, int perAddress) => new(new Dictionary<string, string?>
    {
        ["DirectLine:RateLimit:PermitsPerToken"] = perToken.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["DirectLine:RateLimit:PermitsPerAddress"] = perAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["DirectLine:RateLimit:WindowSeconds"] = "3600",
    });

    [Fact]
    public async Task Each_token_has_its_own_limit_and_429_carries_retry_after_and_a_direct_line_error()
    {
        await using var server = Server(perToken: 3, perAddress: 100);
        using var client = new DirectLineTestClient(server);
        var a = await client.StartAsync(); // the start used 1 of the page token's permits, not of a's new token
        var path = $"conversations/{a.ConversationId}/activities";

        for (var i = 0; i < 3; i++)
        {
            using var ok = await client.SendAsync(HttpMethod.Get, path, a.Token);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var limited = await client.SendAsync(HttpMethod.Get, path, a.Token);
        await DirectLineTestClient.AssertErrorAsync(limited, HttpStatusCode.TooManyRequests, DirectLineError.TooManyRequests);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 3600);

        // Posting with the limited token is refused before anything is stored.
        using var post = await client.SendAsync(HttpMethod.Post, path, a.Token, """{"type":"message","text":"hi"}""");
        Assert.Equal(HttpStatusCode.TooManyRequests, post.StatusCode);

        var b = await client.StartAsync();
        using var other = await client.SendAsync(HttpMethod.Get, $"conversations/{b.ConversationId}/activities", b.Token);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.DoesNotContain((await client.GetActivitiesAsync(b.Token, b.ConversationId)).Activities, x => x.From?.Role == FaqBot.Schema.RoleTypes.User);
    }

    [Fact]
    public async Task The_page_token_endpoint_is_limited_per_address_with_problem_details()
    {
        await using var server = Server(perToken: 100, perAddress: 2);
        using var client = new DirectLineTestClient(server);

        await client.GetPageTokenAsync();
        await client.GetPageTokenAsync();
        using var limited = await client.Http.PostAsync(new Uri("/api/directline/token", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        Assert.Equal(429, JsonNode.Parse(await limited.Content.ReadAsStringAsync())!["status"]!.GetValue<int>());
    }
}
