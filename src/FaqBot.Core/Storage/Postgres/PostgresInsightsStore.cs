using System.Globalization;
using FaqBot.Answering;
using FaqBot.Handoff;
using FaqBot.Insights;
using System.Data.Common;
using Npgsql;

namespace FaqBot.Storage.Postgres;

/// <summary>The insights from PostgreSQL: the same reads as SQLite's, with jsonb for the activity documents.</summary>
public sealed class PostgresInsightsStore(PostgresDatabase database, TimeProvider time) : IInsightsStore
{
    public async Task<InsightsReport> ReportAsync(InsightsPeriod period, TimeZoneInfo zone, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(zone);
        var (start, end) = period.Bounds(zone);
        await using var connection = await database.OpenAsync(ct);

        int answered = 0, clarified = 0, fellBack = 0, handedOff = 0, crisis = 0;
        var byHour = new int[24];
        await using (var command = Command(connection, """
            SELECT a.ts, t.outcome FROM turns t JOIN activities a ON a.conversation_id = t.conversation_id AND a.seq = t.seq
            WHERE t.outcome IS NOT NULL AND a.ts >= @start AND a.ts < @end
            """, start, end))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                byHour[TimeZoneInfo.ConvertTime(reader.GetFieldValue<DateTimeOffset>(0), zone).Hour]++;
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
        await using (var command = Command(connection, """
            SELECT min(a.ts) FROM turns t JOIN activities a ON a.conversation_id = t.conversation_id AND a.seq = t.seq
            WHERE t.outcome IS NOT NULL GROUP BY t.conversation_id HAVING min(a.ts) >= @start AND min(a.ts) < @end
            """, start, end))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(reader.GetFieldValue<DateTimeOffset>(0), zone).DateTime);
                if (perDay.TryGetValue(day, out var count))
                {
                    perDay[day] = count + 1;
                }
            }
        }

        int up = 0, down = 0;
        await using (var command = Command(connection, "SELECT reaction, count(*) FROM feedback WHERE at >= @start AND at < @end GROUP BY reaction", start, end))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                switch (reader.GetString(0))
                {
                    case "like": up = (int)reader.GetInt64(1); break;
                    case "dislike": down = (int)reader.GetInt64(1); break;
                }
            }
        }

        var waits = await ClaimWaitsAsync(connection, start, end, ct);
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

    public async Task<IReadOnlyList<MissedQuestion>> MissedAsync(InsightsPeriod period, TimeZoneInfo zone, TimeSpan abandonedAfter, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(zone);
        var (start, end) = period.Bounds(zone);
        var idleSince = time.GetUtcNow() - abandonedAfter;
        var result = new List<MissedQuestion>();
        await using var connection = await database.OpenAsync(ct);
        await using (var command = Command(connection, """
            SELECT a.json::jsonb ->> 'text', t.outcome, a.ts, t.conversation_id
            FROM turns t JOIN activities a ON a.conversation_id = t.conversation_id AND a.seq = t.seq
            WHERE a.ts >= @start AND a.ts < @end AND (t.outcome = @fallback OR (t.outcome = @clarify AND a.ts < @idle
                AND NOT EXISTS (SELECT 1 FROM turns later WHERE later.conversation_id = t.conversation_id AND later.seq > t.seq)))
            ORDER BY a.ts DESC LIMIT @limit
            """, start, end))
        {
            command.Parameters.AddWithValue("fallback", Outcomes.Fallback);
            command.Parameters.AddWithValue("clarify", Outcomes.Clarify);
            command.Parameters.AddWithValue("idle", idleSince.ToUniversalTime());
            command.Parameters.AddWithValue("limit", limit);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (!reader.IsDBNull(0) && reader.GetString(0).Trim() is { Length: > 0 } text)
                {
                    var kind = reader.GetString(1) == Outcomes.Clarify ? MissKinds.AbandonedClarification : MissKinds.Fallback;
                    result.Add(new MissedQuestion(text, kind, reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3)));
                }
            }
        }

        await using (var command = Command(connection, """
            SELECT question, at, conversation_id FROM feedback
            WHERE reaction = 'dislike' AND question IS NOT NULL AND at >= @start AND at < @end ORDER BY at DESC LIMIT @limit
            """, start, end))
        {
            command.Parameters.AddWithValue("limit", limit);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (reader.GetString(0).Trim() is { Length: > 0 } text)
                {
                    result.Add(new MissedQuestion(text, MissKinds.ThumbsDown, reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2)));
                }
            }
        }

        return [.. result.OrderByDescending(m => m.At).Take(limit)];
    }

    /// <summary>
    /// For each claim (a <c>handoff.status</c> "accepted") in the period: how long since the escalation it answered
    /// (the first <c>handoff.initiate</c> after the conversation was last with the bot).
    /// </summary>
    private static async Task<List<double>> ClaimWaitsAsync(NpgsqlConnection connection, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var waits = new List<double>();
        await using var command = Command(connection, """
            SELECT conversation_id, ts, j ->> 'name', j -> 'value' ->> 'state' FROM (SELECT conversation_id, seq, ts, json::jsonb AS j FROM activities WHERE ts < @end) a
            WHERE j ->> 'type' = 'event' AND j ->> 'name' IN (@initiate, @status)
            ORDER BY conversation_id, seq
            """, start, end);
        command.Parameters.AddWithValue("initiate", HandoffEvents.InitiateName);
        command.Parameters.AddWithValue("status", HandoffEvents.StatusName);
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

            var at = reader.GetFieldValue<DateTimeOffset>(1);
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

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, DateTimeOffset start, DateTimeOffset end)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("start", start.ToUniversalTime());
        command.Parameters.AddWithValue("end", end.ToUniversalTime());
        return command;
    }
}
