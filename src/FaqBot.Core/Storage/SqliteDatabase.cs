using Microsoft.Data.Sqlite;

namespace FaqBot.Storage;

/// <summary>
/// Opens connections to the embedded SQLite database. A relative <c>Data Source</c> is resolved
/// against the repository root and its folder is created; WAL is switched on once.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private int _walSet;

    public SqliteDatabase(string connectionString, string baseDirectory)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } source && source != ":memory:" && builder.Mode != SqliteOpenMode.Memory && !Path.IsPathRooted(source))
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(baseDirectory, source));
        }

        if (builder.Mode != SqliteOpenMode.Memory && Path.GetDirectoryName(builder.DataSource) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        builder.Pooling = true;
        builder.DefaultTimeout = 30;
        _connectionString = builder.ToString();
    }

    public string ConnectionString => _connectionString;

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = Interlocked.Exchange(ref _walSet, 1) == 0
            ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
            : "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }
}
