using Microsoft.Data.Sqlite;

namespace FaqBot.Storage.Sqlite;

/// <summary>
/// Opens connections to the embedded SQLite database. A relative <c>Data Source</c> is resolved
/// against the repository root and its folder is created; WAL is switched on once.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private int _walSet;

    /// <summary>Native connections (kept by the pool across opens) whose PRAGMAs have been set.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = new();
    private static readonly object Marker = new();

    public SqliteDatabase(string connectionString, string baseDirectory)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } source && source != ":memory:" && builder.Mode != SqliteOpenMode.Memory && !Path.IsPathRooted(source))
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(baseDirectory, source));
        }

        if (builder.Mode != SqliteOpenMode.Memory && builder.DataSource is { Length: > 0 } file && file != ":memory:")
        {
            PrepareFile(file);
        }

        builder.Pooling = true;
        builder.DefaultTimeout = 30;
        _connectionString = builder.ToString();
    }

    public string ConnectionString => _connectionString;

    /// <summary>The database file's full path.</summary>
    public string FilePath => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    /// <summary>Owner-only permissions on Unix: 0700 for a folder FaqBot creates, 0600 for the database file.</summary>
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="folder"/> and any missing parent with 0700 on Unix; existing folders are left as they are.</summary>
    public static void CreatePrivateFolder(string folder)
    {
        var missing = new Stack<string>();
        for (var dir = Path.GetFullPath(folder); !string.IsNullOrEmpty(dir) && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir))
        {
            missing.Push(dir);
        }

        while (missing.TryPop(out var dir))
        {
            try
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(dir);
                }
                else
                {
                    Directory.CreateDirectory(dir, FolderMode);
                }
            }
            catch (IOException) when (Directory.Exists(dir))
            {
                // Created meanwhile by another process.
            }
        }
    }

    /// <summary>
    /// Creates the folder (0700) and an empty database file (0600) before SQLite does, so neither is ever
    /// readable by other users; SQLite gives its -wal and -shm files the database file's permissions.
    /// An existing database file is narrowed to 0600 as well.
    /// </summary>
    public static void PrepareFile(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (Path.GetDirectoryName(Path.GetFullPath(file)) is { Length: > 0 } folder)
        {
            CreatePrivateFolder(folder);
        }

        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            if (!File.Exists(file))
            {
                using var created = new FileStream(file, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode });
            }
            else if (File.GetUnixFileMode(file) != FileMode)
            {
                File.SetUnixFileMode(file, FileMode);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Created meanwhile by another process, or not ours to change: SQLite opens it as it is.
        }
    }

    /// <summary>Runs one statement (or a schema script) on its own connection; returns the rows changed.</summary>
    public async Task<int> ExecuteAsync(string sql, CancellationToken ct = default, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The first column of the first row of one query, or null.</summary>
    public async Task<object?> ScalarAsync(string sql, CancellationToken ct = default, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteScalarAsync(ct);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        // Pooled connections keep their native handle and its settings: the PRAGMAs run once per handle, not per open.
        if (connection.Handle is { } handle && Configured.TryGetValue(handle, out _))
        {
            return connection;
        }

        await using var pragma = connection.CreateCommand();
        pragma.CommandText = Interlocked.Exchange(ref _walSet, 1) == 0
            ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA secure_delete=ON;"
            : "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA secure_delete=ON;";
        await pragma.ExecuteNonQueryAsync(ct);
        if (connection.Handle is { } configured)
        {
            Configured.AddOrUpdate(configured, Marker);
        }

        return connection;
    }
}
