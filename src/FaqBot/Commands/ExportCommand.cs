using System.Text;
using FaqBot.Storage;

namespace FaqBot.Commands;

/// <summary>
/// <c>export FILE</c> writes every table of the configured database to a portable JSON-lines file (0600: it holds
/// transcripts); <c>import FILE</c> loads one into the configured database, which must be empty (migrated first).
/// Together they move a clinic between SQLite and PostgreSQL.
/// </summary>
public sealed class ExportCommand(string[] args, bool import) : ICommand
{
    public async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        var verb = import ? "import" : "export";
        if (args is not [var file] || file.StartsWith('-'))
        {
            await Console.Error.WriteLineAsync($"usage: FaqBot {verb} FILE   ({(import ? "into an empty database" : "FILE must not exist yet")})");
            return 2;
        }

        var path = Path.GetFullPath(file);
        await services.GetRequiredService<SchemaMigrator>().MigrateAsync(ct);
        var dump = services.GetRequiredService<TableDump>();
        if (import)
        {
            if (!File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"error: {path} does not exist.");
                return 1;
            }

            using var reader = new StreamReader(path, Encoding.UTF8);
            try
            {
                await Console.Out.WriteLineAsync($"Imported {await dump.ImportAsync(reader, ct)} rows from {path}");
                return 0;
            }
            catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or FormatException or System.Data.Common.DbException)
            {
                // One transaction: nothing of the file was stored.
                await Console.Error.WriteLineAsync($"error: {ex.Message} Nothing was imported.");
                return 1;
            }
        }

        if (File.Exists(path))
        {
            await Console.Error.WriteLineAsync($"error: {path} exists; choose a new file name.");
            return 1;
        }

        Storage.Sqlite.SqliteDatabase.PrepareFile(path);
        await using (var writer = new StreamWriter(path, append: false, new UTF8Encoding(false)))
        {
            await Console.Out.WriteLineAsync($"Exported {await dump.ExportAsync(writer, ct)} rows to {path}");
        }

        return 0;
    }
}
