using System.Diagnostics.CodeAnalysis;

namespace FaqBot.Commands;

/// <summary>A command of the FaqBot executable, run against the app's services without starting the web server.</summary>
public interface ICommand
{
    /// <returns>The process exit code: 0 done, 1 failed, 2 bad usage or input.</returns>
    Task<int> RunAsync(IServiceProvider services, CommandConsole console, CancellationToken ct);
}

/// <summary>Where a command reads and writes: results to <see cref="Out"/>, messages and logs to <see cref="Error"/>.</summary>
public sealed record CommandConsole(TextReader In, TextWriter Out, TextWriter Error)
{
    public static CommandConsole System => new(Console.In, Console.Out, Console.Error);
}

/// <summary>
/// The command dispatcher. <c>Program</c> asks it first: when the first argument names a command,
/// the host is built with the same service registrations (logging to stderr) and the command runs
/// instead of the web server. Add a command by adding a line to <see cref="Commands"/>.
/// </summary>
public static class CommandLine
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private static readonly Dictionary<string, Func<string[], ICommand>> Commands = new(StringComparer.Ordinal)
    {
        ["staff"] = args => new StaffCommand(args),
    };

    public static bool TryGet(string[] args, [NotNullWhen(true)] out ICommand? command)
    {
        command = args is [var name, ..] && Commands.TryGetValue(name, out var create) ? create(args[1..]) : null;
        return command is not null;
    }

    public static async Task<int> RunAsync(this ICommand command, WebApplicationBuilder builder, CommandConsole? console = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var app = builder.Build();
        return await command.RunAsync(app.Services, console ?? CommandConsole.System, CancellationToken.None);
    }

    /// <summary>Reads <c>--name value</c> options and bare flags; false (with a message) on anything unknown.</summary>
    public static bool TryParseOptions(string[] args, IReadOnlySet<string> valued, IReadOnlySet<string> flags, out Dictionary<string, string?> options, out string error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(valued);
        ArgumentNullException.ThrowIfNull(flags);
        options = new(StringComparer.Ordinal);
        error = "";
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (flags.Contains(arg))
            {
                options[arg] = null;
            }
            else if (valued.Contains(arg))
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    error = $"{arg} needs a value.";
                    return false;
                }

                options[arg] = args[++i];
            }
            else
            {
                error = $"Unknown option '{arg}'.";
                return false;
            }
        }

        return true;
    }
}
