using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FaqBot.Answering;
using FaqBot.Knowledge;
using FaqBot.Search;
using FaqBot.Search.Analysis;
using FaqBot.Search.Embedding;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FaqBot.Bench;

/// <summary>What one start-up in a fresh process cost.</summary>
public sealed record StartupFigures(string Outcome, double ModelMs, double IndexMs, double FirstAnswerMs, long WorkingSetMiB, long ManagedMiB, int Articles, int Passages, int Parsed, int Unchanged, int Embedded);

/// <summary>
/// Answer time in process over a list of questions, in milliseconds; with what the garbage collector did meanwhile
/// (its pauses stop every thread, so they land in the tail).
/// </summary>
public sealed record LatencyFigures(int Questions, double P50, double P99, double Max, int Collections = 0, double PausedMs = 0, double AllocatedKiB = 0)
{
    public override string ToString() => Describe("questions", "0.00");

    /// <summary>The figures of <see cref="Questions"/> items called <paramref name="items"/>, in milliseconds with <paramref name="format"/>.</summary>
    public string Describe(string items, string format) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Questions} {items}: p50 {P50.ToString(format, CultureInfo.InvariantCulture)} ms, p99 {P99.ToString(format, CultureInfo.InvariantCulture)} ms, max {Max.ToString(format, CultureInfo.InvariantCulture)} ms; garbage collector: {Collections} collections, {PausedMs:0} ms paused in all, {AllocatedKiB:0} KiB allocated per item");

    public static LatencyFigures Of(List<double> times, int collections = 0, double pausedMs = 0, double allocatedKiB = 0)
    {
        times.Sort();
        return times.Count == 0 ? new(0, 0, 0, 0) : new(times.Count, Percentile(times, 0.50), Percentile(times, 0.99), times[^1], collections, pausedMs, allocatedKiB);
    }

    public static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>
/// <c>search</c>: for the real knowledge base and generated ones (<c>--kb real,100,1000,10000</c>): the first index
/// build (no index, empty embeddings cache) and a restart with the index and embeddings on disk, each in a fresh
/// process, memory after start-up, answer time in process over the question sets with the model (FaqBot's answer) and
/// without it (the same Lucene BM25 query alone), and the re-index of one changed article. Prints figures; asserts
/// nothing. Run from the repository root:
/// <c>dotnet run -c Release --project bench/FaqBot.Bench -- search --kb real,100,1000,10000</c>.
/// </summary>
public static class SearchBenchmark
{
    public static int Run(string[] args)
    {
        if (args is ["search-start", var kbFolder, var cacheFolder, var indexFolder])
        {
            var figures = Start(kbFolder, cacheFolder, indexFolder);
            Console.WriteLine(JsonSerializer.Serialize(figures));
            return 0;
        }

        var root = Bench.Root;
        var sizes = Bench.Option(args, "--kb", "real").Split(',', StringSplitOptions.RemoveEmptyEntries);
        Console.WriteLine(Bench.Machine());
        var questions = Questions(root).Take(int.Parse(Bench.Option(args, "--questions", "100000"), CultureInfo.InvariantCulture)).ToList();
        foreach (var size in sizes)
        {
            var kb = KnowledgeFolder(root, size);
            var cache = Path.Combine(Path.GetTempPath(), "faqbot-bench", "cache-" + Guid.NewGuid().ToString("N"));
            var index = Path.Combine(cache, "index");
            Console.WriteLine($"== knowledge base: {size} ({kb})");
            foreach (var label in new[] { "first build (no index, empty embeddings cache)", "restart (index and embeddings on disk)" })
            {
                var started = Stopwatch.GetTimestamp();
                var figures = StartInChild(kb, cache, index);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"start-up {label}: {figures.Articles} articles, {figures.Passages} answer units; model {figures.ModelMs:0} ms, index {figures.IndexMs:0} ms ({figures.Parsed} files parsed, {figures.Unchanged} unchanged, {figures.Embedded} texts embedded or looked up), first answer ({figures.Outcome}) after {figures.FirstAnswerMs:0} ms; process {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s; working set {figures.WorkingSetMiB} MiB, managed heap {figures.ManagedMiB} MiB"));
            }

            using (var knowledge = Open(kb, cache, index))
            {
                var (withModel, repeated, withoutModel) = Latency(knowledge, questions);
                var typos = TypoRepairLatency(knowledge, questions);
                Console.WriteLine($"answer in process, with the model, each question once: {withModel}");
                Console.WriteLine($"answer in process, with the model, asked again: {repeated}");
                Console.WriteLine($"BM25 alone (same Lucene query, no model): {withoutModel}");
                Console.WriteLine($"typo repair alone, every word of 4 letters or more once: {typos.Describe("words", "0.000")}");
                Console.WriteLine(ChangeOneArticle(knowledge));
            }

