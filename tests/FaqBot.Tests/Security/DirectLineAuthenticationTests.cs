using System.Net;
using FaqBot.Channels.DirectLine;
using FaqBot.Tests.Channels.DirectLine;
using FaqBot.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Security;

/// <summary>Direct Line credentials are checked by ASP.NET Core authentication and a policy on the route group, not by each handler.</summary>
public sealed class DirectLineAuthenticationTests
{
    [Fact]
    public async Task Every_direct_line_route_requires_the_direct_line_policy()
    {
        await using var server = new FaqBotServer();
        var endpoints = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v3/directline", StringComparison.Ordinal) == true)
            .ToList();

        Assert.Equal(8, endpoints.Count);
        Assert.All(endpoints, e => Assert.Contains(e.Metadata.GetOrderedMetadata<IAuthorizeData>(), a => a.Policy == DirectLineAuthenticationHandler.Policy));
    }

    [Fact]
    public async Task The_caller_is_on_the_request_identity_and_a_missing_conversation_is_404_without_echoing_the_id()
    {
        await using var server = new FaqBotServer(new Dictionary<string, string?> { ["DirectLine:Secret"] = "a-direct-line-secret-of-at-least-32-characters" });
        using var client = new DirectLineTestClient(server);

        using var missing = await client.SendAsync(HttpMethod.Get, "conversations/<script>alert(1)<%2Fscript>/activities", "a-direct-line-secret-of-at-least-32-characters");
        await DirectLineTestClient.AssertErrorAsync(missing, HttpStatusCode.NotFound, DirectLineError.NotFound);
        Assert.DoesNotContain("script", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var conversation = await client.StartAsync();
        using var refreshed = await client.SendAsync(HttpMethod.Post, "tokens/refresh", conversation.Token);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }
}
