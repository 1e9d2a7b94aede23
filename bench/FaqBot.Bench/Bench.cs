using System.Globalization;

namespace FaqBot.Bench;

/// <summary>What every benchmark command shares: the repository root, options, the machine line.</summary>
public static class Bench
{
    /// <summary>The repository root (the folder with FaqBot.sln), found from the program's folder or the current one.</summary>
    public static string Root { get; } = FindRoot();

    public static string Option(string[] args, string name, string fallback)
    {
        ArgumentNullException.ThrowIfNull(args);
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }

    /// <summary>Cores, OS, .NET, GC mode and the load average when the run started (the machine is shared).</summary>
    public static string Machine()
    {
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
        return string.Create(CultureInfo.InvariantCulture,
            $"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}; load average {load}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "FaqBot.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
