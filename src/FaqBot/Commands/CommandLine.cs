namespace FaqBot.Commands;

/// <summary>A command of the executable, run against the same services as the web host, without Kestrel.</summary>
public interface ICommand
{
    Task<int> RunAsync(IServiceProvider services, CancellationToken ct);
}

/// <summary>
/// <c>faqbot</c> with no arguments serves the web host; <c>ask</c>, <c>eval</c> and <c>staff</c> run a command.
/// </summary>
public static class CommandLine
{
    public const string Usage = """
        usage:
          FaqBot                                   start the web host (chat page at /)
          FaqBot ask "QUESTION"                    print a readable answer
          FaqBot ask --json                        one question per line on stdin, one JSON object per line out
          FaqBot eval FILE.jsonl                   score a question set and print answer times
          FaqBot staff add --email EMAIL --name NAME [--role staff|admin] --password-stdin
                                                   create a staff account (password read from stdin)
          FaqBot staff list                        list staff accounts
          FaqBot staff disable --email EMAIL       stop an account signing in and end its sessions
          FaqBot staff enable --email EMAIL        let a disabled account sign in again
          FaqBot backup FILE                       copy the live database to FILE (SQLite online backup, 0600)
          FaqBot migrate                           create or upgrade the database schema (Storage:Provider) and exit
          FaqBot export FILE                       write every table to a portable file (JSON lines, 0600)
          FaqBot import FILE                       load such a file into an empty database (SQLite or PostgreSQL)
        """;

    /// <summary>The command named by <paramref name="args"/>, or null to start the web host.</summary>
    public static ICommand? Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            return null;
        }

        return args[0] switch
        {
            "ask" => AskCommand.Parse(args[1..]),
            "eval" => EvalCommand.Parse(args[1..]),
            "staff" => new StaffCommand(args[1..]),
            "backup" => new BackupCommand(args[1..]),
            "migrate" => new MigrateCommand(args[1..]),
            "export" => new ExportCommand(args[1..], import: false),
            "import" => new ExportCommand(args[1..], import: true),
            "help" => new UsageCommand(null),
            _ => new UsageCommand($"unknown command '{args[0]}'"),
        };
    }

    /// <summary>Prints the usage (and an error, if any) to stderr.</summary>
    public sealed class UsageCommand(string? error) : ICommand
    {
        public async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
        {
            if (error is not null)
            {
                await Console.Error.WriteLineAsync($"error: {error}");
            }

            await Console.Error.WriteLineAsync(Usage);
            return error is null ? 0 : 2;
        }
    }
}
