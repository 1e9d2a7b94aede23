using System.Data.Common;
using FaqBot.Answering;
using FaqBot.Handoff;
using FaqBot.Insights;

namespace FaqBot.Storage;

/// <summary>
/// What differs between the providers' insights reads: the SQL (JSON functions, parameter marks) and how a timestamp
/// is written and read. Parameters are named <c>start</c>, <c>end</c>, <c>fallback</c>, <c>clarify</c>, <c>idle</c>,
/// <c>limit</c>, <c>initiate</c> and <c>status</c>, after <see cref="ParameterPrefix"/>.
/// </summary>
/// <param name="TurnOutcomes">Each answered turn's time and outcome in the period.</param>
/// <param name="FirstTurns">Each conversation's first answered turn's time, for conversations that began in the period.</param>
/// <param name="Feedback">Reaction and count in the period.</param>
/// <param name="Missed">Text, outcome, time and conversation of fallbacks and abandoned clarifications, newest first.</param>
/// <param name="ThumbsDown">Question, time and conversation of thumbs-down feedback, newest first.</param>
/// <param name="HandoffEventRows">Conversation, time, name and state of handoff events before the end, by conversation and sequence.</param>
internal sealed record InsightsSql(
    string ParameterPrefix,
    string TurnOutcomes,
    string FirstTurns,
    string Feedback,
    string Missed,
    string ThumbsDown,
    string HandoffEventRows,
    Func<DateTimeOffset, object> TimeValue,
    Func<DbDataReader, int, DateTimeOffset> ReadTime);

/// <summary>
/// The insights from either database: each patient message's outcome (<c>turns</c>), the feedback table, and the
/// <c>handoff.initiate</c> / <c>handoff.status</c> events of the activity log for the time to claim. A provider's store
/// gives only its SQL and its connection.
/// </summary>
public abstract class SqlInsightsStore(TimeProvider time) : IInsightsStore
{
    private protected abstract InsightsSql Sql { get; }

    private protected abstract Task<DbConnection> OpenAsync(CancellationToken ct);

    public async Task<InsightsReport> ReportAsync(InsightsPeriod period, TimeZoneInfo zone, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(zone);
        await using var connection = await OpenAsync(ct);
        return await ReportAsync(connection, Sql, period, zone, ct);
    }

    public async Task<IReadOnlyList<MissedQuestion>> MissedAsync(InsightsPeriod period, TimeZoneInfo zone, TimeSpan abandonedAfter, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(zone);
        await using var connection = await OpenAsync(ct);
        return await MissedAsync(connection, Sql, period, zone, time.GetUtcNow() - abandonedAfter, limit, ct);
    }

