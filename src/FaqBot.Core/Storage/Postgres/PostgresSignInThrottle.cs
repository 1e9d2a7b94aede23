using FaqBot.Handoff;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FaqBot.Storage.Postgres;

/// <summary>The sign-in throttles in PostgreSQL, shared by every instance (an upsert per attempt, so none is lost).</summary>
public sealed class PostgresSignInThrottle(PostgresDatabase database, IOptions<StaffOptions> options, TimeProvider time) : ISignInThrottle
{
    private readonly StaffOptions _options = options.Value;

    public async Task<DateTimeOffset?> BlockedUntilAsync(string email, string? address, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var views = await QueryAsync("WHERE key IN (@a, @b)", new { a = SignInThrottle.AccountKey(email), b = SignInThrottle.AddressKey(address) }, ct);
        return views.Select(v => v.BlockedUntil).Where(b => b > now).Max();
    }

    public async Task RecordFailureAsync(string email, string? address, bool counted, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var (key, free, max) in SignInThrottle.Keys(email, address, _options))
        {
            long failures;
            await using (var upsert = new NpgsqlCommand(
                """
                INSERT INTO sign_in_throttles AS t (key, failures, last_failure_at, blocked_until) VALUES (@key, @inc, @now, NULL)
                ON CONFLICT (key) DO UPDATE SET
                    failures = CASE WHEN t.last_failure_at < @reset THEN @inc ELSE t.failures + @inc END,
                    last_failure_at = CASE WHEN @inc = 1 THEN @now ELSE t.last_failure_at END
                RETURNING failures
                """,
                connection,
                transaction))
            {
                upsert.Parameters.AddWithValue("key", key);
                upsert.Parameters.AddWithValue("inc", counted ? 1 : 0);
                upsert.Parameters.AddWithValue("now", now.Utc());
                upsert.Parameters.AddWithValue("reset", now.AddMinutes(-_options.SignInResetMinutes).Utc());
                failures = Convert.ToInt64(await upsert.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            }

            if (counted)
            {
                await using var block = new NpgsqlCommand("UPDATE sign_in_throttles SET blocked_until = @until WHERE key = @key", connection, transaction);
                block.Parameters.AddWithValue("key", key);
                block.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("until", NpgsqlTypes.NpgsqlDbType.TimestampTz)
                {
                    TypedValue = SignInThrottle.Delay(failures, free, max) is { } delay ? (now + delay).Utc() : null,
                });
                await block.ExecuteNonQueryAsync(ct);
            }
        }

        await transaction.CommitAsync(ct);
    }

    public Task ClearAccountAsync(string email, CancellationToken ct = default) =>
        database.ExecuteAsync("DELETE FROM sign_in_throttles WHERE key = @key", new { key = SignInThrottle.AccountKey(email) }, ct);

    public Task<IReadOnlyList<ThrottleView>> ListAsync(CancellationToken ct = default) =>
        QueryAsync("WHERE failures > 0 AND last_failure_at >= @reset ORDER BY last_failure_at DESC LIMIT 500", new { reset = Reset() }, ct);

    public async Task<bool> ClearAsync(string key, CancellationToken ct = default) =>
        await database.ExecuteAsync("DELETE FROM sign_in_throttles WHERE key = @key", new { key }, ct) == 1;

    public Task<int> PruneAsync(CancellationToken ct = default) =>
        database.ExecuteAsync("DELETE FROM sign_in_throttles WHERE last_failure_at < @reset", new { reset = Reset() }, ct);

    private DateTimeOffset Reset() => time.GetUtcNow().AddMinutes(-_options.SignInResetMinutes).Utc();

    private async Task<IReadOnlyList<ThrottleView>> QueryAsync(string where, object parameters, CancellationToken ct) =>
        await database.QueryAsync(
            $"SELECT key, failures, last_failure_at, blocked_until FROM sign_in_throttles {where}",
            parameters,
            r => new ThrottleView(r.GetString(0), r.GetInt32(1), r.At(2), r.AtOrNull(3)),
            ct);
}
