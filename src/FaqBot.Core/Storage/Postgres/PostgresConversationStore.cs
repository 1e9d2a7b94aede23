using System.Text.Json;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using Npgsql;
using NpgsqlTypes;

namespace FaqBot.Storage.Postgres;

/// <summary>
/// Conversations in PostgreSQL, for several instances. The conversation row is the lock: appending takes its next
/// sequence number and timestamp with an UPDATE of that row (<c>last_seq</c>, <c>last_ts</c>) inside the appending
/// transaction, and (conversation_id, seq) is the primary key; a state is saved only over the version it was read at.
/// Every append announces itself with <c>pg_notify('faqbot_activity', 'conversationId:lastSequence')</c> and every
/// change of handoff state, owner or priority with <c>pg_notify('faqbot_queue', conversationId)</c>, in the same
/// transaction (so a listener hears of it only once it is committed). Payloads never hold text.
/// </summary>
public sealed class PostgresConversationStore(PostgresDatabase database, TimeProvider time, StorageOptions? options = null) : IConversationStore
{
    public const string ActivityChannel = "faqbot_activity";
    public const string QueueChannel = "faqbot_queue";

    private static readonly JsonSerializerOptions Json = ActivityJson.Options;
    private readonly StorageOptions _options = options ?? new StorageOptions();

