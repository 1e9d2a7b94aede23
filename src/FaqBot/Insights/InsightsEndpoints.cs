using System.Globalization;
using System.Security.Claims;
using System.Text;
using FaqBot.Handoff;
using FaqBot.Insights;
using FaqBot.Knowledge;
using FaqBot.Search;
using FaqBot.Staff;
using FaqBot.Teaching;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FaqBot.Insights;

public sealed record TeachRequest(string? Question, string? Source, string? Section, string? Passage);

public sealed record ArticleRequestBody(string? Question);

/// <summary>An answer unit a staff member can pick when teaching the bot.</summary>
public sealed record PassageChoice(string Source, string Title, string Section, string Passage, string Kind, double Score);

/// <summary>A taught question with the name of who taught it.</summary>
public sealed record TaughtQuestionView(long Id, string Question, string Source, string Section, string Passage, string TaughtBy, string TaughtByName, DateTimeOffset TaughtAt);

/// <summary>A "needs an article" entry with the name of who marked it.</summary>
public sealed record ArticleRequestView(long Id, string Question, string RequestedBy, string RequestedByName, DateTimeOffset RequestedAt);

/// <summary>A group of missed questions as the console lists it: its newest examples, not every member.</summary>
public sealed record MissedGroupView(string Question, int Count, IReadOnlyDictionary<string, int> Kinds, DateTimeOffset FirstAt, DateTimeOffset LastAt, IReadOnlyList<MissedQuestion> Examples);

/// <summary>
/// Insights and teaching, for signed-in staff and admins under <c>/api/staff</c> (ProblemDetails errors, CSRF on
/// every change): the figures of a period, the missed questions grouped by meaning, CSV exports, the article search
/// staff teach from, taught questions (admins remove them) and the "needs an article" list.
/// </summary>
public static class InsightsEndpoints
{
    public const int MaxSearchLength = 500;

    public static IEndpointRouteBuilder MapInsights(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/staff").RequireAuthorization(StaffAuthenticationHandler.Policy).WithTags("Insights");
        read.MapGet("/insights", Report);
        read.MapGet("/insights/missed", Missed);
        read.MapGet("/insights/figures.csv", FiguresCsv);
        read.MapGet("/insights/missed.csv", MissedCsv);
        read.MapGet("/knowledge/search", SearchPassages);
        read.MapGet("/taught", Taught);
        read.MapGet("/article-requests", ArticleRequests);

        var write = app.MapGroup("/api/staff").RequireAuthorization(StaffAuthenticationHandler.Policy).AddEndpointFilter(StaffEndpoints.RequireCsrf).WithTags("Insights");
        write.MapPost("/taught", Teach);
        write.MapPost("/article-requests", NeedsArticle);

        var admin = app.MapGroup("/api/staff/admin").RequireAuthorization(StaffAuthenticationHandler.AdminPolicy).AddEndpointFilter(StaffEndpoints.RequireCsrf).WithTags("Insights");
        admin.MapDelete("/taught/{id:long}", RemoveTaught);
        admin.MapDelete("/article-requests/{id:long}", CloseArticleRequest);

        app.MapGet("/staff/insights", StaffSetup.PageResult("staff/insights.html")).ExcludeFromDescription();
        return app;
    }

    /// <summary>GET /api/staff/insights?from=YYYY-MM-DD&amp;to=YYYY-MM-DD (default: the last 30 days, clinic time).</summary>
    public static async Task<Results<Ok<InsightsReport>, ProblemHttpResult>> Report(string? from, string? to, InsightsService insights, CancellationToken ct) =>
        Period(from, to, insights) is { Period: { } period }
            ? TypedResults.Ok(await insights.ReportAsync(period, ct))
            : BadPeriod();

    /// <summary>GET /api/staff/insights/missed?from&amp;to: what the bot could not answer, grouped by meaning, largest first.</summary>
    public static async Task<Results<Ok<IReadOnlyList<MissedGroupView>>, ProblemHttpResult>> Missed(string? from, string? to, InsightsService insights, CancellationToken ct)
    {
        if (Period(from, to, insights) is not { Period: { } period })
        {
            return BadPeriod();
        }

        var groups = await insights.MissedGroupsAsync(period, ct);
        return TypedResults.Ok<IReadOnlyList<MissedGroupView>>([.. groups.Select(g => new MissedGroupView(g.Question, g.Count, g.Kinds, g.FirstAt, g.LastAt, [.. g.Members.Take(MeaningGroups.MaxExamples)]))]);
    }

