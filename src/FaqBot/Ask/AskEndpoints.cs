using System.Globalization;
using System.Text.Json;
using FaqBot.Channels;
using FaqBot.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FaqBot.Ask;

public static class AskEndpoints
{
    /// <summary>Longest question accepted, in UTF-16 code units (the chat's limit too).</summary>
    public const int MaxQuestionLength = 4000;

    private const int MaxBodyBytes = 32 * 1024;

    public sealed record AskRequest(string? Question);

    public static IEndpointRouteBuilder MapAsk(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/ask", AskAsync).WithName("Ask").DisableAntiforgery().RequireRateLimiting(RateLimitSetup.Ask);
        return app;
    }

    /// <summary>
    /// POST /api/ask {"question"}: the same JSON object as one line of <c>ask --json</c>, without the
    /// question itself (the caller has it; answers are not a place to echo what someone typed).
    /// </summary>
    public static async Task<Results<Ok<AskResponse>, ProblemHttpResult>> AskAsync(HttpRequest request, Asker asker, CancellationToken ct)
    {
        var read = await JsonBody.ReadAsync(request, MaxBodyBytes);
        if (read.Problem != JsonBodyProblem.None)
        {
            return TypedResults.Problem(statusCode: read.Status, title: "Invalid request", detail: read.Message);
        }

        var (body, error) = JsonBody.Bind<AskRequest>(read.Body!, JsonSerializerOptions.Web);
        if (body?.Question is not { } question)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing question", detail: error ?? "Send a JSON body like {\"question\": \"Can I drive afterward?\"}.");
        }

        if (question.Length > MaxQuestionLength)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Question too long",
                detail: string.Create(CultureInfo.InvariantCulture, $"The question is {question.Length:N0} characters long; the limit is {MaxQuestionLength:N0}."));
        }

        return TypedResults.Ok(await asker.AskAsync(question, ct) with { Question = null });
    }
}
