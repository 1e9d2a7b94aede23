using FaqBot.Audit;
using FaqBot.Storage;
using FaqBot.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace FaqBot.Commands;

/// <summary>
/// <c>backup FILE</c>: a consistent copy of the live database with SQLite's online backup API (safe while
/// FaqBot serves patients), created readable by its owner only. Restore: stop FaqBot, put the copy in
/// place of the database file (removing its -wal and -shm files), start FaqBot.
/// </summary>
public sealed class BackupCommand(string[] args) : ICommand
{
    public async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (args is not [var target] || target.StartsWith('-'))
        {
            await Console.Error.WriteLineAsync("usage: FaqBot backup FILE   (FILE must not exist yet)");
            return 2;
        }

        var path = Path.GetFullPath(target);
        if (File.Exists(path))
        {
            await Console.Error.WriteLineAsync($"error: {path} exists; choose a new file name.");
            return 1;
        }

        if (services.GetService<SqliteDatabase>() is not { } database)
        {
            await Console.Error.WriteLineAsync("error: backup copies the SQLite database; with PostgreSQL use its own tools (pg_dump) or the export command.");
            return 1;
        }

        await services.GetRequiredService<SchemaMigrator>().MigrateAsync(ct);
        await BackupAsync(database, path, ct);
        var audit = services.GetRequiredService<IAuditLog>();
        await audit.AppendAsync(new AuditRecord("system", AuditActions.Backup, "done", path), ct);
        await Console.Out.WriteLineAsync($"Backed up the database to {path}");
        return 0;
    }

    public static async Task BackupAsync(SqliteDatabase database, string path, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        SqliteDatabase.PrepareFile(path);
        await using var source = await database.OpenAsync(ct);
        await using var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await destination.OpenAsync(ct);
        source.BackupDatabase(destination);
    }
}
