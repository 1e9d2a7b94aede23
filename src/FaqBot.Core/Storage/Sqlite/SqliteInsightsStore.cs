using System.Globalization;
using System.Data.Common;

namespace FaqBot.Storage.Sqlite;

/// <summary>The insights from the SQLite database (<see cref="SqlInsightsStore"/>): json_extract for the activity documents, ISO-8601 text for times.</summary>
public sealed class SqliteInsightsStore(SqliteDatabase database, TimeProvider time) : SqlInsightsStore(time)
{
    private static readonly InsightsSql Queries = new(
        ParameterPrefix: "$",
        TurnOutcomes: """
            SELECT a.ts, t.outcome FROM turns t JOIN activities a ON a.conversation_id = t.conversation_id AND a.seq = t.seq
            WHERE t.outcome IS NOT NULL AND a.ts >= $start AND a.ts < $end
            """,
        FirstTurns: """
            SELECT min(a.ts) FROM turns t JOIN activities a ON a.conversation_id = t.conversation_id AND a.seq = t.seq
            WHERE t.outcome IS NOT NULL GROUP BY t.conversation_id HAVING min(a.ts) >= $start AND min(a.ts) < $end
            """,
        Feedback: "SELECT reaction, count(*) FROM feedback WHERE at >= $start AND at < $end GROUP BY reaction",
        Missed: """
            SELECT json_extract(a.json, '$.text'), t.outcome, a.ts, t.conversation_id
            FROM turns t JOIN activities a ON a.conversation_id = t.conversation_id AND a.seq = t.seq
            WHERE a.ts >= $start AND a.ts < $end AND (t.outcome = $fallback OR (t.outcome = $clarify AND a.ts < $idle
                AND NOT EXISTS (SELECT 1 FROM turns later WHERE later.conversation_id = t.conversation_id AND later.seq > t.seq)))
            ORDER BY a.ts DESC LIMIT $limit
            """,
        ThumbsDown: """
            SELECT question, at, conversation_id FROM feedback
            WHERE reaction = 'dislike' AND question IS NOT NULL AND at >= $start AND at < $end ORDER BY at DESC LIMIT $limit
            """,
        HandoffEventRows: """
            SELECT conversation_id, ts, json_extract(json, '$.name'), json_extract(json, '$.value.state') FROM activities
            WHERE ts < $end AND json_extract(json, '$.type') = 'event' AND json_extract(json, '$.name') IN ($initiate, $status)
            ORDER BY conversation_id, seq
            """,
        TimeValue: at => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        ReadTime: (reader, column) => DateTimeOffset.Parse(reader.GetString(column), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));

    private protected override InsightsSql Sql => Queries;

    private protected override async Task<DbConnection> OpenAsync(CancellationToken ct) => await database.OpenAsync(ct);
}
