using System.Data.Common;
using FaqBot.Handoff;

namespace FaqBot.Storage.Postgres;

/// <summary>Staff accounts and console sessions in PostgreSQL.</summary>
public sealed class PostgresStaffDirectory(PostgresDatabase database) : IStaffDirectory
{
    private const string AccountColumns = "s.id, s.email, s.name, s.role, s.password_hash, s.disabled, s.failed_sign_ins, s.lockout_end, s.created_at";

    public async Task<bool> AddAsync(StaffAccount account, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        return await database.ExecuteAsync(
            """
            INSERT INTO staff (id, email, name, role, password_hash, disabled, failed_sign_ins, lockout_end, created_at)
            VALUES (@id, @email, @name, @role, @hash, @disabled, 0, NULL, @created)
            ON CONFLICT DO NOTHING
            """,
            new { id = account.Id, email = account.Email, name = account.Name, role = account.Role, hash = account.PasswordHash, disabled = account.Disabled, created = account.CreatedAt.Utc() },
            ct) == 1;
    }

    public async Task<StaffAccount?> FindByEmailAsync(string email, CancellationToken ct = default) =>
        (await database.QueryAsync($"SELECT {AccountColumns} FROM staff s WHERE s.email = @v", new { v = email }, ReadAccount, ct)).SingleOrDefault();

    public async Task<StaffAccount?> FindByIdAsync(string id, CancellationToken ct = default) =>
        (await database.QueryAsync($"SELECT {AccountColumns} FROM staff s WHERE s.id = @v", new { v = id }, ReadAccount, ct)).SingleOrDefault();

    public async Task<IReadOnlyList<StaffAccount>> ListAsync(CancellationToken ct = default) =>
        await database.QueryAsync($"SELECT {AccountColumns} FROM staff s ORDER BY s.email", null, ReadAccount, ct);

    public async Task<bool> SetDisabledAsync(string email, bool disabled, CancellationToken ct = default)
    {
        var found = await database.ExecuteAsync(
            """
            WITH changed AS (UPDATE staff SET disabled = @d WHERE email = @email RETURNING id)
            DELETE FROM staff_sessions WHERE @d AND staff_id IN (SELECT id FROM changed)
            """,
            new { email, d = disabled },
            ct);
        return found >= 0 && await FindByEmailAsync(email, ct) is not null;
    }

    public Task SetPasswordHashAsync(string id, string passwordHash, CancellationToken ct = default) =>
        database.ExecuteAsync("UPDATE staff SET password_hash = @a WHERE id = @id", new { id, a = passwordHash }, ct);

    public Task SetRoleAsync(string id, string role, CancellationToken ct = default) =>
        database.ExecuteAsync("UPDATE staff SET role = @a WHERE id = @id", new { id, a = role }, ct);

    public Task EndSessionsAsync(string id, CancellationToken ct = default) =>
        database.ExecuteAsync("DELETE FROM staff_sessions WHERE staff_id = @id", new { id }, ct);

    public Task ResetFailedSignInsAsync(string id, CancellationToken ct = default) =>
        database.ExecuteAsync("UPDATE staff SET failed_sign_ins = 0, lockout_end = NULL WHERE id = @id", new { id }, ct);

    public Task CreateSessionAsync(StaffSession session, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        return database.ExecuteAsync(
            """
            DELETE FROM staff_sessions WHERE expires_at <= @created;
            INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at, expires_at) VALUES (@hash, @staff, @csrf, @created, @expires);
            """,
            new { hash = session.TokenHash, staff = session.StaffId, csrf = session.CsrfToken, created = session.CreatedAt.Utc(), expires = session.ExpiresAt.Utc() },
            ct);
    }

    public async Task<(StaffSession Session, StaffAccount Account)?> FindSessionAsync(string tokenHash, DateTimeOffset now, CancellationToken ct = default)
    {
        var found = await database.QueryAsync(
            $"""
            SELECT {AccountColumns}, x.csrf_token, x.created_at, x.expires_at
            FROM staff_sessions x JOIN staff s ON s.id = x.staff_id
            WHERE x.token_hash = @hash AND x.expires_at > @now
            """,
            new { hash = tokenHash, now = now.Utc() },
            r =>
            {
                var account = ReadAccount(r);
                return (new StaffSession(tokenHash, account.Id, r.GetString(9), r.At(10), r.At(11)), account);
            },
            ct);
        return found.Count == 1 ? found[0] : null;
    }

    public Task DeleteSessionAsync(string tokenHash, CancellationToken ct = default) =>
        database.ExecuteAsync("DELETE FROM staff_sessions WHERE token_hash = @id", new { id = tokenHash }, ct);

    private static StaffAccount ReadAccount(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetBoolean(5), r.GetInt32(6), r.AtOrNull(7), r.At(8));
}
