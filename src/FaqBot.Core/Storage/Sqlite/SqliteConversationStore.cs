using System.Globalization;
using System.Text.Json;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using Microsoft.Data.Sqlite;

namespace FaqBot.Storage.Sqlite;

/// <summary>
/// The embedded default store: one SQLite file (WAL), every write committed before it returns. Writes run in immediate
/// (single-writer) transactions, so a sequence number, a lease or a version is read and changed by one writer at a time;
/// the writes of concurrent messages are committed together (<see cref="SqliteDatabase.WriteAsync"/>, group commit).
/// </summary>
public sealed class SqliteConversationStore(SqliteDatabase database, TimeProvider time, StorageOptions? options = null) : IConversationStore
{
    private static readonly JsonSerializerOptions Json = ActivityJson.Options;
    private readonly StorageOptions _options = options ?? new StorageOptions();

    private const string SaveSql = """
        UPDATE conversations SET handoff = $handoff, priority = $priority, escalated_at = $escalated,
            updated_at = $updated, state_json = CAST($json AS TEXT), version = version + 1
        WHERE id = $id AND version = $version
        """;

    public async Task<bool> CreateAsync(ConversationState state, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        return await WriteOneAsync(
            """
            INSERT INTO conversations (id, user_id, handoff, priority, escalated_at, created_at, updated_at, state_json)
            VALUES ($id, $user, $handoff, $priority, $escalated, $created, $updated, CAST($json AS TEXT))
            ON CONFLICT(id) DO NOTHING
            """,
            command => Bind(command, state),
            ct) == 1;
    }

    /// <summary>One statement through the group-commit writer (prepared once per writer); the rows it changed.</summary>
    private Task<int> WriteOneAsync(string sql, Action<SqliteCommand> bind, CancellationToken ct) =>
        database.WriteAsync(
            (_, transaction) =>
            {
                var command = database.Prepared(transaction, sql);
                bind(command);
                return command.ExecuteNonQueryAsync(ct);
            },
            ct);

    public Task<ConversationState?> GetAsync(string conversationId, CancellationToken ct = default) =>
        database.ReadAsync(
            "SELECT state_json, version FROM conversations WHERE id = $id",
            async command =>
            {
                command.Parameters.AddWithValue("$id", conversationId);
                await using var reader = await command.ExecuteReaderAsync(ct);
                return await reader.ReadAsync(ct) ? Read(reader) : null;
            },
            ct);

    public Task<string?> GetUserIdAsync(string conversationId, CancellationToken ct = default) =>
        database.ReadAsync(
            "SELECT user_id FROM conversations WHERE id = $id",
            async command =>
            {
                command.Parameters.AddWithValue("$id", conversationId);
                return await command.ExecuteScalarAsync(ct) as string;
            },
            ct);

    public async Task<ConversationState> SaveAsync(ConversationState state, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        return await database.WriteAsync((_, transaction) => SaveAsync(transaction, state, ct), ct);
    }

    /// <summary>Saves when nobody saved since <paramref name="state"/> was read (its version); otherwise a conflict.</summary>
    private async Task<ConversationState> SaveAsync(SqliteTransaction transaction, ConversationState state, CancellationToken ct)
    {
        var command = database.Prepared(transaction, SaveSql);
        Bind(command, state);
        command.Parameters.AddWithValue("$version", state.Version);
        if (await command.ExecuteNonQueryAsync(ct) == 1)
        {
            return state with { Version = state.Version + 1 };
        }

        var exists = database.Prepared(transaction, "SELECT count(*) FROM conversations WHERE id = $id");
        exists.Parameters.AddWithValue("$id", state.ConversationId);
        throw await exists.ExecuteScalarAsync(ct) is 0L
            ? new ConversationNotFoundException(state.ConversationId)
            : new ConcurrencyConflictException(state.ConversationId);
    }

    public Task<StoredActivity> AppendAsync(string conversationId, Activity activity, CancellationToken ct = default) =>
        AppendAsync(conversationId, activity, awaitingTurn: false, ct);

    public Task<StoredActivity> AppendIncomingAsync(string conversationId, Activity activity, CancellationToken ct = default) =>
        AppendAsync(conversationId, activity, awaitingTurn: true, ct);