    public async Task<bool> CreateAsync(ConversationState state, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        await using var connection = await database.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO conversations (id, user_id, handoff, priority, escalated_at, owner_id, created_at, updated_at, state_json)
            VALUES (@id, @user, @handoff, @priority, @escalated, @owner, @created, @updated, @json)
            ON CONFLICT (id) DO NOTHING
            """,
            connection);
        Bind(command, state);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<ConversationState?> GetAsync(string conversationId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT state_json, version FROM conversations WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", conversationId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public async Task<string?> GetUserIdAsync(string conversationId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT user_id FROM conversations WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", conversationId);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    public async Task<ConversationState> SaveAsync(ConversationState state, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var saved = await SaveAsync(connection, transaction, state, ct);
        await transaction.CommitAsync(ct);
        return saved;
    }

    /// <summary>Locks the row, checks the version, saves, and announces a queue change; throws on a conflict.</summary>
    private static async Task<ConversationState> SaveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ConversationState state, CancellationToken ct)
    {
        bool queueChanged;
        await using (var current = new NpgsqlCommand("SELECT version, handoff, owner_id, priority, escalated_at FROM conversations WHERE id = @id FOR UPDATE", connection, transaction))
        {
            current.Parameters.AddWithValue("id", state.ConversationId);
            await using var reader = await current.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                throw new ConversationNotFoundException(state.ConversationId);
            }

            if (reader.GetInt64(0) != state.Version)
            {
                throw new ConcurrencyConflictException(state.ConversationId);
            }

            queueChanged = reader.GetString(1) != state.Handoff.ToString()
                || (reader.IsDBNull(2) ? null : reader.GetString(2)) != state.Owner?.Id
                || reader.GetInt32(3) != (state.Escalation?.Priority ?? 0)
                || (reader.IsDBNull(4) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(4)) != Micro(state.Escalation?.At);
        }

        await using var update = new NpgsqlCommand(
            $"""
            UPDATE conversations SET handoff = @handoff, priority = @priority, escalated_at = @escalated, owner_id = @owner,
                updated_at = @updated, state_json = @json, version = version + 1
            WHERE id = @id;
            {(queueChanged ? $"SELECT pg_notify('{QueueChannel}', @id);" : "")}
            """,
            connection,
            transaction);
        Bind(update, state);
        await update.ExecuteNonQueryAsync(ct);
        return state with { Version = state.Version + 1 };
    }

    public Task<StoredActivity> AppendAsync(string conversationId, Activity activity, CancellationToken ct = default) =>
        AppendOneAsync(conversationId, activity, awaitingTurn: false, ct);

    public Task<StoredActivity> AppendIncomingAsync(string conversationId, Activity activity, CancellationToken ct = default) =>
        AppendOneAsync(conversationId, activity, awaitingTurn: true, ct);

    private async Task<StoredActivity> AppendOneAsync(string conversationId, Activity activity, bool awaitingTurn, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(activity);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var stored = await AppendAsync(connection, transaction, conversationId, activity, awaitingTurn, ct);
        await NotifyActivityAsync(connection, transaction, conversationId, stored.Sequence, ct);
        await transaction.CommitAsync(ct);
        return stored;
    }

    public async Task<IReadOnlyList<StoredActivity>> CompleteTurnAsync(
        ConversationState state, IReadOnlyList<Activity> replies, long? processedSequence, FeedbackRecord? feedback, TurnOutcome? outcome = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(replies);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (processedSequence is { } sequence && !await MarkProcessedAsync(connection, transaction, state.ConversationId, sequence, outcome, ct))
        {
            return []; // another instance completed this turn: nothing is said twice
        }

        await SaveAsync(connection, transaction, state, ct);
        if (feedback is not null)
        {
            await using var command = new NpgsqlCommand(FeedbackSql, connection, transaction);
            BindFeedback(command, feedback);
            await command.ExecuteNonQueryAsync(ct);
        }

        var stored = new List<StoredActivity>(replies.Count);
        foreach (var reply in replies)
        {
            stored.Add(await AppendAsync(connection, transaction, state.ConversationId, reply, awaitingTurn: false, ct));
        }

        if (stored.Count > 0)
        {
            await NotifyActivityAsync(connection, transaction, state.ConversationId, stored[^1].Sequence, ct);
        }

        await transaction.CommitAsync(ct);
        return stored;
    }

    public async Task MarkProcessedAsync(string conversationId, long sequence, TurnOutcome? outcome = null, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await MarkProcessedAsync(connection, null, conversationId, sequence, outcome, ct);
    }

    private async Task<bool> MarkProcessedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string conversationId, long sequence, TurnOutcome? outcome, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "UPDATE turns SET processed_at = @at, outcome = @o, reason = @r WHERE conversation_id = @c AND seq = @s AND processed_at IS NULL",
            connection,
            transaction);
        command.Parameters.AddWithValue("at", time.GetUtcNow());
        command.Parameters.Add(new NpgsqlParameter<string?>("o", NpgsqlDbType.Text) { TypedValue = outcome?.Outcome });
        command.Parameters.Add(new NpgsqlParameter<string?>("r", NpgsqlDbType.Text) { TypedValue = outcome?.Reason });
        command.Parameters.AddWithValue("c", conversationId);
        command.Parameters.AddWithValue("s", sequence);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<IReadOnlyList<StoredActivity>> ListUnprocessedAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            """
            SELECT a.seq, a.json FROM turns t JOIN activities a ON a.conversation_id = t.conversation_id AND a.seq = t.seq
            WHERE t.processed_at IS NULL ORDER BY a.ts, a.seq
            """,
            connection);
        return await ReadActivitiesAsync(command, ct);
    }

    public async Task<IReadOnlyList<StoredActivity>> ClaimUnprocessedAsync(bool includeLeased = false, int limit = 100, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            """
            WITH due AS (
                SELECT conversation_id, seq FROM turns
                WHERE processed_at IS NULL AND (@all OR lease_until IS NULL OR lease_until < @now)
                ORDER BY conversation_id, seq LIMIT @limit
                FOR UPDATE SKIP LOCKED),
            claimed AS (
                UPDATE turns t SET claimed_by = @me, lease_until = @until FROM due
                WHERE t.conversation_id = due.conversation_id AND t.seq = due.seq
                RETURNING t.conversation_id, t.seq)
            SELECT a.seq, a.json FROM claimed c JOIN activities a ON a.conversation_id = c.conversation_id AND a.seq = c.seq
            ORDER BY a.ts, a.seq
            """,
            connection);
        command.Parameters.AddWithValue("all", includeLeased);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("until", now + _options.Lease);
        command.Parameters.AddWithValue("me", _options.InstanceId);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadActivitiesAsync(command, ct);
    }

    /// <summary>
    /// Appends inside the caller's transaction. The UPDATE of the conversation row takes its lock (appenders of one
    /// conversation queue behind each other) and gives the next sequence number and a strictly increasing timestamp.
    /// </summary>
    private async Task<StoredActivity> AppendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string conversationId, Activity activity, bool awaitingTurn, CancellationToken ct)
    {
        long seq;
        DateTimeOffset now;
        await using (var next = new NpgsqlCommand(
            """
            UPDATE conversations SET last_seq = last_seq + 1,
                last_ts = CASE WHEN last_ts IS NULL OR @now > last_ts THEN @now ELSE last_ts + interval '1 millisecond' END
            WHERE id = @c RETURNING last_seq, last_ts
            """,
            connection,
            transaction))
        {
            next.Parameters.AddWithValue("c", conversationId);
            next.Parameters.AddWithValue("now", Truncate(time.GetUtcNow()));
            await using var reader = await next.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                throw new ConversationNotFoundException(conversationId);
            }

            seq = reader.GetInt64(0);
            now = reader.GetFieldValue<DateTimeOffset>(1);
        }

        var stamped = activity with
        {
            Id = ActivityIds.Of(conversationId, seq),
            Timestamp = now,
            Conversation = (activity.Conversation ?? new ConversationAccount(conversationId)) with { Id = conversationId },
        };

        await using var insert = new NpgsqlCommand(
            awaitingTurn
                ? """
                  INSERT INTO activities (conversation_id, seq, ts, json) VALUES (@c, @s, @t, @j);
                  INSERT INTO turns (conversation_id, seq, claimed_by, lease_until) VALUES (@c, @s, @me, @until);
                  """
                : "INSERT INTO activities (conversation_id, seq, ts, json) VALUES (@c, @s, @t, @j)",
            connection,
            transaction);
        insert.Parameters.AddWithValue("c", conversationId);
        insert.Parameters.AddWithValue("s", seq);
        insert.Parameters.AddWithValue("t", now);
        insert.Parameters.AddWithValue("j", JsonSerializer.Serialize(stamped, Json));
        if (awaitingTurn)
        {
            insert.Parameters.AddWithValue("me", _options.InstanceId);
            insert.Parameters.AddWithValue("until", time.GetUtcNow() + _options.Lease);
        }

        await insert.ExecuteNonQueryAsync(ct);
        return new StoredActivity(seq, stamped);
    }

    private static async Task NotifyActivityAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string conversationId, long lastSequence, CancellationToken ct)
    {
        await using var notify = new NpgsqlCommand($"SELECT pg_notify('{ActivityChannel}', @c || ':' || @s::text)", connection, transaction);
        notify.Parameters.AddWithValue("c", conversationId);
        notify.Parameters.AddWithValue("s", lastSequence);
        await notify.ExecuteNonQueryAsync(ct);
    }

    public async Task<TranscriptSize> GetTranscriptSizeAsync(string conversationId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE json::json ->> 'type' = 'message'), coalesce(max(seq), 0) FROM activities WHERE conversation_id = @c",
            connection);
        command.Parameters.AddWithValue("c", conversationId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new TranscriptSize((int)reader.GetInt64(0), reader.GetInt64(1));
    }

    public async Task<IReadOnlyList<StoredActivity>> GetActivitiesAsync(string conversationId, long afterSequence, int limit = 500, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT seq, json FROM activities WHERE conversation_id = @c AND seq > @after ORDER BY seq LIMIT @limit", connection);
        command.Parameters.AddWithValue("c", conversationId);
        command.Parameters.AddWithValue("after", afterSequence);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadActivitiesAsync(command, ct);
    }

    public async Task<IReadOnlyList<ConversationState>> ListByHandoffAsync(IReadOnlyCollection<HandoffState> states, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(states);
        await using var connection = await database.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT state_json, version FROM conversations WHERE handoff = ANY(@states) ORDER BY priority DESC, escalated_at NULLS FIRST", connection);
        command.Parameters.AddWithValue("states", states.Select(s => s.ToString()).ToArray());
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
        await using var connection = await database.OpenAsync(ct);
        await using var command = new NpgsqlCommand(FeedbackSql, connection);
        BindFeedback(command, feedback);
        await command.ExecuteNonQueryAsync(ct);
    }

    private const string FeedbackSql = """
        INSERT INTO feedback (conversation_id, activity_id, reaction, question, outcome, cited_json, at)
        VALUES (@c, @a, @r, @q, @o, @cited, @at)
        """;

    private static void BindFeedback(NpgsqlCommand command, FeedbackRecord feedback)
    {
        command.Parameters.AddWithValue("c", feedback.ConversationId);
        command.Parameters.AddWithValue("a", feedback.ActivityId);
        command.Parameters.AddWithValue("r", feedback.Reaction);
        command.Parameters.Add(new NpgsqlParameter<string?>("q", NpgsqlDbType.Text) { TypedValue = feedback.Question });
        command.Parameters.Add(new NpgsqlParameter<string?>("o", NpgsqlDbType.Text) { TypedValue = feedback.Outcome });
        command.Parameters.AddWithValue("cited", JsonSerializer.Serialize(feedback.CitedPassages, Json));
        command.Parameters.AddWithValue("at", feedback.At.ToUniversalTime());
    }

    public async Task<IReadOnlyList<FeedbackRecord>> GetFeedbackAsync(string conversationId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT activity_id, reaction, question, outcome, cited_json, at FROM feedback WHERE conversation_id = @c ORDER BY id", connection);
        command.Parameters.AddWithValue("c", conversationId);
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
                reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return result;
    }

    private static async Task<IReadOnlyList<StoredActivity>> ReadActivitiesAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var result = new List<StoredActivity>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(new StoredActivity(reader.GetInt64(0), JsonSerializer.Deserialize<Activity>(reader.GetString(1), Json)!));
        }

        return result;
    }

    private static void Bind(NpgsqlCommand command, ConversationState state)
    {
        command.Parameters.AddWithValue("id", state.ConversationId);
        command.Parameters.AddWithValue("user", state.UserId);
        command.Parameters.AddWithValue("handoff", state.Handoff.ToString());
        command.Parameters.AddWithValue("priority", state.Escalation?.Priority ?? 0);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("escalated", NpgsqlDbType.TimestampTz) { TypedValue = state.Escalation?.At.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<string?>("owner", NpgsqlDbType.Text) { TypedValue = state.Owner?.Id });
        command.Parameters.AddWithValue("created", state.CreatedAt.ToUniversalTime());
        command.Parameters.AddWithValue("updated", state.UpdatedAt.ToUniversalTime());
        command.Parameters.AddWithValue("json", JsonSerializer.Serialize(state, Json));
    }

    private static ConversationState Read(NpgsqlDataReader reader) =>
        JsonSerializer.Deserialize<ConversationState>(reader.GetString(0), Json)! with { Version = reader.GetInt64(1) };

    /// <summary>What PostgreSQL keeps of a time (microseconds, UTC), to compare with what it returns.</summary>
    private static DateTimeOffset? Micro(DateTimeOffset? t) => t is { } v ? new DateTimeOffset(v.UtcTicks - (v.UtcTicks % 10), TimeSpan.Zero) : null;

    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