    private static async Task<InsightsReport> ReportAsync(DbConnection connection, InsightsSql sql, InsightsPeriod period, TimeZoneInfo zone, CancellationToken ct)
    {
        var (start, end) = period.Bounds(zone);
        int answered = 0, clarified = 0, fellBack = 0, handedOff = 0, crisis = 0;
        var byHour = new int[24];
        await using (var command = Command(connection, sql, sql.TurnOutcomes, start, end))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                byHour[TimeZoneInfo.ConvertTime(sql.ReadTime(reader, 0), zone).Hour]++;
                switch (reader.GetString(1))
                {
                    case Outcomes.Answer: answered++; break;
                    case Outcomes.Clarify: clarified++; break;
                    case Outcomes.Fallback: fellBack++; break;
                    case Outcomes.Handoff: handedOff++; break;
                    case Outcomes.Crisis: crisis++; break;
                }
            }
        }

        var perDay = period.Days().ToDictionary(d => d, _ => 0);
        await using (var command = Command(connection, sql, sql.FirstTurns, start, end))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(sql.ReadTime(reader, 0), zone).DateTime);
                if (perDay.TryGetValue(day, out var count))
                {
                    perDay[day] = count + 1;
                }
            }
        }

        int up = 0, down = 0;
        await using (var command = Command(connection, sql, sql.Feedback, start, end))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                switch (reader.GetString(0))
                {
                    case "like": up = Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture); break;
                    case "dislike": down = Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture); break;
                }
            }
        }

        var waits = await ClaimWaitsAsync(connection, sql, start, end, ct);
        return new InsightsReport(
            period.From,
            period.To,
            zone.Id,
            perDay.Values.Sum(),
            [.. perDay.OrderBy(p => p.Key).Select(p => new DayCount(p.Key, p.Value))],
            new OutcomeCounts(answered, clarified, fellBack, handedOff, crisis),
            new FeedbackCounts(up, down),
            new ClaimTimes(waits.Count, ClaimTimes.Percentile(waits, 0.5), ClaimTimes.Percentile(waits, 0.9)),
            byHour);
    }

    private static async Task<IReadOnlyList<MissedQuestion>> MissedAsync(DbConnection connection, InsightsSql sql, InsightsPeriod period, TimeZoneInfo zone, DateTimeOffset idleSince, int limit, CancellationToken ct)
    {
        var (start, end) = period.Bounds(zone);
        var result = new List<MissedQuestion>();
        await using (var command = Command(connection, sql, sql.Missed, start, end))
        {
            Add(command, sql, "fallback", Outcomes.Fallback);
            Add(command, sql, "clarify", Outcomes.Clarify);
            Add(command, sql, "idle", sql.TimeValue(idleSince));
            Add(command, sql, "limit", limit);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (!reader.IsDBNull(0) && reader.GetString(0).Trim() is { Length: > 0 } text)
                {
                    var kind = reader.GetString(1) == Outcomes.Clarify ? MissKinds.AbandonedClarification : MissKinds.Fallback;
                    result.Add(new MissedQuestion(text, kind, sql.ReadTime(reader, 2), reader.GetString(3)));
                }
            }
        }

        await using (var command = Command(connection, sql, sql.ThumbsDown, start, end))
        {
            Add(command, sql, "limit", limit);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (reader.GetString(0).Trim() is { Length: > 0 } text)
                {
                    result.Add(new MissedQuestion(text, MissKinds.ThumbsDown, sql.ReadTime(reader, 1), reader.GetString(2)));
                }
            }
        }

        return [.. result.OrderByDescending(m => m.At).Take(limit)];
    }

    /// <summary>
    /// For each claim (a <c>handoff.status</c> "accepted") in the period: how long since the escalation it answered
    /// (the first <c>handoff.initiate</c> after the conversation was last with the bot).
    /// </summary>
    private static async Task<List<double>> ClaimWaitsAsync(DbConnection connection, InsightsSql sql, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var waits = new List<double>();
        await using var command = Command(connection, sql, sql.HandoffEventRows, start, end);
        Add(command, sql, "initiate", HandoffEvents.InitiateName);
        Add(command, sql, "status", HandoffEvents.StatusName);
        await using var reader = await command.ExecuteReaderAsync(ct);
        string? conversation = null;
        DateTimeOffset? waitingSince = null;
        while (await reader.ReadAsync(ct))
        {
            if (reader.GetString(0) != conversation)
            {
                conversation = reader.GetString(0);
                waitingSince = null;
            }

            var at = sql.ReadTime(reader, 1);
            if (reader.GetString(2) == HandoffEvents.InitiateName)
            {
                waitingSince ??= at;
                continue;
            }

            var state = reader.IsDBNull(3) ? null : reader.GetString(3);
            if (state == HandoffEvents.Accepted && waitingSince is { } since && at >= start)
            {
                waits.Add((at - since).TotalSeconds);
            }

            if (state is HandoffEvents.Accepted or HandoffEvents.Completed or HandoffEvents.Failed)
            {
                waitingSince = null;
            }
        }

        return waits;
    }

    private static DbCommand Command(DbConnection connection, InsightsSql sql, string text, DateTimeOffset start, DateTimeOffset end)
    {
        var command = connection.CreateCommand();
        command.CommandText = text;
        Add(command, sql, "start", sql.TimeValue(start));
        Add(command, sql, "end", sql.TimeValue(end));
        return command;
    }

    private static void Add(DbCommand command, InsightsSql sql, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = sql.ParameterPrefix + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