            TryDelete(cache);
        }

        return 0;
    }

    /// <summary>The questions of the test question sets, each once.</summary>
    public static List<string> Questions(string root) =>
        [.. Directory.GetFiles(Path.Combine(root, "tests", "FaqBot.Tests", "Data"), "*questions.jsonl")
            .Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines)
            .Where(l => l.Trim().Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("q").GetString()!)
            .Distinct(StringComparer.Ordinal)];

    /// <summary><c>real</c>: the repository's knowledge folder; a number: a generated knowledge base of that many articles (made once, kept in the temp folder).</summary>
    public static string KnowledgeFolder(string root, string size)
    {
        var real = Path.Combine(root, "knowledge");
        if (size == "real")
        {
            return real;
        }

        var articles = int.Parse(size, CultureInfo.InvariantCulture);
        var folder = Path.Combine(Path.GetTempPath(), "faqbot-bench", $"kb-{articles}");
        var done = Path.Combine(folder, ".complete");
        if (!File.Exists(done))
        {
            var started = Stopwatch.GetTimestamp();
            KnowledgeGenerator.Generate(real, folder, articles);
            File.WriteAllText(done, "");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generated {articles} articles in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s"));
        }

        return folder;
    }

    public static KnowledgeBase Open(string knowledgeFolder, string cacheFolder, string indexFolder) => new(
        Options.Create(new KnowledgeOptions { Path = knowledgeFolder }),
        Options.Create(SearchOptionsFor(cacheFolder, indexFolder)),
        new Root(Bench.Root),
        SentenceEmbedder.Shared,
        TimeProvider.System,
        NullLogger<KnowledgeBase>.Instance);

    /// <summary>
    /// The search options of a benchmark run: the defaults (as in appsettings.json), with the large-knowledge-base
    /// settings taken from the environment under the app's own names (<c>Search__LargeArticles=0</c>, for comparison).
    /// </summary>
    private static SearchOptions SearchOptionsFor(string cacheFolder, string indexFolder)
    {
        var options = new SearchOptions { EmbeddingCachePath = cacheFolder, IndexPath = indexFolder };
        static int? Setting(string name) => int.TryParse(Environment.GetEnvironmentVariable($"Search__{name}"), CultureInfo.InvariantCulture, out var value) ? value : null;
        options.LargeArticles = Setting(nameof(SearchOptions.LargeArticles)) ?? options.LargeArticles;
        options.LargeArticleWords = Setting(nameof(SearchOptions.LargeArticleWords)) ?? options.LargeArticleWords;
        options.LargeCandidates = Setting(nameof(SearchOptions.LargeCandidates)) ?? options.LargeCandidates;
        options.ExhaustiveDenseLimit = Setting(nameof(SearchOptions.ExhaustiveDenseLimit)) ?? options.ExhaustiveDenseLimit;
        return options;
    }

    /// <summary>In this process: model load, index build or update (embedding what the cache lacks) and the first answer.</summary>
    public static StartupFigures Start(string knowledgeFolder, string cacheFolder, string indexFolder)
    {
        var clock = Stopwatch.StartNew();
        _ = SentenceEmbedder.Load(Path.GetFullPath(cacheFolder, Bench.Root)); // as the web host does: the int8 model kept in the cache
        var model = clock.Elapsed.TotalMilliseconds;
        using var knowledge = Open(knowledgeFolder, cacheFolder, indexFolder);
        var indexed = clock.Elapsed.TotalMilliseconds;
        var composer = new AnswerComposer(Options.Create(new SearchOptions()));
        var answer = composer.Compose(knowledge.Current.Search("can I drive afterward?"));
        var first = clock.Elapsed.TotalMilliseconds;
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return new StartupFigures(answer.Outcome, model, indexed - model, first, process.WorkingSet64 / 1048576, GC.GetTotalMemory(false) / 1048576,
            knowledge.Current.Knowledge.Articles.Count, knowledge.Current.PassageCount,
            knowledge.LastUpdate.Parsed, knowledge.LastUpdate.Unchanged, knowledge.LastUpdate.EmbeddedTexts);
    }

    /// <summary>
    /// Changes one sentence of the last article (a text the model has not seen), re-indexes, and puts it back: what an
    /// edit of one article costs. The folder is left as it was.
    /// </summary>
    public static string ChangeOneArticle(KnowledgeBase knowledge)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        var article = knowledge.Current.Knowledge.Articles[^1];
        var file = Path.GetFullPath(Path.Combine(Bench.Root, article.Source)); // sources are relative to the content root

        var original = File.ReadAllText(file);
        var unit = article.Passages.First(p => p.UnitCount == 1 && !p.Text.Contains('\n', StringComparison.Ordinal));
        var changed = original.Replace(unit.Text, $"{unit.Text[..^1]}, as the benchmark noted at {DateTime.UtcNow:HH:mm:ss.fff}.", StringComparison.Ordinal);
        try
        {
            File.WriteAllText(file, changed);
            var started = Stopwatch.GetTimestamp();
            knowledge.Reload();
            var edit = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var update = knowledge.LastUpdate;
            File.WriteAllText(file, original);
            started = Stopwatch.GetTimestamp();
            knowledge.Reload();
            var back = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return string.Create(CultureInfo.InvariantCulture,
                $"one article changed: re-indexed in {edit:0} ms ({update.Parsed} parsed, {update.Unchanged} unchanged, {update.Removed} replaced, {update.EmbeddedTexts} texts embedded or looked up); changed back in {back:0} ms");
        }
        finally
        {
            File.WriteAllText(file, original);
        }
    }

    private static StartupFigures StartInChild(string knowledgeFolder, string cacheFolder, string indexFolder)
    {
        var self = Environment.ProcessPath!;
        var arguments = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? $"\"{typeof(SearchBenchmark).Assembly.Location}\" search-start \"{knowledgeFolder}\" \"{cacheFolder}\" \"{indexFolder}\""
            : $"search-start \"{knowledgeFolder}\" \"{cacheFolder}\" \"{indexFolder}\"";
        using var child = Process.Start(new ProcessStartInfo(self, arguments) { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = Bench.Root })!;
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        return JsonSerializer.Deserialize<StartupFigures>(output.Trim().Split('\n')[^1])
            ?? throw new InvalidOperationException("The start-up child printed nothing.");
    }

    /// <summary>
    /// Answer time (search and compose) for each question once, with the model; then the same questions asked again;
    /// then BM25 alone. A few other questions warm the code up first.
    /// </summary>
    public static (LatencyFigures WithModel, LatencyFigures Repeated, LatencyFigures WithoutModel) Latency(KnowledgeBase knowledge, IReadOnlyList<string> questions)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        ArgumentNullException.ThrowIfNull(questions);
        var composer = new AnswerComposer(Options.Create(new SearchOptions()));
        var index = knowledge.Current;
        // Warm-up until .NET's tiered compilation has optimised the code, as in a server that has answered for a minute:
        // a method runs unoptimised for its first 30 calls, and is recompiled in the background once calls have been
        // quiet for 100 ms. Without this, the first questions measured ran unoptimised code and set the p99. Short fixed
        // questions, then the knowledge base's own alternate questions (none of the measured ones), alone and four at a
        // time as one long message, so that the paths of long, worried messages are warm too (2026-11-30 night: with
        // the short questions only, the measured p99 fell from 23.7 to 18.0 ms when the JIT compiled everything first).
        var alternates = index.Knowledge.Questions.Select(q => q.Question).Distinct(StringComparer.Ordinal).Take(WarmUpAlternates).ToList();
        var warmUp = WarmUp
            .Concat(alternates)
            .Concat(alternates.Chunk(4).Select(chunk => string.Join(". ", chunk)))
            .ToList();
        for (var round = 1; round <= WarmUpRounds; round++)
        {
            IEnumerable<string> questionsOfRound = round <= 2 ? warmUp : WarmUp;
            foreach (var warm in questionsOfRound)
            {
                composer.Compose(index.Search($"{warm} ({round})"));
                index.SearchWords($"{warm} ({round})");
            }
        }

        Thread.Sleep(TimeSpan.FromSeconds(1));

        SentenceEmbedder.Shared.ForgetQueries(); // "each question once" means the model runs for each

        var first = Measure(questions, q => composer.Compose(index.Search(q)));
        var again = Measure(questions, q => composer.Compose(index.Search(q)));
        var words = Measure(questions, q => index.SearchWords(q));
        return (first, again, words);
    }

    /// <summary>How long <paramref name="act"/> takes for each item, one after the other.</summary>
    private static LatencyFigures Measure(IReadOnlyList<string> items, Action<string> act)
    {
        var times = new List<double>(items.Count);
        var collections = GC.CollectionCount(0);
        var paused = GC.GetTotalPauseDuration();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        foreach (var item in items)
        {
            var started = Stopwatch.GetTimestamp();
            act(item);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return LatencyFigures.Of(
            times,
            GC.CollectionCount(0) - collections,
            (GC.GetTotalPauseDuration() - paused).TotalMilliseconds,
            items.Count == 0 ? 0 : (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1024.0 / items.Count);
    }

    /// <summary>Typo repair of every distinct word of the questions (4 letters or more, letters only), each once.</summary>
    public static LatencyFigures TypoRepairLatency(KnowledgeBase knowledge, IReadOnlyList<string> questions)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        ArgumentNullException.ThrowIfNull(questions);
        var typos = knowledge.Current.Typos;
        var words = questions.SelectMany(TextAnalysis.Words).Where(w => w.Length >= 4 && w.All(char.IsLetter)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var warm in words.Take(50))
        {
            typos.Correct(warm);
        }

        return Measure(words, word => typos.Correct(word));
    }

    private const int WarmUpRounds = 6;

    /// <summary>How many of the knowledge base's alternate questions warm the code up (each alone, then four in one message).</summary>
    private const int WarmUpAlternates = 400;

    private static readonly string[] WarmUp =
    [
        "warm up: how long is the drive home", "warm up: what do the nurses check", "warm up: is the room quiet",
        "warm up: can my partner come", "warm up: does it hurt", "warm up: what should I wear", "warm up: how many sessions",
        "warm up: what happens after", "warm up: do I feel sleepy", "warm up: is music allowed",
    ];

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class Root(string path) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";
        public string ApplicationName { get; set; } = "FaqBot.Bench";
        public string ContentRootPath { get; set; } = path;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