    public async Task MarkProcessedAsync(string conversationId, long sequence, TurnOutcome? outcome = null, CancellationToken ct = default)
    {
        await WriteOneAsync(ProcessedSql, command => BindProcessed(command, conversationId, sequence, outcome), ct);
    }

    public async Task<IReadOnlyList<StoredActivity>> ClaimUnprocessedAsync(bool includeLeased = false, int limit = 100, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        return await database.WriteAsync((_, transaction) => ClaimAsync(transaction, now, includeLeased, limit, ct), ct);
    }

    private async Task<IReadOnlyList<StoredActivity>> ClaimAsync(SqliteTransaction transaction, DateTimeOffset now, bool includeLeased, int limit, CancellationToken ct)
    {
        var command = database.Prepared(transaction, """
            UPDATE turns SET claimed_by = $me, lease_until = $until
            WHERE (conversation_id, seq) IN (
                SELECT t.conversation_id, t.seq FROM turns t JOIN activities a ON a.conversation_id = t.conversation_id AND a.seq = t.seq
                WHERE t.processed_at IS NULL AND ($all = 1 OR t.lease_until IS NULL OR t.lease_until < $now)
                ORDER BY a.ts, a.seq LIMIT $limit)
            RETURNING conversation_id, seq
            """);
        command.Parameters.AddWithValue("$me", _options.InstanceId);
        command.Parameters.AddWithValue("$until", Iso(now + _options.Lease));
        command.Parameters.AddWithValue("$now", Iso(now));
        command.Parameters.AddWithValue("$all", includeLeased ? 1 : 0);
        command.Parameters.AddWithValue("$limit", limit);
        var claimed = new List<(string, long)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                claimed.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }

