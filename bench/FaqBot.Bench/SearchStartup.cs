using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FaqBot.Answering;
using FaqBot.Knowledge;
using FaqBot.Search;
using FaqBot.Search.Embedding;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

/// <summary>
/// <c>search</c>: start-up cold (no embeddings cache) and warm (cache on disk), each in a fresh process, the
/// process's memory after start-up, and answer time in process over the question sets. Prints figures;
/// asserts nothing. Run from the repository root:
/// <c>dotnet run -c Release --project bench/FaqBot.Bench -- search</c>.
/// </summary>
internal static class SearchStartup
{
    public static int Run(string[] args)
    {
        if (args is ["search-start", var cacheFolder])
        {
            return Start(cacheFolder);
        }

        var cache = Path.Combine(Path.GetTempPath(), "faqbot-bench", Guid.NewGuid().ToString("N"));
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        foreach (var label in new[] { "cold (empty embeddings cache)", "warm (embeddings cache on disk)" })
        {
            var self = Environment.ProcessPath!;
            var arguments = Path.GetFileNameWithoutExtension(self) == "dotnet"
                ? $"\"{typeof(SearchStartup).Assembly.Location}\" search-start \"{cache}\""
                : $"search-start \"{cache}\"";
            using var child = Process.Start(new ProcessStartInfo(self, arguments) { RedirectStandardOutput = true, UseShellExecute = false })!;
            var output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            Console.WriteLine($"start-up, {label}: {output.Trim()}");
        }

        Latency();
        return 0;
    }

    private static KnowledgeBase Open(string cacheFolder)
    {
        var search = new SearchOptions { EmbeddingCachePath = cacheFolder };
        return new KnowledgeBase(
            Options.Create(new KnowledgeOptions()),
            Options.Create(search),
            new Root(Directory.GetCurrentDirectory()),
            SentenceEmbedder.Shared,
            TimeProvider.System,
            NullLogger<KnowledgeBase>.Instance);
    }

    /// <summary>In a fresh process: model load, index build and the first answer.</summary>
    private static int Start(string cacheFolder)
    {
        var clock = Stopwatch.StartNew();
        _ = SentenceEmbedder.Shared;
        var model = clock.Elapsed.TotalMilliseconds;
        using var knowledge = Open(cacheFolder);
        var indexed = clock.Elapsed.TotalMilliseconds;
        var composer = new AnswerComposer(Options.Create(new SearchOptions()));
        var answer = composer.Compose(knowledge.Current.Search("can I drive afterward?"));
        var first = clock.Elapsed.TotalMilliseconds;
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first answer ({answer.Outcome}) after {first:0} ms (model {model:0} ms, index {indexed - model:0} ms); working set {process.WorkingSet64 / 1048576} MiB, managed heap {GC.GetTotalMemory(false) / 1048576} MiB"));
        return 0;
    }

    private static void Latency()
    {
        using var knowledge = Open(Path.Combine(Path.GetTempPath(), "faqbot-bench", "latency"));
        var composer = new AnswerComposer(Options.Create(new SearchOptions()));
        var questions = Directory.GetFiles(Path.Combine("tests", "FaqBot.Tests", "Data"), "*questions.jsonl")
            .SelectMany(File.ReadLines)
            .Where(l => l.Trim().Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("q").GetString()!)
            .ToList();
        foreach (var q in questions)
        {
            composer.Compose(knowledge.Current.Search(q)); // warm-up: JIT
        }

        var times = new List<double>();
        foreach (var q in questions)
        {
            var started = Stopwatch.GetTimestamp();
            composer.Compose(knowledge.Current.Search(q));
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"answer time in process over {times.Count} questions: median {times[times.Count / 2]:0.00} ms, p99 {times[(int)Math.Ceiling(0.99 * times.Count) - 1]:0.00} ms, max {times[^1]:0.00} ms"));
    }

    private sealed class Root(string path) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";
        public string ApplicationName { get; set; } = "FaqBot.Bench";
        public string ContentRootPath { get; set; } = path;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
