using System.Globalization;
using System.Text.Json;
using FaqBot.Conversation;
using FaqBot.Privacy;
using FaqBot.Schema;

namespace FaqBot.Storage.Sqlite;

/// <summary>
/// Erasure in SQLite: one transaction, with SQLite's secure_delete so the freed pages are zeroed, then a WAL
/// checkpoint so no copy stays in the write-ahead log.
/// </summary>
public sealed class SqliteConversationEraser(SqliteDatabase database, TimeProvider time) : IConversationEraser
{
    /// <summary>
    /// Erases a conversation. With <paramref name="keepOpen"/> (the patient's own "delete my chat") the
    /// conversation goes on, empty: its state starts again and one content-free event keeps the sequence,
    /// so the patient's stream and watermarks stay valid. False when it did not exist.
    /// </summary>
    public async Task<bool> EraseAsync(string conversationId, bool keepOpen, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(conversationId);
        bool existed;
        await using (var connection = await database.OpenAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            var last = await ScalarAsync(connection, "SELECT max(seq) FROM activities WHERE conversation_id = $c", conversationId, ct) is long seq ? seq : 0;
            var state = await ScalarAsync(connection, "SELECT state_json FROM conversations WHERE id = $c", conversationId, ct) as string;
            existed = state is not null;
            await ExecuteAsync(connection, "DELETE FROM activities WHERE conversation_id = $c", conversationId, ct);
            await ExecuteAsync(connection, "DELETE FROM feedback WHERE conversation_id = $c", conversationId, ct);
            await ExecuteAsync(connection, "DELETE FROM turns WHERE conversation_id = $c", conversationId, ct);

            await ExecuteAsync(connection, "DELETE FROM callbacks WHERE conversation_id = $c", conversationId, ct);

            await ExecuteAsync(connection, "DELETE FROM staff_notes WHERE conversation_id = $c", conversationId, ct);

            await ExecuteAsync(connection, "DELETE FROM bot_connector_conversations WHERE conversation_id = $c", conversationId, ct);
            await ExecuteAsync(connection, "DELETE FROM bot_connector_activities WHERE substr(local_id, 1, length($c) + 1) = $c || '|'", conversationId, ct);

            if (keepOpen && state is not null)
            {
                var old = JsonSerializer.Deserialize<ConversationState>(state, ActivityJson.Options)!;
                var now = time.GetUtcNow();
                var fresh = new ConversationState { ConversationId = conversationId, UserId = old.UserId, CreatedAt = old.CreatedAt, UpdatedAt = now };
                await using (var save = connection.CreateCommand())
                {
                    save.CommandText = "UPDATE conversations SET handoff = $h, priority = 0, escalated_at = NULL, updated_at = $u, state_json = $j, version = version + 1 WHERE id = $c";
                    save.Parameters.AddWithValue("$c", conversationId);
                    save.Parameters.AddWithValue("$h", fresh.Handoff.ToString());
                    save.Parameters.AddWithValue("$u", now.ToString("O", CultureInfo.InvariantCulture));
                    save.Parameters.AddWithValue("$j", JsonSerializer.Serialize(fresh, ActivityJson.Options));
                    await save.ExecuteNonQueryAsync(ct);
                }

                if (last > 0)
                {
                    var marker = IConversationEraser.ErasedMarker(conversationId, last, now);
                    await using var insert = connection.CreateCommand();
                    insert.CommandText = "INSERT INTO activities (conversation_id, seq, ts, json) VALUES ($c, $s, $t, $j)";
                    insert.Parameters.AddWithValue("$c", conversationId);
                    insert.Parameters.AddWithValue("$s", last);
                    insert.Parameters.AddWithValue("$t", now.ToString("O", CultureInfo.InvariantCulture));
                    insert.Parameters.AddWithValue("$j", JsonSerializer.Serialize(marker, ActivityJson.Options));
                    await insert.ExecuteNonQueryAsync(ct);
                }
            }
            else
            {
                await ExecuteAsync(connection, "DELETE FROM conversations WHERE id = $c", conversationId, ct);
            }

            await transaction.CommitAsync(ct);
        }

        await CheckpointAsync(ct);
        return existed;
    }

    /// <summary>The conversations not updated since <paramref name="cutoff"/>.</summary>
    public async Task<IReadOnlyList<string>> ExpiredAsync(DateTimeOffset cutoff, CancellationToken ct = default)
    {
        var expired = new List<string>();
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM conversations WHERE updated_at < $cutoff";
        command.Parameters.AddWithValue("$cutoff", Iso(cutoff));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            expired.Add(reader.GetString(0));
        }

        return expired;
    }

    /// <summary>Deletes callback requests and feedback older than <paramref name="cutoff"/>, whatever their conversation.</summary>
    public async Task DeleteOldRecordsAsync(DateTimeOffset cutoff, CancellationToken ct = default)
    {
        await using (var connection = await database.OpenAsync(ct))
        {
            await ExecuteAsync(connection, "DELETE FROM feedback WHERE at < $c", Iso(cutoff), ct);
            await ExecuteAsync(connection, "DELETE FROM callbacks WHERE created_at < $c", Iso(cutoff), ct);
        }

        await CheckpointAsync(ct);
    }

    private static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private async Task CheckpointAsync(CancellationToken ct)
    {
        try
        {
            await database.ScalarAsync("PRAGMA wal_checkpoint(TRUNCATE)", ct);
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // Busy: the next checkpoint (automatic or ours) overwrites the log; the rows are already gone.
        }
    }

    private static async Task<object?> ScalarAsync(Microsoft.Data.Sqlite.SqliteConnection connection, string sql, string value, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$c", value);
        return await command.ExecuteScalarAsync(ct);
    }

    private static async Task ExecuteAsync(Microsoft.Data.Sqlite.SqliteConnection connection, string sql, string value, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$c", value);
        await command.ExecuteNonQueryAsync(ct);
    }
}
