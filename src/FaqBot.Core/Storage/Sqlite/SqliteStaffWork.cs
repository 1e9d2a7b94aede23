using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;

namespace FaqBot.Storage.Sqlite;

/// <summary>Internal notes in SQLite (table <c>staff_notes</c>; erased with their conversation).</summary>
public sealed class SqliteStaffNoteStore(SqliteDatabase database, TimeProvider time) : IStaffNoteStore
{
    public async Task<StaffNote> AddAsync(string conversationId, StaffRef staff, string text, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(staff);
        var at = time.GetUtcNow();
        var id = await database.ScalarAsync(
            "INSERT INTO staff_notes (conversation_id, staff_id, staff_name, text, at) VALUES ($c, $s, $n, $t, $at) RETURNING id",
            ct,
            ("$c", conversationId),
            ("$s", staff.Id),
            ("$n", staff.Name),
            ("$t", text),
            ("$at", at.ToString("O", CultureInfo.InvariantCulture)));
        return new StaffNote((long)id!, conversationId, staff.Id, staff.Name, text, at);
    }

    public async Task<IReadOnlyList<StaffNote>> ListAsync(string conversationId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, staff_id, staff_name, text, at FROM staff_notes WHERE conversation_id = $c ORDER BY id";
        command.Parameters.AddWithValue("$c", conversationId);
        var notes = new List<StaffNote>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            notes.Add(new StaffNote(reader.GetInt64(0), conversationId, reader.GetString(1), reader.GetString(2), reader.GetString(3), DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture)));
        }

        return notes;
    }
}

/// <summary>Saved replies in SQLite (table <c>saved_replies</c>).</summary>
public sealed class SqliteSavedReplyStore(SqliteDatabase database, TimeProvider time) : ISavedReplyStore
{
    public async Task<IReadOnlyList<SavedReply>> ListAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, title, text, updated_at, updated_by FROM saved_replies ORDER BY title COLLATE NOCASE, id";
        var replies = new List<SavedReply>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            replies.Add(new SavedReply(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture), reader.GetString(4)));
        }

        return replies;
    }

    public async Task<SavedReply?> SaveAsync(string? id, string title, string text, string staffId, CancellationToken ct = default)
    {
        var at = time.GetUtcNow();
        var key = id ?? $"sr_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        var sql = id is null
            ? "INSERT INTO saved_replies (id, title, text, updated_at, updated_by) VALUES ($id, $title, $text, $at, $by)"
            : "UPDATE saved_replies SET title = $title, text = $text, updated_at = $at, updated_by = $by WHERE id = $id";
        var changed = await database.ExecuteAsync(sql, ct, ("$id", key), ("$title", title), ("$text", text), ("$at", at.ToString("O", CultureInfo.InvariantCulture)), ("$by", staffId));
        return changed == 1 ? new SavedReply(key, title, text, at, staffId) : null;
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct = default) =>
        await database.ExecuteAsync("DELETE FROM saved_replies WHERE id = $id", ct, ("$id", id)) == 1;
}

/// <summary>The history search in SQLite (JSON functions over the stored state and activities).</summary>
public sealed class SqliteConversationHistory(SqliteDatabase database) : IConversationHistory
{
    public async Task<IReadOnlyList<ConversationState>> SearchAsync(HistoryQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        var text = string.IsNullOrWhiteSpace(query.Text) ? null : ConversationHistory.LikePattern(query.Text.Trim());
        command.CommandText = $"""
            SELECT c.state_json FROM conversations c
            WHERE json_array_length(json_extract(c.state_json, '$.handoffLog')) > 0
            {(text is null ? "" : """
                AND (EXISTS (SELECT 1 FROM activities a WHERE a.conversation_id = c.id AND json_extract(a.json, '$.text') LIKE $q ESCAPE '\')
                     OR EXISTS (SELECT 1 FROM staff_notes n WHERE n.conversation_id = c.id AND n.text LIKE $q ESCAPE '\'))
                """)}
            ORDER BY c.updated_at DESC
            """;
        if (text is not null)
        {
            command.Parameters.AddWithValue("$q", text);
        }

        var found = new List<ConversationState>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct) && found.Count < Math.Clamp(query.Limit, 1, 500))
        {
            var state = JsonSerializer.Deserialize<ConversationState>(reader.GetString(0), ActivityJson.Options)!;
            if (ConversationHistory.Matches(state, query))
            {
                found.Add(state);
            }
        }

        return found;
    }
}
