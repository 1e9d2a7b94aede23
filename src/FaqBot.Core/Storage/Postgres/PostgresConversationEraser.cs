using System.Text.Json;
using FaqBot.Conversation;
using FaqBot.Privacy;
using FaqBot.Schema;
using Npgsql;

namespace FaqBot.Storage.Postgres;

/// <summary>
/// Erasure in PostgreSQL: every row of the conversation in one transaction (the conversation row locked first, so
/// no append of another instance interleaves). Dead tuples are reclaimed by autovacuum; the database's own backups
/// and WAL archive are the operator's to expire.
/// </summary>
public sealed class PostgresConversationEraser(PostgresDatabase database, TimeProvider time) : IConversationEraser
{
    public async Task<bool> EraseAsync(string conversationId, bool keepOpen, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(conversationId);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        string? state = null;
        long last = 0;
        await using (var read = new NpgsqlCommand("SELECT state_json, last_seq FROM conversations WHERE id = @c FOR UPDATE", connection, transaction))
        {
            read.Parameters.AddWithValue("c", conversationId);
            await using var reader = await read.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                state = reader.GetString(0);
                last = reader.GetInt64(1);
            }
        }

        await using (var delete = new NpgsqlCommand(
            """
            DELETE FROM activities WHERE conversation_id = @c;
            DELETE FROM feedback WHERE conversation_id = @c;
            DELETE FROM turns WHERE conversation_id = @c;
            DELETE FROM callbacks WHERE conversation_id = @c;
            DELETE FROM staff_notes WHERE conversation_id = @c;
            DELETE FROM bot_connector_conversations WHERE conversation_id = @c;
            DELETE FROM bot_connector_activities WHERE starts_with(local_id, @c || '|');
            """,
            connection,
            transaction))
        {
            delete.Parameters.AddWithValue("c", conversationId);
            await delete.ExecuteNonQueryAsync(ct);
        }

        if (keepOpen && state is not null)
        {
            var old = JsonSerializer.Deserialize<ConversationState>(state, ActivityJson.Options)!;
            var now = time.GetUtcNow();
            var fresh = new ConversationState { ConversationId = conversationId, UserId = old.UserId, CreatedAt = old.CreatedAt, UpdatedAt = now };
            await using var save = new NpgsqlCommand(
                $"""
                UPDATE conversations SET handoff = @h, priority = 0, escalated_at = NULL, owner_id = NULL, updated_at = @u, state_json = @j,
                    version = version + 1 WHERE id = @c;
                SELECT pg_notify('{PostgresConversationStore.QueueChannel}', @c);
                """,
                connection,
                transaction);
            save.Parameters.AddWithValue("c", conversationId);
            save.Parameters.AddWithValue("h", fresh.Handoff.ToString());
            save.Parameters.AddWithValue("u", now.Utc());
            save.Parameters.AddWithValue("j", JsonSerializer.Serialize(fresh, ActivityJson.Options));
            await save.ExecuteNonQueryAsync(ct);
            if (last > 0)
            {
                var marker = IConversationEraser.ErasedMarker(conversationId, last, now);
                await using var insert = new NpgsqlCommand("INSERT INTO activities (conversation_id, seq, ts, json) VALUES (@c, @s, @t, @j)", connection, transaction);
                insert.Parameters.AddWithValue("c", conversationId);
                insert.Parameters.AddWithValue("s", last);
                insert.Parameters.AddWithValue("t", now.Utc());
                insert.Parameters.AddWithValue("j", JsonSerializer.Serialize(marker, ActivityJson.Options));
                await insert.ExecuteNonQueryAsync(ct);
            }
        }
        else if (state is not null)
        {
            await using var delete = new NpgsqlCommand($"DELETE FROM conversations WHERE id = @c; SELECT pg_notify('{PostgresConversationStore.QueueChannel}', @c);", connection, transaction);
            delete.Parameters.AddWithValue("c", conversationId);
            await delete.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return state is not null;
    }

    public async Task<IReadOnlyList<string>> ExpiredAsync(DateTimeOffset cutoff, CancellationToken ct = default) =>
        await database.QueryAsync("SELECT id FROM conversations WHERE updated_at < @cutoff", new { cutoff = cutoff.Utc() }, r => r.GetString(0), ct);

    public Task DeleteOldRecordsAsync(DateTimeOffset cutoff, CancellationToken ct = default) =>
        database.ExecuteAsync("DELETE FROM feedback WHERE at < @c; DELETE FROM callbacks WHERE created_at < @c;", new { c = cutoff.Utc() }, ct);
}
