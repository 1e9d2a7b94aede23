using System.Security.Cryptography;
using System.Text.Json;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;

namespace FaqBot.Storage.Postgres;

/// <summary>Internal notes in PostgreSQL (erased with their conversation).</summary>
public sealed class PostgresStaffNoteStore(PostgresDatabase database, TimeProvider time) : IStaffNoteStore
{
    public async Task<StaffNote> AddAsync(string conversationId, StaffRef staff, string text, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(staff);
        var at = time.GetUtcNow();
        var id = await database.ScalarAsync<long>(
            "INSERT INTO staff_notes (conversation_id, staff_id, staff_name, text, at) VALUES (@c, @s, @n, @t, @at) RETURNING id",
            new { c = conversationId, s = staff.Id, n = staff.Name, t = text, at = at.Utc() },
            ct);
        return new StaffNote(id, conversationId, staff.Id, staff.Name, text, at);
    }

    public async Task<IReadOnlyList<StaffNote>> ListAsync(string conversationId, CancellationToken ct = default) =>
        await database.QueryAsync(
            "SELECT id, staff_id, staff_name, text, at FROM staff_notes WHERE conversation_id = @c ORDER BY id",
            new { c = conversationId },
            r => new StaffNote(r.GetInt64(0), conversationId, r.GetString(1), r.GetString(2), r.GetString(3), r.At(4)),
            ct);
}

/// <summary>Saved replies in PostgreSQL.</summary>
public sealed class PostgresSavedReplyStore(PostgresDatabase database, TimeProvider time) : ISavedReplyStore
{
    public async Task<IReadOnlyList<SavedReply>> ListAsync(CancellationToken ct = default) =>
        await database.QueryAsync(
            "SELECT id, title, text, updated_at, updated_by FROM saved_replies ORDER BY lower(title), id",
            null,
            r => new SavedReply(r.GetString(0), r.GetString(1), r.GetString(2), r.At(3), r.GetString(4)),
            ct);

    public async Task<SavedReply?> SaveAsync(string? id, string title, string text, string staffId, CancellationToken ct = default)
    {
        var at = time.GetUtcNow();
        var key = id ?? $"sr_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        var sql = id is null
            ? "INSERT INTO saved_replies (id, title, text, updated_at, updated_by) VALUES (@id, @title, @text, @at, @by)"
            : "UPDATE saved_replies SET title = @title, text = @text, updated_at = @at, updated_by = @by WHERE id = @id";
        var changed = await database.ExecuteAsync(sql, new { id = key, title, text, at = at.Utc(), by = staffId }, ct);
        return changed == 1 ? new SavedReply(key, title, text, at, staffId) : null;
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct = default) =>
        await database.ExecuteAsync("DELETE FROM saved_replies WHERE id = @id", new { id }, ct) == 1;
}

/// <summary>The history search in PostgreSQL (jsonb over the stored state and activities).</summary>
public sealed class PostgresConversationHistory(PostgresDatabase database) : IConversationHistory
{
    public async Task<IReadOnlyList<ConversationState>> SearchAsync(HistoryQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = string.IsNullOrWhiteSpace(query.Text) ? null : ConversationHistory.LikePattern(query.Text.Trim());
        var states = await database.QueryAsync(
            $"""
            SELECT c.state_json, c.version FROM conversations c
            WHERE jsonb_array_length(coalesce(c.state_json::jsonb -> 'handoffLog', '[]'::jsonb)) > 0
            {(text is null ? "" : """
                AND (EXISTS (SELECT 1 FROM activities a WHERE a.conversation_id = c.id AND a.json::jsonb ->> 'text' ILIKE @q ESCAPE '\')
                     OR EXISTS (SELECT 1 FROM staff_notes n WHERE n.conversation_id = c.id AND n.text ILIKE @q ESCAPE '\'))
                """)}
            ORDER BY c.updated_at DESC
            """,
            new { q = text },
            r => JsonSerializer.Deserialize<ConversationState>(r.GetString(0), ActivityJson.Options)! with { Version = r.GetInt64(1) },
            ct);
        return [.. states.Where(s => ConversationHistory.Matches(s, query)).Take(Math.Clamp(query.Limit, 1, 500))];
    }
}
