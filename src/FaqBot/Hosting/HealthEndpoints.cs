using FaqBot.Knowledge;
using FaqBot.Search;
using FaqBot.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FaqBot.Hosting;

/// <summary>
/// Liveness (<c>/healthz/live</c>: the process answers) apart from readiness (<c>/healthz/ready</c>, also
/// <c>/healthz</c>: the articles are indexed and the database answers), for systemd, load balancers and monitors.
/// </summary>
public static class HealthEndpoints
{
    public sealed record Health(string Status, bool Knowledge, bool Database);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz/live", () => TypedResults.Ok(new { status = "alive" }))
            .WithName("Liveness");
        app.MapGet("/healthz/ready", ReadyAsync);
        app.MapGet("/healthz", ReadyAsync);
        return app;
    }

    public static async Task<Results<Ok<Health>, JsonHttpResult<Health>>> ReadyAsync(KnowledgeBase knowledge, DatabaseProbe database, CancellationToken ct)
    {
        var indexed = knowledge.Current.PassageCount > 0;
        var reachable = await database.ReachableAsync(ct);

        var health = new Health(indexed && reachable ? "ready" : "not ready", indexed, reachable);
        return indexed && reachable ? TypedResults.Ok(health) : TypedResults.Json(health, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