    /// <summary>GET /api/staff/insights/figures.csv?from&amp;to: the period's figures, one per row (figure, key, value).</summary>
    public static async Task<IResult> FiguresCsv(string? from, string? to, InsightsService insights, CancellationToken ct)
    {
        if (Period(from, to, insights) is not { Period: { } period })
        {
            return BadPeriod();
        }

        var report = await insights.ReportAsync(period, ct);
        var csv = new CsvWriter("figure", "key", "value");
        csv.Row("period", "from", Day(report.From));
        csv.Row("period", "to", Day(report.To));
        csv.Row("period", "time_zone", report.TimeZone);
        csv.Row("conversations", "total", Number(report.Conversations));
        foreach (var day in report.ConversationsPerDay)
        {
            csv.Row("conversations_per_day", Day(day.Day), Number(day.Count));
        }

        csv.Row("outcome", "answered", Number(report.Outcomes.Answered));
        csv.Row("outcome", "clarified", Number(report.Outcomes.Clarified));
        csv.Row("outcome", "fell_back", Number(report.Outcomes.FellBack));
        csv.Row("outcome", "handed_off", Number(report.Outcomes.HandedOff));
        csv.Row("outcome", "crisis", Number(report.Outcomes.Crisis));
        csv.Row("feedback", "thumbs_up", Number(report.Feedback.Up));
        csv.Row("feedback", "thumbs_down", Number(report.Feedback.Down));
        csv.Row("time_to_claim", "claims", Number(report.TimeToClaim.Claims));
        csv.Row("time_to_claim", "median_seconds", Seconds(report.TimeToClaim.MedianSeconds));
        csv.Row("time_to_claim", "p90_seconds", Seconds(report.TimeToClaim.P90Seconds));
        for (var hour = 0; hour < report.MessagesByHour.Count; hour++)
        {
            csv.Row("messages_by_hour", hour.ToString("00", CultureInfo.InvariantCulture), Number(report.MessagesByHour[hour]));
        }

        return csv.Result($"faqbot-figures-{Day(report.From)}-to-{Day(report.To)}.csv");
    }

    /// <summary>
    /// GET /api/staff/insights/missed.csv?from&amp;to: every missed question of the period with its group, kind and day;
    /// nothing that identifies a patient beyond the question text (no conversation id, no time of day).
    /// </summary>
    public static async Task<IResult> MissedCsv(string? from, string? to, InsightsService insights, CancellationToken ct)
    {
        if (Period(from, to, insights) is not { Period: { } period })
        {
            return BadPeriod();
        }

        var groups = await insights.MissedGroupsAsync(period, ct);
        var csv = new CsvWriter("group", "group_question", "group_count", "question", "kind", "day");
        for (var g = 0; g < groups.Count; g++)
        {
            foreach (var member in groups[g].Members)
            {
                csv.Row(Number(g + 1), groups[g].Question, Number(groups[g].Count), member.Text, member.Kind, Day(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(member.At, insights.Zone).DateTime)));
            }
        }

