using Dapper;
using FaqBot.Handoff;
using Npgsql;

namespace FaqBot.Storage.Postgres;

/// <summary>The Data Protection key ring in <c>data_protection_keys</c>.</summary>
public sealed class PostgresDataProtectionKeys(PostgresDatabase database, TimeProvider time) : IDataProtectionKeyStore
{
    public IReadOnlyList<string> List()
    {
        using var connection = database.DataSource.OpenConnection();
        return [.. connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY created_at, name")];
    }

    public void Store(string name, string xml)
    {
        using var connection = database.DataSource.OpenConnection();
        connection.Execute(
            "INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@name, @xml, @at) ON CONFLICT (name) DO NOTHING",
            new { name, xml, at = time.GetUtcNow().Utc() });
    }
}

/// <summary>Secrets in <c>secrets</c>, created once whoever comes first.</summary>
public sealed class PostgresSecretStore(PostgresDatabase database, TimeProvider time) : ISecretStore
{
    public async Task<string> GetOrCreateAsync(string name, Func<string> create, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(create);
        if (await database.ScalarAsync<string>("SELECT value FROM secrets WHERE name = @name", new { name }, ct) is { } existing)
        {
            return existing;
        }

        return (await database.ScalarAsync<string>(
            """
            INSERT INTO secrets (name, value, created_at) VALUES (@name, @value, @at) ON CONFLICT (name) DO NOTHING;
            SELECT value FROM secrets WHERE name = @name;
            """,
            new { name, value = create(), at = time.GetUtcNow().Utc() },
            ct))!;
    }
}

/// <summary>Staff presence in <c>staff_presence</c>.</summary>
public sealed class PostgresStaffPresenceStore(PostgresDatabase database) : IStaffPresenceStore
{
    public async Task HeartbeatAsync(string instanceId, IReadOnlyCollection<(string ConnectionId, StaffRef Staff)> open, DateTimeOffset now, DateTimeOffset expiredBefore, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(open);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var upsert = new NpgsqlCommand(
            """
            INSERT INTO staff_presence (staff_id, instance_id, connection_id, seen_at)
            SELECT s, @instance, c, @now FROM unnest(@staff, @connections) AS x(s, c)
            ON CONFLICT (staff_id, instance_id, connection_id) DO UPDATE SET seen_at = excluded.seen_at;
            DELETE FROM staff_presence WHERE (instance_id = @instance AND NOT (connection_id = ANY(@connections))) OR seen_at < @expired;
            """,
            connection,
            transaction))
        {
            upsert.Parameters.AddWithValue("instance", instanceId);
            upsert.Parameters.AddWithValue("now", now.Utc());
            upsert.Parameters.AddWithValue("expired", expiredBefore.Utc());
            upsert.Parameters.AddWithValue("staff", open.Select(o => o.Staff.Id).ToArray());
            upsert.Parameters.AddWithValue("connections", open.Select(o => o.ConnectionId).ToArray());
            await upsert.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<StaffRef>> OnlineAsync(DateTimeOffset since, CancellationToken ct = default) =>
        await database.QueryAsync(
            "SELECT DISTINCT p.staff_id, coalesce(s.name, p.staff_id) FROM staff_presence p LEFT JOIN staff s ON s.id = p.staff_id WHERE p.seen_at >= @since",
            new { since = since.Utc() },
            r => new StaffRef(r.GetString(0), r.GetString(1)),
            ct);
}
