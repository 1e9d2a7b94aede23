using FaqBot.Bench;
using FaqBot.Knowledge;
using FaqBot.Safety;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Bench;

/// <summary>
/// One small run of each benchmark scenario (bench/FaqBot.Bench), so the suite cannot rot: it runs, it answers,
/// its figures are produced. Nothing here times anything; the figures come from the benchmarks themselves.
/// </summary>
public sealed class BenchmarkScenarioTests : IDisposable
{
    private readonly string _folder = Path.Combine(TestPaths.TempRoot, "bench-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_server_gc_watch_counts_collections_pauses_and_allocations_of_a_process()
    {
        // The load step attaches to the server's process; here to this one, whose collections the test causes.
        using var watch = ServerGcWatch.TryAttach(Environment.ProcessId);
        Assert.NotNull(watch);
        var measure = watch.Start(messages: 1);
        var figures = measure();
        // Events arrive late and other tests' collections count too: go on until every figure checked below has arrived.
        static bool Complete(ServerGcFigures f) => f.Collections >= 2 && f.Gen1 >= 1 && f.PauseMs > 0 && f.AllocatedKbPerMessage >= 4096;
        for (var attempt = 0; attempt < 300 && !Complete(figures); attempt++)
        {
            var garbage = new List<byte[]>();
            for (var i = 0; i < 64; i++)
            {
                garbage.Add(new byte[64 * 1024]);
            }

            GC.KeepAlive(garbage);
            GC.Collect(1, GCCollectionMode.Forced, blocking: true);
            await Task.Delay(100);
            figures = measure();
        }

        Assert.True(figures.Collections >= 2, figures.ToString());
        Assert.True(figures.Gen1 >= 1, figures.ToString());
        Assert.True(figures.PauseMs > 0, figures.ToString());
        Assert.True(figures.AllocatedKbPerMessage >= 4096, figures.ToString());
    }

    [Fact]
    public void Generated_knowledge_base_loads_with_the_requested_articles_and_keeps_story_sections()
    {
        var kb = KnowledgeGenerator.Generate(Path.Combine(Infrastructure.TestPaths.Root, "knowledge"), Path.Combine(_folder, "kb"), 12);

        var set = KnowledgeLoader.Load(kb, "synonyms.txt", Infrastructure.TestPaths.Root, new DateOnly(2026, 11, 29));

        Assert.Equal(12, set.Articles.Count);
        Assert.Empty(set.Problems);
        var generated = set.Articles.Where(a => a.Source.Contains("generated/", StringComparison.Ordinal)).ToList();
        Assert.Equal(7, generated.Count);
        Assert.All(generated, a => Assert.NotEmpty(a.Passages));
        // Every passage of a generated article is a verbatim passage of a real one, with the same kind.
        var real = set.Articles.Except(generated).SelectMany(a => a.Passages).Select(p => (p.Text, p.Kind)).ToHashSet();
        Assert.All(generated.SelectMany(a => a.Passages), p => Assert.Contains((p.Text, p.Kind), real));
        Assert.NotEmpty(set.Questions);
    }

    [Fact]
    public void Search_scenario_starts_answers_and_produces_its_figures()
    {
        var kb = KnowledgeGenerator.Generate(Path.Combine(Infrastructure.TestPaths.Root, "knowledge"), Path.Combine(_folder, "kb"), 8);
        var cache = Infrastructure.TestPaths.EmbeddingCache; // shared by the tests: the real passages are embedded once per machine

        var index = Path.Combine(_folder, "index");

        var start = SearchBenchmark.Start(kb, cache, index);
        using var knowledge = SearchBenchmark.Open(kb, cache, index);
        var (withModel, repeated, withoutModel) = SearchBenchmark.Latency(knowledge, ["can I drive afterward?", "does the infusion hurt"]);
        var typos = SearchBenchmark.TypoRepairLatency(knowledge, ["can I drive afterward?", "does the infuson hurt"]);

        Assert.Equal("answer", start.Outcome);
        Assert.Equal(8, start.Articles);
        Assert.True(start.Passages > 0 && start.WorkingSetMiB > 0 && start.IndexMs > 0);
        Assert.Equal(8, start.Parsed);
        Assert.Equal(knowledge.Current.PassageCount, start.Passages);
        Assert.Equal(0, knowledge.LastUpdate.Parsed); // the restart reads no unchanged article
        var before = File.ReadAllText(Directory.GetFiles(kb, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Last());
        Assert.Contains("one article changed: re-indexed in", SearchBenchmark.ChangeOneArticle(knowledge), StringComparison.Ordinal);
        Assert.Equal(1, knowledge.LastUpdate.Parsed);
        Assert.Equal(before, File.ReadAllText(Directory.GetFiles(kb, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Last()));
        Assert.Equal(5, typos.Questions); // drive, afterward, does, infuson, hurt
        Assert.True(typos.P50 >= 0 && typos.P99 >= typos.P50 && typos.Max >= typos.P99);
        foreach (var figures in new[] { withModel, repeated, withoutModel })
        {
            Assert.Equal(2, figures.Questions);
            Assert.True(figures.P50 > 0 && figures.P99 >= figures.P50 && figures.Max >= figures.P99);
            Assert.True(figures.AllocatedKiB > 0 && figures.Collections >= 0 && figures.PausedMs >= 0);
            Assert.Contains("KiB allocated per item", figures.ToString(), StringComparison.Ordinal);
        }

        Assert.Contains("machine: ", FaqBot.Bench.Bench.Machine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_scenario_gets_every_reply_over_the_websockets_and_produces_its_figures()
    {
        using var server = new FaqBotServer();
        await using var run = await LoadRun.OpenAsync(server.BaseAddress, conversations: 2, crisisConversations: 1);

        var figures = await run.StepAsync(["can I drive afterward?", "what does it feel like?", "hello"], rate: 8, seconds: 1, drainSeconds: 60, server: null);

        Assert.Equal(8, figures.Sent);
        Assert.Equal(0, figures.Errors);
        Assert.Equal(0, figures.FailedPosts);
        Assert.Equal(8, figures.Replied);
        Assert.True(figures.CrisisSent > 0);
        Assert.Equal(figures.CrisisSent, figures.CrisisReplied);
        Assert.True(figures.P50 > 0 && figures.P99 >= figures.P50 && figures.CrisisP99 > 0 && figures.Throughput > 0);
        Assert.Contains("POST-to-reply p50", figures.ToString(), StringComparison.Ordinal);
        Assert.True(figures.Generator is { CpuMsPerMessage: > 0, GcPauseMs: >= 0, Collections: >= 0, KbPerMessage: > 0 }, figures.ToString());
        Assert.Contains("load generator CPU", figures.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Safety_screen_benchmark_sets_up_and_screens()
    {
        var benchmark = new SafetyScreenBenchmark();
        benchmark.Setup();
        try
        {
            // The benchmark screens the tuning set's messages in turn: crises and ordinary messages both come up.
            var levels = Enumerable.Range(0, 250).Select(_ => benchmark.Screen()).ToList();
            Assert.Contains(SafetyLevel.Crisis, levels);
            Assert.Contains(SafetyLevel.None, levels);
        }
        finally
        {
            benchmark.Cleanup();
        }
    }

    [Fact]
    public async Task Message_writes_benchmark_stores_each_message_its_reply_and_its_turn()
    {
        var benchmark = new MessageWritesBenchmark();
        await benchmark.SetupAsync();
        try
        {
            // Conversations are taken in turn: a conversation's first message is sequence 1 and its reply 2; after the
            // 200 conversations the first one's second message is 3 and its reply 4.
            var replies = new List<long>();
            for (var i = 0; i < 201; i++)
            {
                replies.Add(await benchmark.MessageAsync());
            }

            Assert.All(replies.Take(200), sequence => Assert.Equal(2, sequence));
            Assert.Equal(4, replies[200]);
            Assert.True(await benchmark.ReadState() >= 1); // the read the turns start with: a state saved since
        }
        finally
        {
            benchmark.Cleanup();
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