        return csv.Result($"faqbot-missed-questions-{Day(period.From)}-to-{Day(period.To)}.csv");
    }

    /// <summary>GET /api/staff/knowledge/search?q=: the answer units that best match, to pick one when teaching.</summary>
    public static Results<Ok<IReadOnlyList<PassageChoice>>, ProblemHttpResult> SearchPassages(string? q, KnowledgeBase knowledge)
    {
        if (string.IsNullOrWhiteSpace(q) || q.Length > MaxSearchLength)
        {
            return Problem(StatusCodes.Status400BadRequest, "Search words required", $"Send ?q= with 1 to {MaxSearchLength} characters.");
        }

        var result = knowledge.Current.Search(q);
        return TypedResults.Ok<IReadOnlyList<PassageChoice>>([.. result.Ranked.Take(8).Select(r => new PassageChoice(
            r.Passage.Source, r.Passage.Title, r.Passage.Section, r.Passage.Text, r.Passage.Kind == ContentKind.Story ? "story" : "guidance", Math.Round(r.Score, 3)))]);
    }

    /// <summary>GET /api/staff/taught: every taught question, with who taught it and when.</summary>
    public static async Task<Ok<IReadOnlyList<TaughtQuestionView>>> Taught(Teacher teacher, IStaffDirectory staff, CancellationToken ct)
    {
        var names = await NamesAsync(staff, ct);
        return TypedResults.Ok<IReadOnlyList<TaughtQuestionView>>([.. (await teacher.ListAsync(ct)).Select(t =>
            new TaughtQuestionView(t.Id, t.Question, t.Source, t.Section, t.Passage, t.TaughtBy, names.GetValueOrDefault(t.TaughtBy, t.TaughtBy), t.TaughtAt))]);
    }

    /// <summary>
    /// POST /api/staff/taught {question, source, section, passage}: 201 with the taught question (effective from the
    /// next message); 200 when it was taught already; 400 for an empty or over-long question; 409 when the passage is
    /// no longer in the articles.
    /// </summary>
    public static async Task<Results<Created<TaughtQuestion>, Ok<TaughtQuestion>, ProblemHttpResult>> Teach(TeachRequest? request, ClaimsPrincipal user, Teacher teacher, CancellationToken ct)
    {
        var result = await teacher.TeachAsync(request?.Question, request?.Source, request?.Section, request?.Passage, StaffId(user), ct);
        return result switch
        {
            { Status: TeachStatus.Taught, Taught: { } taught } => TypedResults.Created($"/api/staff/taught/{taught.Id}", taught),
            { Status: TeachStatus.AlreadyTaught, Taught: { } taught } => TypedResults.Ok(taught),
            { Status: TeachStatus.NoSuchPassage } => Problem(StatusCodes.Status409Conflict, "No such passage", "That passage is not in the articles as they are now (an article may have changed). Search again and pick it from the results."),
            _ => Problem(StatusCodes.Status400BadRequest, "Question required", $"Send {{\"question\": ...}} with 1 to {Teacher.MaxQuestionLength} characters, and the source, section and passage of a search result."),
        };
    }

    /// <summary>DELETE /api/staff/admin/taught/{id} (admins): the bot answers as before it was taught.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveTaught(long id, ClaimsPrincipal user, Teacher teacher, CancellationToken ct) =>
        await teacher.RemoveAsync(id, StaffId(user), ct) is not null ? TypedResults.NoContent() : Problem(StatusCodes.Status404NotFound, "Not found", "No such taught question.");

    /// <summary>GET /api/staff/article-requests: missed questions marked "needs an article".</summary>
    public static async Task<Ok<IReadOnlyList<ArticleRequestView>>> ArticleRequests(Teacher teacher, IStaffDirectory staff, CancellationToken ct)
    {
        var names = await NamesAsync(staff, ct);
        return TypedResults.Ok<IReadOnlyList<ArticleRequestView>>([.. (await teacher.ArticleRequestsAsync(ct)).Select(r =>
            new ArticleRequestView(r.Id, r.Question, r.RequestedBy, names.GetValueOrDefault(r.RequestedBy, r.RequestedBy), r.RequestedAt))]);
    }

    private static async Task<Dictionary<string, string>> NamesAsync(IStaffDirectory staff, CancellationToken ct) =>
        (await staff.ListAsync(ct)).ToDictionary(a => a.Id, a => a.Name, StringComparer.Ordinal);

    /// <summary>POST /api/staff/article-requests {question}: lists it for whoever writes content.</summary>
    public static async Task<Results<Created<ArticleRequest>, ProblemHttpResult>> NeedsArticle(ArticleRequestBody? request, ClaimsPrincipal user, Teacher teacher, CancellationToken ct) =>
        await teacher.NeedsArticleAsync(request?.Question, StaffId(user), ct) is { } created
            ? TypedResults.Created($"/api/staff/article-requests/{created.Id}", created)
            : Problem(StatusCodes.Status400BadRequest, "Question required", $"Send {{\"question\": ...}} with 1 to {Teacher.MaxQuestionLength} characters.");

    /// <summary>DELETE /api/staff/admin/article-requests/{id} (admins): the article is written, or the request is dropped.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> CloseArticleRequest(long id, ClaimsPrincipal user, Teacher teacher, CancellationToken ct) =>
        await teacher.ResolveArticleRequestAsync(id, StaffId(user), ct) ? TypedResults.NoContent() : Problem(StatusCodes.Status404NotFound, "Not found", "No such article request.");

    private static (InsightsPeriod? Period, bool Valid) Period(string? from, string? to, InsightsService insights)
    {
        var fallback = insights.DefaultPeriod();
        if (!TryDay(from, fallback.From, out var start) || !TryDay(to, fallback.To, out var end) || end < start || end.DayNumber - start.DayNumber >= InsightsPeriod.MaxDays)
        {
            return (null, false);
        }

        return (new InsightsPeriod(start, end), true);
    }

    private static bool TryDay(string? text, DateOnly fallback, out DateOnly day)
    {
        if (string.IsNullOrEmpty(text))
        {
            day = fallback;
            return true;
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }

    private static ProblemHttpResult BadPeriod() => Problem(StatusCodes.Status400BadRequest, "Invalid period",
        $"Send from and to as YYYY-MM-DD, from not after to, at most {InsightsPeriod.MaxDays} days.");

    private static string StaffId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(double? value) => value is { } v ? Math.Round(v).ToString(CultureInfo.InvariantCulture) : "";

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);

    /// <summary>RFC 4180 CSV; a cell a spreadsheet would read as a formula is prefixed with an apostrophe.</summary>
    private sealed class CsvWriter
    {
        private readonly StringBuilder _text = new();

        public CsvWriter(params string[] header) => Row(header);

        public void Row(params string[] cells) => _text.AppendJoin(',', cells.Select(Cell)).Append("\r\n");

        public FileContentHttpResult Result(string fileName) =>
            TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(_text.ToString())).ToArray(), "text/csv; charset=utf-8", fileName);

        private static string Cell(string value)
        {
            var safe = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
            return safe.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{safe.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : safe;
        }
    }
}
