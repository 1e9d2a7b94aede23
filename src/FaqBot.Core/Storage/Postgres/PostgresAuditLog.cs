using FaqBot.Audit;

namespace FaqBot.Storage.Postgres;

/// <summary>The audit log in PostgreSQL: append-only by construction (triggers refuse UPDATE, DELETE and TRUNCATE).</summary>
public sealed class PostgresAuditLog(PostgresDatabase database, TimeProvider time) : IAuditLog
{
    private const int MaxField = 320;

    public Task AppendAsync(AuditRecord record, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return database.ExecuteAsync(
            "INSERT INTO audit_log (at, actor, action, outcome, target, address) VALUES (@at, @actor, @action, @outcome, @target, @address)",
            new { at = time.GetUtcNow().Utc(), actor = Cut(record.Actor), action = Cut(record.Action), outcome = Cut(record.Outcome), target = Cut(record.Target), address = Cut(record.Address) },
            ct);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int limit = 100, long? beforeId = null, CancellationToken ct = default) =>
        await database.QueryAsync(
            "SELECT id, at, actor, action, outcome, target, address FROM audit_log WHERE id < @before ORDER BY id DESC LIMIT @limit",
            new { before = beforeId ?? long.MaxValue, limit = Math.Clamp(limit, 1, 1000) },
            r => new AuditEntry(r.GetInt64(0), r.At(1), r.GetString(2), r.GetString(3), r.GetString(4), r.TextOrNull(5), r.TextOrNull(6)),
            ct);

    private static string? Cut(string? value) => value is { Length: > MaxField } ? value[..MaxField] : value;
}
