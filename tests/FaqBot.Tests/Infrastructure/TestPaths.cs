using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using FaqBot.Handoff;
using FaqBot.Knowledge;
using FaqBot.Search;
using FaqBot.Search.Embedding;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FaqBot.Tests.Infrastructure;

public static partial class TestPaths
{
    /// <summary>The repository root (the folder holding FaqBot.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The escalation reasons as appsettings.json configures them.</summary>
    public static EscalationReasons Reasons { get; } = new(Options.Create(
        Microsoft.Extensions.Configuration.ConfigurationBinder.Get<EscalationOptions>(
            Microsoft.Extensions.Configuration.JsonConfigurationExtensions.AddJsonFile(new Microsoft.Extensions.Configuration.ConfigurationBuilder(), Path.Combine(Root, "appsettings.json")).Build().GetSection(EscalationOptions.Section))!));

    public static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "Data", name);

    /// <summary>
    /// This test run's own temporary folder: every database, index, copied knowledge folder and key folder the tests make
    /// goes under it. The next run deletes it: at start, a run deletes the folders of runs whose process has ended (the
    /// test host is stopped by its runner, so it cannot clean up after itself) and anything else there older than a day.
    /// Before, each run left its files behind (about 700 MB a run): 37 GB had piled up and filled this machine's disk.
    /// </summary>
    public static string TempRoot { get; } = CreateTempRoot();

    private static string CreateTempRoot()
    {
        var parent = Path.Combine(Path.GetTempPath(), "faqbot-tests");
        Directory.CreateDirectory(parent);
        foreach (var entry in new DirectoryInfo(parent).EnumerateFileSystemInfos())
        {
            var run = RunFolder().Match(entry.Name);
            if (run.Success ? !IsRunning(int.Parse(run.Groups[1].Value, CultureInfo.InvariantCulture)) : entry.LastWriteTimeUtc < DateTime.UtcNow.AddDays(-1))
            {
                TryDelete(entry.FullName);
            }
        }

        var root = Path.Combine(parent, $"run-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        return root;
    }

    [GeneratedRegex(@"^run-(\d{1,9})-[0-9a-f]{32}$")]
    private static partial Regex RunFolder();

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // In use by another run, or not ours: left for a later run.
        }
    }

    /// <summary>A fresh copy of the real knowledge folder in a temp directory, for tests that edit it.</summary>
    public static string CopyKnowledge()
    {
        var target = Path.Combine(TempRoot, Guid.NewGuid().ToString("N"), "knowledge");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "knowledge")))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    /// <summary>Where tests keep embeddings between runs (the process's one model also remembers them in memory).</summary>
    public static string EmbeddingCache { get; } = Path.Combine(AppContext.BaseDirectory, "embeddings");

    /// <summary>
    /// A knowledge base over <paramref name="folder"/> (default: the real one), with the shipped search options and its
    /// Lucene index in <paramref name="indexPath"/> (default: a fresh temporary folder, so tests never share one).
    /// </summary>
    public static KnowledgeBase Knowledge(string? folder = null, int reloadDelayMs = 200, SearchOptions? search = null, string? indexPath = null, Microsoft.Extensions.Logging.ILogger<KnowledgeBase>? logger = null)
    {
        var root = folder is null ? Root : Path.GetDirectoryName(folder)!;
        var options = Options.Create(new KnowledgeOptions { Path = folder is null ? "knowledge" : Path.GetFileName(folder), ReloadDelayMilliseconds = reloadDelayMs });
        var environment = new TestEnvironment(root);
        search ??= new SearchOptions();
        search.EmbeddingCachePath = EmbeddingCache;
        search.IndexPath = indexPath ?? NewIndexFolder();
        return new KnowledgeBase(options, Options.Create(search), environment, SentenceEmbedder.Shared, TimeProvider.System, logger ?? NullLogger<KnowledgeBase>.Instance);
    }

    /// <summary>A fresh temporary folder for a search index.</summary>
    public static string NewIndexFolder() => Path.Combine(NewTempFolder(), "index");

    /// <summary>A fresh, not yet created, temporary folder of the tests' own.</summary>
    public static string NewTempFolder() => Path.Combine(TempRoot, Guid.NewGuid().ToString("N"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FaqBot.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("FaqBot.sln not found above the test folder");
    }

    private sealed class TestEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";
        public string ApplicationName { get; set; } = "FaqBot.Tests";
        public string ContentRootPath { get; set; } = root;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
