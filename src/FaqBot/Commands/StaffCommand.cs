using System.Net.Mail;
using System.Security.Cryptography;
using FaqBot.Handoff;
using FaqBot.Staff;
using FaqBot.Storage;

namespace FaqBot.Commands;

/// <summary>
/// <c>staff add --email EMAIL --name NAME [--role staff|admin] --password-stdin</c>,
/// <c>staff list</c>, <c>staff disable --email EMAIL</c>, <c>staff enable --email EMAIL</c>.
/// </summary>
public sealed class StaffCommand(string[] args) : ICommand
{
    private const int Ok = 0;
    private const int Failed = 1;
    private const int Usage = 2;

    public const string Help = """
        Usage:
          staff add --email EMAIL --name NAME [--role staff|admin] --password-stdin
              Creates a staff account; the password (at least 12 characters) is read from the first line of stdin.
          staff list
              Lists the accounts.
          staff disable --email EMAIL
              Stops an account from signing in and ends its sessions.
          staff enable --email EMAIL
              Lets a disabled account sign in again.
        Exit codes: 0 done, 1 failed (e.g. the email exists or is unknown), 2 bad usage or input.
        """;

    public Task<int> RunAsync(IServiceProvider services, CancellationToken ct) =>
        RunAsync(services, new CommandConsole(Console.In, Console.Out, Console.Error), ct);

    public async Task<int> RunAsync(IServiceProvider services, CommandConsole console, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(console);
        var directory = services.GetRequiredService<IStaffDirectory>();
        await services.GetRequiredService<SchemaMigrator>().MigrateAsync(ct);
        return args switch
        {
            ["add", .. var rest] => await AddAsync(rest, directory, services.GetRequiredService<StaffSignIn>(), services.GetRequiredService<TimeProvider>(), console, ct),
            ["list"] => await ListAsync(directory, services.GetRequiredService<TimeProvider>(), console, ct),
            ["disable", .. var rest] => await SetDisabledAsync(rest, true, directory, console, ct),
            ["enable", .. var rest] => await SetDisabledAsync(rest, false, directory, console, ct),
            ["help" or "--help" or "-h"] => Print(console.Out, Help, Ok),
            _ => Print(console.Error, Help, Usage),
        };
    }

    private static async Task<int> AddAsync(string[] rest, IStaffDirectory directory, StaffSignIn signIn, TimeProvider time, CommandConsole console, CancellationToken ct)
    {
        if (!TryParseOptions(rest, new HashSet<string> { "--email", "--name", "--role" }, new HashSet<string> { "--password-stdin" }, out var options, out var error))
        {
            return Print(console.Error, $"{error}\n\n{Help}", Usage);
        }

        var email = StaffSignIn.NormalizeEmail(options.GetValueOrDefault("--email"));
        var name = options.GetValueOrDefault("--name")?.Trim() ?? "";
        var role = options.GetValueOrDefault("--role") ?? StaffRoles.Staff;
        var problem = !IsEmail(email) ? "--email must be an email address such as sam@clinic.example."
            : name.Length is 0 or > 60 || name.Any(char.IsControl) ? "--name must have 1 to 60 characters (it is shown to patients, e.g. \"Sam\")."
            : !StaffRoles.IsValid(role) ? "--role must be staff or admin."
            : !options.ContainsKey("--password-stdin") ? "Pass --password-stdin and write the password to stdin (it is never taken as an argument)."
            : null;
        if (problem is not null)
        {
            return Print(console.Error, problem, Usage);
        }

        var password = (await console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n');
        if (StaffSignIn.CheckPassword(password) is { } weak)
        {
            return Print(console.Error, weak, Usage);
        }

        var id = $"st_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        var account = new StaffAccount(id, email, name, role, signIn.HashPassword(password!), false, 0, null, time.GetUtcNow());
        if (!await directory.AddAsync(account, ct))
        {
            return Print(console.Error, $"An account with the email {email} already exists.", Failed);
        }

        return Print(console.Out, $"Added {role} {email} ({name}).", Ok);
    }

    private static async Task<int> ListAsync(IStaffDirectory directory, TimeProvider time, CommandConsole console, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var accounts = await directory.ListAsync(ct);
        if (accounts.Count == 0)
        {
            return Print(console.Out, "No staff accounts yet. Add one with: staff add --email EMAIL --name NAME --password-stdin", Ok);
        }

        await console.Out.WriteLineAsync($"{"EMAIL",-36} {"NAME",-24} {"ROLE",-6} STATUS");
        foreach (var a in accounts)
        {
            var status = a.Disabled ? "disabled" : "active";
            await console.Out.WriteLineAsync($"{a.Email,-36} {a.Name,-24} {a.Role,-6} {status}");
        }

        return Ok;
    }

    private static async Task<int> SetDisabledAsync(string[] rest, bool disabled, IStaffDirectory directory, CommandConsole console, CancellationToken ct)
    {
        if (!TryParseOptions(rest, new HashSet<string> { "--email" }, new HashSet<string>(), out var options, out var error)
            || !options.TryGetValue("--email", out var given))
        {
            return Print(console.Error, $"{(error.Length > 0 ? error : "--email is required.")}\n\n{Help}", Usage);
        }

        var email = StaffSignIn.NormalizeEmail(given);
        return await directory.SetDisabledAsync(email, disabled, ct)
            ? Print(console.Out, $"{(disabled ? "Disabled" : "Enabled")} {email}.", Ok)
            : Print(console.Error, $"No staff account has the email {email}.", Failed);
    }

    /// <summary>Reads <c>--name value</c> options and bare flags; false (with a message) on anything unknown.</summary>
    private static bool TryParseOptions(string[] args, HashSet<string> valued, HashSet<string> flags, out Dictionary<string, string?> options, out string error)
    {
        options = new(StringComparer.Ordinal);
        error = "";
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (flags.Contains(arg))
            {
                options[arg] = null;
            }
            else if (valued.Contains(arg) && i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                options[arg] = args[++i];
            }
            else
            {
                error = valued.Contains(arg) ? $"{arg} needs a value." : $"Unknown option '{arg}'.";
                return false;
            }
        }

        return true;
    }

    internal static bool IsEmail(string email) =>
        email.Length <= 254 && MailAddress.TryCreate(email, out var parsed) && parsed.Address == email && email.Contains('.', StringComparison.Ordinal);

    /// <summary>Where the command reads the password and writes results (stdout) and messages (stderr).</summary>
    public sealed record CommandConsole(TextReader In, TextWriter Out, TextWriter Error);

    private static int Print(TextWriter writer, string text, int code)
    {
        writer.WriteLine(text);
        return code;
    }
}