        var result = new List<StoredActivity>(claimed.Count);
        foreach (var (conversationId, seq) in claimed)
        {
            var read = database.Prepared(transaction, "SELECT seq, json FROM activities WHERE conversation_id = $c AND seq = $s");
            read.Parameters.AddWithValue("$c", conversationId);
            read.Parameters.AddWithValue("$s", seq);
            await using var reader = await read.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                result.Add(new StoredActivity(reader.GetInt64(0), Document<Activity>(reader, 1)));
            }
        }

        return [.. result.OrderBy(r => r.Activity.Timestamp).ThenBy(r => r.Sequence)];
    }

    private const string ProcessedSql = "UPDATE turns SET processed_at = $at, outcome = $o, reason = $r WHERE conversation_id = $c AND seq = $s AND processed_at IS NULL";

    private void BindProcessed(SqliteCommand command, string conversationId, long sequence, TurnOutcome? outcome)
    {
        command.Parameters.AddWithValue("$at", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$o", (object?)outcome?.Outcome ?? DBNull.Value);
        command.Parameters.AddWithValue("$r", (object?)outcome?.Reason ?? DBNull.Value);
        command.Parameters.AddWithValue("$c", conversationId);
        command.Parameters.AddWithValue("$s", sequence);
    }

    public async Task<IReadOnlyList<StoredActivity>> ListUnprocessedAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT a.seq, a.json FROM turns t JOIN activities a ON a.conversation_id = t.conversation_id AND a.seq = t.seq
            WHERE t.processed_at IS NULL ORDER BY a.ts, a.seq
            """;
        var result = new List<StoredActivity>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(new StoredActivity(reader.GetInt64(0), Document<Activity>(reader, 1)));
        }

        return result;
    }

    private async Task<StoredActivity> AppendAsync(string conversationId, Activity activity, bool awaitingTurn, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(activity);
        return await database.WriteAsync((_, transaction) => AppendAsync(transaction, conversationId, activity, awaitingTurn, ct), ct);
    }

    public async Task<IReadOnlyList<StoredActivity>> CompleteTurnAsync(
        ConversationState state, IReadOnlyList<Activity> replies, long? processedSequence, FeedbackRecord? feedback, TurnOutcome? outcome = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(replies);
        return await database.WriteAsync((_, transaction) => CompleteTurnAsync(transaction, state, replies, processedSequence, feedback, outcome, ct), ct);
    }

    private async Task<IReadOnlyList<StoredActivity>> CompleteTurnAsync(
        SqliteTransaction transaction, ConversationState state, IReadOnlyList<Activity> replies, long? processedSequence, FeedbackRecord? feedback, TurnOutcome? outcome, CancellationToken ct)
    {
        if (processedSequence is { } sequence)
        {
            // First the marker: when another instance completed this turn already, nothing is stored (no second answer).
            var mark = database.Prepared(transaction, ProcessedSql);
            BindProcessed(mark, state.ConversationId, sequence, outcome);
            if (await mark.ExecuteNonQueryAsync(ct) == 0)
            {
                return [];
            }
        }

        await SaveAsync(transaction, state, ct);

        if (feedback is not null)
        {
            var command = database.Prepared(transaction, FeedbackSql);
            BindFeedback(command, feedback);
            await command.ExecuteNonQueryAsync(ct);
        }

        var stored = new List<StoredActivity>(replies.Count);
        foreach (var reply in replies)
        {
            stored.Add(await AppendAsync(transaction, state.ConversationId, reply, awaitingTurn: false, ct));
        }

        return stored;
    }

    /// <summary>
    /// Appends inside the caller's transaction: the next sequence number and a strictly increasing timestamp. A conversation
    /// that is not there (erased meanwhile) gets nothing: <see cref="ConversationNotFoundException"/>.
    /// </summary>
    private async Task<StoredActivity> AppendAsync(SqliteTransaction transaction, string conversationId, Activity activity, bool awaitingTurn, CancellationToken ct)
    {
        long seq = 1;
        var now = Truncate(time.GetUtcNow());
        {
            // The last activity's sequence and time; its reader is closed before the insert below.
            var last = database.Prepared(transaction, """
                SELECT a.seq, a.ts FROM conversations c
                LEFT JOIN (SELECT seq, ts FROM activities WHERE conversation_id = $c ORDER BY seq DESC LIMIT 1) a ON 1
                WHERE c.id = $c
                """);
            last.Parameters.AddWithValue("$c", conversationId);
            await using var reader = await last.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                throw new ConversationNotFoundException(conversationId);
            }

            if (!reader.IsDBNull(0))
            {
                seq = reader.GetInt64(0) + 1;
                var previous = DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture);
                if (now <= previous)
                {
                    now = previous.AddMilliseconds(1);
                }
            }
        }

        var stamped = activity with
        {
            Id = ActivityIds.Of(conversationId, seq),
            Timestamp = now,
            Conversation = (activity.Conversation ?? new ConversationAccount(conversationId)) with { Id = conversationId },
        };

        var insert = database.Prepared(transaction, "INSERT INTO activities (conversation_id, seq, ts, json) VALUES ($c, $s, $t, CAST($j AS TEXT))");
        insert.Parameters.AddWithValue("$c", conversationId);
        insert.Parameters.AddWithValue("$s", seq);
        insert.Parameters.AddWithValue("$t", now.ToString("O", CultureInfo.InvariantCulture));
        insert.Parameters.AddWithValue("$j", JsonSerializer.SerializeToUtf8Bytes(stamped, Json));
        await insert.ExecuteNonQueryAsync(ct);

        if (awaitingTurn)
        {
            var turn = database.Prepared(transaction, "INSERT INTO turns (conversation_id, seq, claimed_by, lease_until) VALUES ($c, $s, $me, $until)");
            turn.Parameters.AddWithValue("$me", _options.InstanceId);
            turn.Parameters.AddWithValue("$until", Iso(time.GetUtcNow() + _options.Lease));
            turn.Parameters.AddWithValue("$c", conversationId);
            turn.Parameters.AddWithValue("$s", seq);
            await turn.ExecuteNonQueryAsync(ct);
        }

        return new StoredActivity(seq, stamped);
    }

    public async Task<TranscriptSize> GetTranscriptSizeAsync(string conversationId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT count(*) FILTER (WHERE json_extract(json, '$.type') = 'message'), coalesce(max(seq), 0)
            FROM activities WHERE conversation_id = $c
            """;
        command.Parameters.AddWithValue("$c", conversationId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new TranscriptSize(reader.GetInt32(0), reader.GetInt64(1));
    }

    public async Task<IReadOnlyList<StoredActivity>> GetActivitiesAsync(string conversationId, long afterSequence, int limit = 500, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, json FROM activities WHERE conversation_id = $c AND seq > $after ORDER BY seq LIMIT $limit";
        command.Parameters.AddWithValue("$c", conversationId);
        command.Parameters.AddWithValue("$after", afterSequence);
        command.Parameters.AddWithValue("$limit", limit);
        var result = new List<StoredActivity>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(new StoredActivity(reader.GetInt64(0), Document<Activity>(reader, 1)));
        }

        return result;
    }

    public async Task<IReadOnlyList<ConversationState>> ListByHandoffAsync(IReadOnlyCollection<HandoffState> states, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(states);
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        var names = states.Select((s, i) => (Name: $"$s{i}", Value: s.ToString())).ToList();
        command.CommandText = $"SELECT state_json, version FROM conversations WHERE handoff IN ({string.Join(", ", names.Select(n => n.Name))}) ORDER BY priority DESC, escalated_at";
        foreach (var (name, value) in names)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = new List<ConversationState>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(Read(reader));
        }

        return result;
    }

    public async Task AddFeedbackAsync(FeedbackRecord feedback, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        await WriteOneAsync(FeedbackSql, command => BindFeedback(command, feedback), ct);
    }

    private const string FeedbackSql = """
        INSERT INTO feedback (conversation_id, activity_id, reaction, question, outcome, cited_json, at)
        VALUES ($c, $a, $r, $q, $o, $cited, $at)
        """;

    private static void BindFeedback(SqliteCommand command, FeedbackRecord feedback)
    {
        command.Parameters.AddWithValue("$c", feedback.ConversationId);
        command.Parameters.AddWithValue("$a", feedback.ActivityId);
        command.Parameters.AddWithValue("$r", feedback.Reaction);
        command.Parameters.AddWithValue("$q", (object?)feedback.Question ?? DBNull.Value);
        command.Parameters.AddWithValue("$o", (object?)feedback.Outcome ?? DBNull.Value);
        command.Parameters.AddWithValue("$cited", JsonSerializer.Serialize(feedback.CitedPassages, Json));
        command.Parameters.AddWithValue("$at", feedback.At.ToString("O", CultureInfo.InvariantCulture));
    }

    public async Task<IReadOnlyList<FeedbackRecord>> GetFeedbackAsync(string conversationId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT activity_id, reaction, question, outcome, cited_json, at FROM feedback WHERE conversation_id = $c ORDER BY id";
        command.Parameters.AddWithValue("$c", conversationId);
        var result = new List<FeedbackRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(new FeedbackRecord(
                conversationId,
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                JsonSerializer.Deserialize<List<string>>(reader.GetString(4), Json) ?? [],
                DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture)));
        }

        return result;
    }

    private static void Bind(SqliteCommand command, ConversationState state)
    {
        command.Parameters.AddWithValue("$id", state.ConversationId);
        command.Parameters.AddWithValue("$user", state.UserId);
        command.Parameters.AddWithValue("$handoff", state.Handoff.ToString());
        command.Parameters.AddWithValue("$priority", state.Escalation?.Priority ?? 0);
        command.Parameters.AddWithValue("$escalated", (object?)state.Escalation?.At.ToString("O", CultureInfo.InvariantCulture) ?? DBNull.Value);
        command.Parameters.AddWithValue("$created", state.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$updated", state.UpdatedAt.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$json", JsonSerializer.SerializeToUtf8Bytes(state, Json));
    }

    private static ConversationState Read(SqliteDataReader reader) =>
        Document<ConversationState>(reader, 0) with { Version = reader.GetInt64(1) };

    /// <summary>
    /// A JSON column read as the UTF-8 bytes SQLite keeps (written as bytes and stored as TEXT through <c>CAST(... AS
    /// TEXT)</c>): activities and states go to and from the database without a UTF-16 copy each way.
    /// </summary>
    private static T Document<T>(SqliteDataReader reader, int ordinal) =>
        JsonSerializer.Deserialize<T>(reader.GetFieldValue<byte[]>(ordinal), Json)!;

    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
