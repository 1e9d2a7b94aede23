using System.Globalization;
using FaqBot.Handoff;
using Microsoft.Extensions.Options;

namespace FaqBot.Storage.Sqlite;

/// <summary>The sign-in throttles in SQLite (table <c>sign_in_throttles</c>).</summary>
public sealed class SqliteSignInThrottle(SqliteDatabase database, IOptions<StaffOptions> options, TimeProvider time) : ISignInThrottle
{
    private readonly StaffOptions _options = options.Value;

    public async Task<DateTimeOffset?> BlockedUntilAsync(string email, string? address, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        DateTimeOffset? until = null;
        foreach (var view in await QueryAsync("WHERE key IN ($a, $b)", ct, ("$a", SignInThrottle.AccountKey(email)), ("$b", SignInThrottle.AddressKey(address))))
        {
            if (view.BlockedUntil is { } blocked && blocked > now && (until is null || blocked > until))
            {
                until = blocked;
            }
        }

        return until;
    }

    public async Task RecordFailureAsync(string email, string? address, bool counted, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var (key, free, max) in SignInThrottle.Keys(email, address, _options))
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
            block.Parameters.AddWithValue("$until", SignInThrottle.Delay(failures, free, max) is { } delay ? Iso(now + delay) : DBNull.Value);
            await block.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    public Task ClearAccountAsync(string email, CancellationToken ct = default) =>
        database.ExecuteAsync("DELETE FROM sign_in_throttles WHERE key = $key", ct, ("$key", SignInThrottle.AccountKey(email)));

    public Task<IReadOnlyList<ThrottleView>> ListAsync(CancellationToken ct = default) =>
        QueryAsync("WHERE failures > 0 AND last_failure_at >= $reset ORDER BY last_failure_at DESC LIMIT 500", ct,
            ("$reset", Iso(time.GetUtcNow().AddMinutes(-_options.SignInResetMinutes))));

    public async Task<bool> ClearAsync(string key, CancellationToken ct = default) =>
        await database.ExecuteAsync("DELETE FROM sign_in_throttles WHERE key = $key", ct, ("$key", key)) == 1;

    public Task<int> PruneAsync(CancellationToken ct = default) =>
        database.ExecuteAsync("DELETE FROM sign_in_throttles WHERE last_failure_at < $reset", ct,
            ("$reset", Iso(time.GetUtcNow().AddMinutes(-_options.SignInResetMinutes))));

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
