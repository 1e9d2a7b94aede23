using System.Net;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Health_answers_over_real_http()
    {
        await using var server = new FaqBotServer();
        using var client = server.CreateHttpClient();
        var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
    }
}
