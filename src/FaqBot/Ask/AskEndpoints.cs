using Microsoft.AspNetCore.Http.HttpResults;

namespace FaqBot.Ask;

public static class AskEndpoints
{
    public sealed record AskRequest(string? Question);

    public static IEndpointRouteBuilder MapAsk(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/ask", AskAsync).WithName("Ask").DisableAntiforgery();
        return app;
    }

    /// <summary>POST /api/ask {"question"}: the same JSON object as one line of <c>ask --json</c>.</summary>
    public static async Task<Results<Ok<AskResponse>, ProblemHttpResult>> AskAsync(AskRequest? request, Asker asker, CancellationToken ct)
    {
        if (request?.Question is not { } question)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing question", detail: "Send a JSON body like {\"question\": \"Can I drive afterward?\"}.");
        }

        return TypedResults.Ok(await asker.AskAsync(question, ct));
    }
}
