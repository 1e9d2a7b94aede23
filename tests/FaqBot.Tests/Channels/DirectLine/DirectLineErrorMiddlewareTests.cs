using System.Text.Json.Nodes;
using FaqBot.Channels.DirectLine;
using FaqBot.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaqBot.Tests.Channels.DirectLine;

/// <summary>The middleware's mapping of a failed request to Direct Line's error body.</summary>
public sealed class DirectLineErrorMiddlewareTests
{
    [Fact]
    public async Task A_conversation_erased_while_the_request_ran_is_not_found_and_any_other_failure_a_service_error()
    {
        var (status, code) = await RunAsync(new ConversationNotFoundException("c1"));
        Assert.Equal((StatusCodes.Status404NotFound, DirectLineError.NotFound), (status, code));

        (status, code) = await RunAsync(new InvalidOperationException("something else"));
        Assert.Equal((StatusCodes.Status500InternalServerError, DirectLineError.ServiceError), (status, code));
    }

    private static async Task<(int Status, string? Code)> RunAsync(Exception thrown)
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();
        var middleware = new DirectLineErrorMiddleware(_ => throw thrown, NullLogger<DirectLineErrorMiddleware>.Instance);

        await middleware.InvokeAsync(context);

        context.Response.Body.Position = 0;
        var body = await JsonNode.ParseAsync(context.Response.Body);
        return (context.Response.StatusCode, body?["error"]?["code"]?.GetValue<string>());
    }
}
