using System.Globalization;
using FaqBot.Audit;

namespace FaqBot.Storage.Sqlite;

/// <summary>
/// The audit log in the SQLite database. Append-only by construction: triggers refuse every UPDATE and
/// DELETE on the table, so neither a bug nor the retention job can rewrite it.
/// </summary>
public sealed class SqliteAuditLog(SqliteDatabase database, TimeProvider time) : IAuditLog
{
    private const int MaxField = 320;

    public Task AppendAsync(AuditRecord record, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return database.ExecuteAsync(
            "INSERT INTO audit_log (at, actor, action, outcome, target, address) VALUES ($at, $actor, $action, $outcome, $target, $address)",
            ct,
            ("$at", time.GetUtcNow().ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
            ("$actor", Cut(record.Actor)),
            ("$action", Cut(record.Action)),
            ("$outcome", Cut(record.Outcome)),
            ("$target", Cut(record.Target)),
            ("$address", Cut(record.Address)));
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int limit = 100, long? beforeId = null, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, at, actor, action, outcome, target, address FROM audit_log WHERE id < $before ORDER BY id DESC LIMIT $limit";
        command.Parameters.AddWithValue("$before", beforeId ?? long.MaxValue);
        command.Parameters.AddWithValue("$limit", Math.Clamp(limit, 1, 1000));
        var result = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(new AuditEntry(
                reader.GetInt64(0),
                DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return result;
    }

    private static string? Cut(string? value) => value is { Length: > MaxField } ? value[..MaxField] : value;
}
