using System.Globalization;
using System.Text.RegularExpressions;
using FaqBot.Storage.Postgres;
using FaqBot.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace FaqBot.Storage;

/// <summary>One schema change: its number, name and script (an embedded <c>Storage/{Provider}/Migrations/NNN_name.sql</c>).</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// The one place tables are created or changed. Applies the provider's ordered scripts that the
/// <c>schema_version</c> table does not list yet, each with its row in the same transaction, under a lock (an
/// immediate transaction in SQLite, an advisory lock in PostgreSQL) so instances starting together apply each once.
/// Run at start-up and by the <c>migrate</c> command.
/// </summary>
public sealed partial class SchemaMigrator(ILogger<SchemaMigrator> logger, SqliteDatabase? sqlite = null, PostgresDatabase? postgres = null)
{
    private const long AdvisoryLock = 0x46_61_71_42_6F_74; // "FaqBot"

    /// <summary>The provider's migrations in order.</summary>
    public static IReadOnlyList<Migration> For(StorageProvider provider)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"migrations/{provider}/";
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[prefix.Length..^4];
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return new Migration(int.Parse(file[..file.IndexOf('_', StringComparison.Ordinal)], CultureInfo.InvariantCulture), file, reader.ReadToEnd());
            })
            .OrderBy(m => m.Version)];
    }

    /// <summary>Applies what is missing to the configured database; returns the migrations applied now.</summary>
    public Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken ct = default) =>
        postgres is not null ? MigrateAsync(postgres, logger, ct)
        : sqlite is not null ? MigrateAsync(sqlite, logger, ct)
        : throw new InvalidOperationException("No database is configured.");

    public static async Task<IReadOnlyList<Migration>> MigrateAsync(SqliteDatabase database, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)", ct);
        var applied = new HashSet<long>();
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT version FROM schema_version";
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                applied.Add(reader.GetInt64(0));
            }
        }

        var done = new List<Migration>();
        foreach (var migration in For(StorageProvider.Sqlite).Where(m => !applied.Contains(m.Version)))
        {
            foreach (var statement in Statements(migration.Sql))
            {
                try
                {
                    await ExecuteAsync(connection, transaction, statement, ct);
                }
                catch (SqliteException ex) when (AddColumn().IsMatch(statement) && ex.Message.Contains("duplicate column name", StringComparison.OrdinalIgnoreCase))
                {
                    // A database made before migrations added this column at start-up already.
                }
            }

            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_version (version, name, applied_at) VALUES ($v, $n, $at)";
            record.Parameters.AddWithValue("$v", migration.Version);
            record.Parameters.AddWithValue("$n", migration.Name);
            record.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            await record.ExecuteNonQueryAsync(ct);
            done.Add(migration);
        }

        await transaction.CommitAsync(ct);
        Log(logger, done, "SQLite");
        return done;
    }

    public static async Task<IReadOnlyList<Migration>> MigrateAsync(PostgresDatabase database, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var setUp = new NpgsqlCommand(
            $"SELECT pg_advisory_xact_lock({AdvisoryLock}); CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
            connection,
            transaction))
        {
            await setUp.ExecuteNonQueryAsync(ct);
        }

        var applied = new HashSet<int>();
        await using (var read = new NpgsqlCommand("SELECT version FROM schema_version", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        var done = new List<Migration>();
        foreach (var migration in For(StorageProvider.Postgres).Where(m => !applied.Contains(m.Version)))
        {
            await using var apply = new NpgsqlCommand(migration.Sql, connection, transaction);
            await apply.ExecuteNonQueryAsync(ct);
            await using var record = new NpgsqlCommand("INSERT INTO schema_version (version, name) VALUES (@v, @n)", connection, transaction);
            record.Parameters.AddWithValue("v", migration.Version);
            record.Parameters.AddWithValue("n", migration.Name);
            await record.ExecuteNonQueryAsync(ct);
            done.Add(migration);
        }

        await transaction.CommitAsync(ct);
        Log(logger, done, "PostgreSQL");
        return done;
    }

    /// <summary>A script's statements: each ends with a semicolon at the end of a line (trigger bodies stay on one line).</summary>
    internal static IEnumerable<string> Statements(string sql) =>
        StatementEnd().Split(string.Join('\n', sql.ReplaceLineEndings("\n").Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal))))
            .Select(s => s.Trim())
            .Where(s => s.Length > 0);

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void Log(ILogger? logger, List<Migration> done, string provider)
    {
        foreach (var migration in done)
        {
            LogApplied(logger ?? NullLogger.Instance, provider, migration.Name);
        }
    }

    [GeneratedRegex(@";[ \t]*(\n|$)")]
    private static partial Regex StatementEnd();

    [GeneratedRegex(@"^ALTER\s+TABLE\s+\S+\s+ADD\s+COLUMN\s", RegexOptions.IgnoreCase)]
    private static partial Regex AddColumn();

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider} schema migration {Migration} applied")]
    private static partial void LogApplied(ILogger logger, string provider, string migration);
}

/// <summary>Whether the configured database answers (for <c>/healthz/ready</c>).</summary>
public sealed class DatabaseProbe(SqliteDatabase? sqlite = null, PostgresDatabase? postgres = null)
{
    public async Task<bool> ReachableAsync(CancellationToken ct = default)
    {
        try
        {
            return postgres is not null
                ? await postgres.ScalarAsync<int>("SELECT 1", null, ct) == 1
                : sqlite is not null && await sqlite.ScalarAsync("SELECT 1", ct) is 1L;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }
}
