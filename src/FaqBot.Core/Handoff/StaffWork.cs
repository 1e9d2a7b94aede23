using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FaqBot.Conversation;
using FaqBot.Schema;
using FaqBot.Storage;

namespace FaqBot.Handoff;

/// <summary>A staff member's internal note on a conversation: kept apart from the conversation's activities, so it can
/// never reach the patient's stream.</summary>
public sealed record StaffNote(long Id, string ConversationId, string StaffId, string StaffName, string Text, DateTimeOffset At);

/// <summary>A reply staff insert with a keystroke; admins edit the list.</summary>
public sealed record SavedReply(string Id, string Title, string Text, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>A readable reference staff can say aloud ("K7Q-2MX"): derived from the conversation id, so nothing is stored.</summary>
public static class ShortId
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // Crockford base 32: no I, L, O, U

    public static string Of(string conversationId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(conversationId ?? ""));
        var bits = BitConverter.ToUInt64(hash, 0);
        var chars = new char[6];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[(int)(bits & 31)];
            bits >>= 5;
        }

        return $"{new string(chars, 0, 3)}-{new string(chars, 3, 3)}";
    }
}

/// <summary>Internal notes in SQLite (table <c>staff_notes</c>; erased with their conversation).</summary>
public sealed class StaffNoteStore(SqliteDatabase database, TimeProvider time)
{
    public const int MaxLength = 4000;

    public Task InitializeAsync(CancellationToken ct = default) => database.ExecuteAsync(
        """
        CREATE TABLE IF NOT EXISTS staff_notes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            conversation_id TEXT NOT NULL,
            staff_id TEXT NOT NULL,
            staff_name TEXT NOT NULL,
            text TEXT NOT NULL,
            at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_staff_notes_conversation ON staff_notes(conversation_id);
        """,
        ct);

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
public sealed class SavedReplyStore(SqliteDatabase database, TimeProvider time)
{
    public const int MaxTitle = 80;
    public const int MaxText = 4000;

    public Task InitializeAsync(CancellationToken ct = default) => database.ExecuteAsync(
        """
        CREATE TABLE IF NOT EXISTS saved_replies (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL);
        """,
        ct);

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

    /// <summary>Adds a reply (no id) or changes one; null when the id does not exist.</summary>
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

/// <summary>What the history search filters on; every filter is optional.</summary>
public sealed record HistoryQuery(string? Text = null, DateTimeOffset? From = null, DateTimeOffset? To = null, string? Reason = null, string? Outcome = null, string? StaffId = null, int Limit = 100);

/// <summary>
/// Every conversation that was ever handed to staff (its state has a handoff log), newest first, searchable by
/// what was written (patient, assistant, staff, and internal notes), date, reason, outcome and staff member.
/// </summary>
public sealed class ConversationHistory(SqliteDatabase database)
{
    public async Task<IReadOnlyList<ConversationState>> SearchAsync(HistoryQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        var text = string.IsNullOrWhiteSpace(query.Text) ? null : $"%{Escape(query.Text.Trim())}%";
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
            if (Matches(state, query))
            {
                found.Add(state);
            }
        }

        return found;
    }

    /// <summary>The outcome of the last close, if the conversation was closed.</summary>
    public static string? OutcomeOf(ConversationState state) =>
        state?.HandoffLog.LastOrDefault(e => e.Kind == "closed")?.Outcome;

    private static bool Matches(ConversationState state, HistoryQuery query)
    {
        var log = state.HandoffLog;
        var first = log[0].At;
        return (query.From is not { } from || log[^1].At >= from)
            && (query.To is not { } to || first <= to)
            && (query.Reason is null || log.Any(e => e.Reason == query.Reason))
            && (query.Outcome is null || OutcomeOf(state) == query.Outcome)
            && (query.StaffId is null || log.Any(e => e.StaffId == query.StaffId || e.ToStaffId == query.StaffId));
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
