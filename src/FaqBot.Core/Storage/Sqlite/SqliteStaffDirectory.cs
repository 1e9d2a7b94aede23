using FaqBot.Handoff;
using Microsoft.Data.Sqlite;

namespace FaqBot.Storage.Sqlite;

public sealed class SqliteStaffDirectory(SqliteDatabase database) : IStaffDirectory
{
    private const string AccountColumns = "s.id, s.email, s.name, s.role, s.password_hash, s.disabled, s.failed_sign_ins, s.lockout_end, s.created_at";

    public async Task<bool> AddAsync(StaffAccount account, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO staff (id, email, name, role, password_hash, disabled, failed_sign_ins, lockout_end, created_at)
            VALUES ($id, $email, $name, $role, $hash, $disabled, 0, NULL, $created)
            ON CONFLICT DO NOTHING
            """;
        command.Parameters.AddWithValue("$id", account.Id);
        command.Parameters.AddWithValue("$email", account.Email);
        command.Parameters.AddWithValue("$name", account.Name);
        command.Parameters.AddWithValue("$role", account.Role);
        command.Parameters.AddWithValue("$hash", account.PasswordHash);
        command.Parameters.AddWithValue("$disabled", account.Disabled ? 1 : 0);
        command.Parameters.AddWithValue("$created", SqliteCallbackStore.Iso(account.CreatedAt));
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<StaffAccount?> FindByEmailAsync(string email, CancellationToken ct = default) =>
        (await QueryAsync($"SELECT {AccountColumns} FROM staff s WHERE s.email = $v", email, ct)).SingleOrDefault();

    public async Task<StaffAccount?> FindByIdAsync(string id, CancellationToken ct = default) =>
        (await QueryAsync($"SELECT {AccountColumns} FROM staff s WHERE s.id = $v", id, ct)).SingleOrDefault();

    public Task<IReadOnlyList<StaffAccount>> ListAsync(CancellationToken ct = default) =>
        QueryAsync($"SELECT {AccountColumns} FROM staff s ORDER BY s.email", null, ct);

    public async Task<bool> SetDisabledAsync(string email, bool disabled, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE staff SET disabled = $d WHERE email = $email;
            DELETE FROM staff_sessions WHERE $d = 1 AND staff_id IN (SELECT id FROM staff WHERE email = $email);
            """;
        command.Parameters.AddWithValue("$email", email);
        command.Parameters.AddWithValue("$d", disabled ? 1 : 0);
        await command.ExecuteNonQueryAsync(ct);
        return await FindByEmailAsync(email, ct) is not null;
    }

    public Task SetPasswordHashAsync(string id, string passwordHash, CancellationToken ct = default) =>
        ExecuteAsync("UPDATE staff SET password_hash = $a WHERE id = $id", id, passwordHash, null, ct);

    public Task SetRoleAsync(string id, string role, CancellationToken ct = default) =>
        ExecuteAsync("UPDATE staff SET role = $a WHERE id = $id", id, role, null, ct);

    public Task EndSessionsAsync(string id, CancellationToken ct = default) =>
        ExecuteAsync("DELETE FROM staff_sessions WHERE staff_id = $id", id, null, null, ct);

    public Task ResetFailedSignInsAsync(string id, CancellationToken ct = default) =>
        ExecuteAsync("UPDATE staff SET failed_sign_ins = 0, lockout_end = NULL WHERE id = $id", id, null, null, ct);

    public async Task CreateSessionAsync(StaffSession session, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM staff_sessions WHERE expires_at <= $created;
            INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at, expires_at) VALUES ($hash, $staff, $csrf, $created, $expires);
            """;
        command.Parameters.AddWithValue("$hash", session.TokenHash);
        command.Parameters.AddWithValue("$staff", session.StaffId);
        command.Parameters.AddWithValue("$csrf", session.CsrfToken);
        command.Parameters.AddWithValue("$created", SqliteCallbackStore.Iso(session.CreatedAt));
        command.Parameters.AddWithValue("$expires", SqliteCallbackStore.Iso(session.ExpiresAt));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<(StaffSession Session, StaffAccount Account)?> FindSessionAsync(string tokenHash, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {AccountColumns}, x.csrf_token, x.created_at, x.expires_at
            FROM staff_sessions x JOIN staff s ON s.id = x.staff_id
            WHERE x.token_hash = $hash AND x.expires_at > $now
            """;
        command.Parameters.AddWithValue("$hash", tokenHash);
        command.Parameters.AddWithValue("$now", SqliteCallbackStore.Iso(now));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var account = ReadAccount(reader);
        var session = new StaffSession(tokenHash, account.Id, reader.GetString(9), SqliteCallbackStore.Parse(reader.GetString(10)), SqliteCallbackStore.Parse(reader.GetString(11)));
        return (session, account);
    }

    public Task DeleteSessionAsync(string tokenHash, CancellationToken ct = default) =>
        ExecuteAsync("DELETE FROM staff_sessions WHERE token_hash = $id", tokenHash, null, null, ct);

    private async Task ExecuteAsync(string sql, string id, object? a, object? b, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$a", a ?? DBNull.Value);
        command.Parameters.AddWithValue("$b", b ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<IReadOnlyList<StaffAccount>> QueryAsync(string sql, string? value, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (value is not null)
        {
            command.Parameters.AddWithValue("$v", value);
        }

        var result = new List<StaffAccount>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(ReadAccount(reader));
        }

        return result;
    }

    private static StaffAccount ReadAccount(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetInt64(5) == 1,
        (int)reader.GetInt64(6),
        reader.IsDBNull(7) ? null : SqliteCallbackStore.Parse(reader.GetString(7)),
        SqliteCallbackStore.Parse(reader.GetString(8)));
}
