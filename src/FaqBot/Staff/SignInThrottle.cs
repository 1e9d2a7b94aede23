using System.Globalization;
using FaqBot.Handoff;
using FaqBot.Storage;
using Microsoft.Extensions.Options;

namespace FaqBot.Staff;

/// <summary>A throttle as admins see it: <c>account:EMAIL</c> or <c>address:IP</c>, its failures and until when it waits.</summary>
public sealed record ThrottleView(string Key, int Failures, DateTimeOffset LastFailureAt, DateTimeOffset? BlockedUntil);

/// <summary>
/// Sign-in throttling by account (the e-mail typed, whether or not it is an account, so the throttle says
/// nothing about which e-mails exist) and by address. After the free attempts each failure makes the next
/// attempt wait longer (1 s, 2 s, 4 s ...), up to a short cap per account and a longer one per address.
/// Attempts made while waiting are refused without checking the password and do not count, so nobody can
/// extend a wait for ever. Kept in the database, so a restart does not reset it.
/// </summary>
public sealed class SignInThrottle(SqliteDatabase database, IOptions<StaffOptions> options, TimeProvider time)
{
    private readonly StaffOptions _options = options.Value;

    public static string AccountKey(string email) => "account:" + email;

    public static string AddressKey(string? address) => "address:" + (address ?? "unknown");

    public Task InitializeAsync(CancellationToken ct = default) => database.ExecuteAsync(
        """
        CREATE TABLE IF NOT EXISTS sign_in_throttles (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_failure_at TEXT NOT NULL,
            blocked_until TEXT);
        """,
        ct);

    /// <summary>Until when the next attempt for this e-mail from this address must wait, or null.</summary>
    public async Task<DateTimeOffset?> BlockedUntilAsync(string email, string? address, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        DateTimeOffset? until = null;
        foreach (var view in await QueryAsync("WHERE key IN ($a, $b)", ct, ("$a", AccountKey(email)), ("$b", AddressKey(address))))
        {
            if (view.BlockedUntil is { } blocked && blocked > now && (until is null || blocked > until))
            {
                until = blocked;
            }
        }

        return until;
    }

    /// <summary>
    /// Records an attempt that did not sign in: <paramref name="counted"/> false for one refused while
    /// waiting (the same database work, so the answer takes the same time).
    /// </summary>
    public async Task RecordFailureAsync(string email, string? address, bool counted, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var (key, free, max) in new[]
        {
            (AccountKey(email), _options.FreeSignInsPerAccount, TimeSpan.FromSeconds(_options.AccountMaxDelaySeconds)),
            (AddressKey(address), _options.FreeSignInsPerAddress, TimeSpan.FromMinutes(_options.AddressMaxDelayMinutes)),
        })
        {
            await using var upsert = connection.CreateCommand();
            upsert.CommandText = """
                INSERT INTO sign_in_throttles (key, failures, last_failure_at, blocked_until) VALUES ($key, $inc, $now, NULL)
                ON CONFLICT(key) DO UPDATE SET
                    failures = CASE WHEN last_failure_at < $reset THEN $inc ELSE failures + $inc END,
                    last_failure_at = CASE WHEN $inc = 1 THEN $now ELSE last_failure_at END
                RETURNING failures, blocked_until
                """;
            upsert.Parameters.AddWithValue("$key", key);
            upsert.Parameters.AddWithValue("$inc", counted ? 1 : 0);
            upsert.Parameters.AddWithValue("$now", Iso(now));
            upsert.Parameters.AddWithValue("$reset", Iso(now.AddMinutes(-_options.SignInResetMinutes)));
            long failures;
            await using (var reader = await upsert.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                failures = reader.GetInt64(0);
            }

            await using var block = connection.CreateCommand();
            block.CommandText = "UPDATE sign_in_throttles SET blocked_until = $until WHERE key = $key AND $counted = 1";
            block.Parameters.AddWithValue("$key", key);
            block.Parameters.AddWithValue("$counted", counted ? 1 : 0);
            block.Parameters.AddWithValue("$until", Delay(failures, free, max) is { } delay ? Iso(now + delay) : DBNull.Value);
            await block.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>A successful sign-in clears the account's throttle (not the address's).</summary>
    public Task ClearAccountAsync(string email, CancellationToken ct = default) =>
        database.ExecuteAsync("DELETE FROM sign_in_throttles WHERE key = $key", ct, ("$key", AccountKey(email)));

    /// <summary>Throttles with a failure inside the reset window, most recent first.</summary>
    public Task<IReadOnlyList<ThrottleView>> ListAsync(CancellationToken ct = default) =>
        QueryAsync("WHERE failures > 0 AND last_failure_at >= $reset ORDER BY last_failure_at DESC LIMIT 500", ct,
            ("$reset", Iso(time.GetUtcNow().AddMinutes(-_options.SignInResetMinutes))));

    /// <summary>Removes one throttle (an admin's decision); false when there was none.</summary>
    public async Task<bool> ClearAsync(string key, CancellationToken ct = default) =>
        await database.ExecuteAsync("DELETE FROM sign_in_throttles WHERE key = $key", ct, ("$key", key)) == 1;

    /// <summary>Forgets throttles that have had no failure for the reset window (run by the retention job).</summary>
    public Task<int> PruneAsync(CancellationToken ct = default) =>
        database.ExecuteAsync("DELETE FROM sign_in_throttles WHERE last_failure_at < $reset", ct,
            ("$reset", Iso(time.GetUtcNow().AddMinutes(-_options.SignInResetMinutes))));

    internal static TimeSpan? Delay(long failures, int free, TimeSpan max)
    {
        if (failures < free)
        {
            return null;
        }

        var seconds = Math.Pow(2, Math.Min(failures - free, 30));
        return seconds >= max.TotalSeconds ? max : TimeSpan.FromSeconds(seconds);
    }

    private async Task<IReadOnlyList<ThrottleView>> QueryAsync(string where, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT key, failures, last_failure_at, blocked_until FROM sign_in_throttles {where}";
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = new List<ThrottleView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(new ThrottleView(reader.GetString(0), (int)reader.GetInt64(1), Parse(reader.GetString(2)), reader.IsDBNull(3) ? null : Parse(reader.GetString(3))));
        }

        return result;
    }

    private static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string t) => DateTimeOffset.Parse(t, CultureInfo.InvariantCulture);
}
