using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Security;

/// <summary>Every anonymous route is rate limited by address (limits from configuration, one-hour windows so only counts matter).</summary>
public sealed class RateLimitTests
{
    private static FaqBotServer Server() => new(new Dictionary<string, string?>
    {
        ["RateLimits:Ask:PermitLimit"] = "2",
        ["RateLimits:Ask:WindowSeconds"] = "3600",
        ["RateLimits:SignIn:PermitLimit"] = "3",
        ["RateLimits:SignIn:WindowSeconds"] = "3600",
        ["RateLimits:BotConnector:PermitLimit"] = "2",
        ["RateLimits:BotConnector:WindowSeconds"] = "3600",
    });

    [Fact]
    public async Task Ask_sign_in_and_api_messages_answer_429_problem_details_with_retry_after()
    {
        await using var server = Server();
        using var http = server.CreateHttpClient();
        var routes = new (string Path, int Limit, Func<HttpContent> Body)[]
        {
            ("/api/ask", 2, () => JsonContent.Create(new { question = "can I drive afterward?" })),
            ("/api/staff/login", 3, () => JsonContent.Create(new { email = $"x{Guid.NewGuid():N}@clinic.example", password = "not a password" })),
            ("/api/messages", 2, () => new StringContent("{}", Encoding.UTF8, "application/json")),
        };
        foreach (var (path, limit, body) in routes)
        {
            for (var i = 0; i < limit; i++)
            {
                using var allowed = await http.PostAsync(new Uri(path, UriKind.Relative), body());
                Assert.NotEqual(HttpStatusCode.TooManyRequests, allowed.StatusCode);
            }

            using var limited = await http.PostAsync(new Uri(path, UriKind.Relative), body());
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        }
    }

    [Fact]
    public async Task Ask_refuses_questions_over_4000_characters_and_never_echoes_the_question()
    {
        await using var server = new FaqBotServer();
        using var http = server.CreateHttpClient();

        var tooLong = "can I drive afterward? " + new string('x', 4000);
        using var refused = await http.PostAsJsonAsync("/api/ask", new { question = tooLong });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Contains("4,000", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("drive", problem, StringComparison.Ordinal);

        using var answered = await http.PostAsJsonAsync("/api/ask", new { question = "can I drive afterward? zq-unique-words" });
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var json = JsonNode.Parse(await answered.Content.ReadAsStringAsync())!.AsObject();
        Assert.False(json.ContainsKey("question"));
        Assert.DoesNotContain("zq-unique-words", json.ToJsonString(), StringComparison.Ordinal);
    }
}
