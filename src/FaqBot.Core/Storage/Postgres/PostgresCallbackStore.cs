using System.Data.Common;
using FaqBot.Handoff;

namespace FaqBot.Storage.Postgres;

/// <summary>Callback requests in PostgreSQL.</summary>
public sealed class PostgresCallbackStore(PostgresDatabase database) : ICallbackStore
{
    private const string Columns = "id, conversation_id, name, contact, consent, created_at, done_at, done_by";

    public async Task<bool> AddAsync(CallbackRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await database.ExecuteAsync(
            $"""
            INSERT INTO callbacks ({Columns}) SELECT @id, @c, @name, @contact, @consent, @created, NULL, NULL
            WHERE NOT EXISTS (SELECT 1 FROM callbacks WHERE conversation_id = @c AND name = @name AND contact = @contact AND done_at IS NULL)
            """,
            new { id = request.Id, c = request.ConversationId, name = request.Name, contact = request.Contact, consent = request.Consent, created = request.CreatedAt.Utc() },
            ct) == 1;
    }

    public async Task<CallbackRequest?> GetAsync(string id, CancellationToken ct = default) =>
        (await database.QueryAsync($"SELECT {Columns} FROM callbacks WHERE id = @id", new { id }, Read, ct)).SingleOrDefault();

    public async Task<IReadOnlyList<CallbackRequest>> ListAsync(int limit = 200, CancellationToken ct = default) =>
        await database.QueryAsync(
            $"SELECT {Columns} FROM callbacks ORDER BY done_at IS NOT NULL, CASE WHEN done_at IS NULL THEN created_at END, done_at DESC LIMIT @limit",
            new { limit },
            Read,
            ct);

    public async Task<bool> MarkDoneAsync(string id, string doneBy, DateTimeOffset at, CancellationToken ct = default) =>
        await database.ExecuteAsync("UPDATE callbacks SET done_at = @at, done_by = @by WHERE id = @id AND done_at IS NULL", new { id, by = doneBy, at = at.Utc() }, ct) == 1;

    public async Task<bool> MarkOpenAsync(string id, CancellationToken ct = default) =>
        await database.ExecuteAsync("UPDATE callbacks SET done_at = NULL, done_by = NULL WHERE id = @id AND done_at IS NOT NULL", new { id }, ct) == 1;

    private static CallbackRequest Read(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetBoolean(4), r.At(5), r.AtOrNull(6), r.TextOrNull(7));
}
