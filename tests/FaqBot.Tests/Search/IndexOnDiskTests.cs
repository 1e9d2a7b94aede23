using System.Collections.Concurrent;
using System.Text.Json;
using FaqBot.Search;
using FaqBot.Search.Analysis;
using FaqBot.Tests.Infrastructure;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Microsoft.Extensions.Logging;

namespace FaqBot.Tests.Search;

/// <summary>The Lucene index on disk: kept between starts, updated one article at a time, rebuilt when it does not fit.</summary>
public sealed class IndexOnDiskTests
{
    private static readonly string[] Questions = [.. File.ReadLines(TestPaths.Data("questions.jsonl"))
        .Where(l => l.Trim().Length > 0)
        .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("q").GetString()!)
        .Take(40)];

    [Fact]
    public void A_restart_with_an_existing_index_gives_the_same_answers_without_reading_or_embedding_unchanged_articles()
    {
        var folder = TestPaths.CopyKnowledge();
        var index = TestPaths.NewIndexFolder();
        List<string> first;
        using (var knowledge = TestPaths.Knowledge(folder, indexPath: index))
        {
            Assert.True(knowledge.IndexOnDisk);
            Assert.True(knowledge.LastUpdate.FromScratch);
            Assert.Equal(5, knowledge.LastUpdate.Parsed);
            Assert.True(knowledge.LastUpdate.EmbeddedTexts > 300);
            first = Answers(knowledge);
        }

        using (var restarted = TestPaths.Knowledge(folder, indexPath: index))
        {
            Assert.False(restarted.LastUpdate.FromScratch);
            Assert.Equal(0, restarted.LastUpdate.Parsed);
            Assert.Equal(5, restarted.LastUpdate.Unchanged);
            Assert.Equal(0, restarted.LastUpdate.Removed);
            Assert.Equal(0, restarted.LastUpdate.EmbeddedTexts);
            Assert.Equal(first, Answers(restarted));

            // What an answer and its citation need comes from the index: the units and the article's text, verbatim.
            var article = restarted.Current.Knowledge.Articles[0];
            var text = File.ReadAllText(Path.Combine(folder, Path.GetFileName(article.Source)));
            Assert.Equal(text, article.Text);
            Assert.All(article.Passages, p => Assert.Equal(text[p.Start..p.End], p.Text));
        }

        // The same answers as an index built in memory (no index folder at all).
        using var inMemory = TestPaths.Knowledge(folder, indexPath: "");
        Assert.False(inMemory.IndexOnDisk);
        Assert.Equal(first, Answers(inMemory));
    }

    [Fact]
    public void Changing_one_article_reindexes_only_that_article()
    {
        var folder = TestPaths.CopyKnowledge();
        using var knowledge = TestPaths.Knowledge(folder, indexPath: TestPaths.NewIndexFolder());
        var victim = knowledge.Current.Knowledge.Articles[1];
        var old = victim.Passages.First(p => p.UnitCount == 1 && p.Text.Length > 60 && !p.Text.Contains('\n', StringComparison.Ordinal));
        var others = Units(knowledge, exceptSource: victim.Source);
        var path = Path.Combine(folder, Path.GetFileName(victim.Source));
        File.WriteAllText(path, File.ReadAllText(path).Replace(old.Text, "Zebras are welcome in the waiting room on Tuesdays.", StringComparison.Ordinal));

        Assert.True(knowledge.Reload());

        Assert.Equal(new IndexUpdate(1, 4, 1, knowledge.LastUpdate.EmbeddedTexts, false, knowledge.LastUpdate.Elapsed), knowledge.LastUpdate);
        var best = knowledge.Current.Search("are zebras welcome in the waiting room?").Best;
        Assert.NotNull(best);
        Assert.Equal(victim.Source, best!.Passage.Source);
        Assert.StartsWith("Zebras are welcome", best.Passage.Text, StringComparison.Ordinal);
        var changed = knowledge.Current.Knowledge.Articles.Single(a => a.Source == victim.Source);
        Assert.DoesNotContain(changed.Passages, p => p.Text.Contains(old.Text, StringComparison.Ordinal));
        Assert.DoesNotContain(knowledge.Current.Search(old.Text).Ranked, r => r.Passage.Text.Contains(old.Text, StringComparison.Ordinal) && r.Passage.Source == victim.Source);
        Assert.Equal(others, Units(knowledge, exceptSource: victim.Source));
    }

    [Fact]
    public void An_update_of_one_article_in_ten_or_more_is_merged_into_one_segment_and_a_smaller_one_is_not()
    {
        // Five articles: one changed is a fifth of them, merged (each question's terms are then scored in one segment).
        var five = TestPaths.CopyKnowledge();
        var fiveIndex = TestPaths.NewIndexFolder();
        using (var knowledge = TestPaths.Knowledge(five, indexPath: fiveIndex))
        {
            AppendTo(five, knowledge.Current.Knowledge.Articles[1].Source, "Zebras are welcome in the waiting room on Tuesdays.");
            Assert.True(knowledge.Reload());
            Assert.Equal(1, knowledge.LastUpdate.Parsed);
            Assert.Equal(1, Segments(fiveIndex));
        }

        // Eleven articles (copies under other names): one changed is less than a tenth, left to the merge policy.
        var eleven = TestPaths.CopyKnowledge();
        var articles = System.IO.Directory.GetFiles(eleven, "*.md").Order(StringComparer.Ordinal).ToList();
        for (var copy = 0; copy < 6; copy++)
        {
            File.Copy(articles[copy % articles.Count], Path.Combine(eleven, $"zz-copy-{copy}.md"));
        }

        var elevenIndex = TestPaths.NewIndexFolder();
        using (var knowledge = TestPaths.Knowledge(eleven, indexPath: elevenIndex))
        {
            Assert.Equal(11, knowledge.Current.Knowledge.Articles.Count);
            Assert.Equal(1, Segments(elevenIndex));
            AppendTo(eleven, knowledge.Current.Knowledge.Articles[1].Source, "Zebras are welcome in the waiting room on Tuesdays.");
            Assert.True(knowledge.Reload());
            Assert.Equal(1, knowledge.LastUpdate.Parsed);
            Assert.Equal(2, Segments(elevenIndex));
        }
    }

    private static void AppendTo(string folder, string source, string sentence)
    {
        var path = Path.Combine(folder, Path.GetFileName(source));
        File.AppendAllText(path, $"\n\n{sentence}\n");
    }

    private static int Segments(string indexFolder)
    {
        using var directory = FSDirectory.Open(Path.Combine(indexFolder, "passages"));
        using var reader = DirectoryReader.Open(directory);
        return reader.Leaves.Count;
    }

    [Fact]
    public void Deleting_an_article_removes_its_answer_units()
    {
        var folder = TestPaths.CopyKnowledge();
        using var knowledge = TestPaths.Knowledge(folder, indexPath: TestPaths.NewIndexFolder());
        var victim = knowledge.Current.Knowledge.Articles[0];
        var count = knowledge.Current.PassageCount;
        File.Delete(Path.Combine(folder, Path.GetFileName(victim.Source)));

        Assert.True(knowledge.Reload());

        Assert.Equal(0, knowledge.LastUpdate.Parsed);
        Assert.Equal(1, knowledge.LastUpdate.Removed);
        Assert.Equal(4, knowledge.Current.Knowledge.Articles.Count);
        Assert.Equal(count - victim.Passages.Count, knowledge.Current.PassageCount);
        foreach (var question in Questions)
        {
            Assert.DoesNotContain(knowledge.Current.Search(question).Ranked, r => r.Passage.Source == victim.Source);
        }
    }

    [Fact]
    public void An_index_built_with_another_model_is_rebuilt_from_scratch_with_a_log_line()
    {
        var folder = TestPaths.CopyKnowledge();
        var index = TestPaths.NewIndexFolder();
        List<string> first;
        using (var knowledge = TestPaths.Knowledge(folder, indexPath: index))
        {
            first = Answers(knowledge);
        }

        using (var directory = FSDirectory.Open(Path.Combine(index, "passages")))
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(TextAnalysis.Version, TextAnalysis.Stems)))
        {
            writer.SetCommitData(new Dictionary<string, string>(writer.CommitData) { ["model"] = "another-model" });
            writer.Commit();
        }

        var logs = new ListLogger();
        using var rebuilt = TestPaths.Knowledge(folder, indexPath: index, logger: logs);
        Assert.Contains(logs.Lines, l => l.Contains("rebuilt from scratch", StringComparison.Ordinal) && l.Contains("another embedding model", StringComparison.Ordinal));
        Assert.True(rebuilt.LastUpdate.FromScratch);
        Assert.Equal(5, rebuilt.LastUpdate.Parsed);
        Assert.Equal(first, Answers(rebuilt));
    }

    [Fact]
    public void A_corrupt_index_is_rebuilt_from_scratch_with_a_log_line()
    {
        var folder = TestPaths.CopyKnowledge();
        var index = TestPaths.NewIndexFolder();
        List<string> first;
        using (var knowledge = TestPaths.Knowledge(folder, indexPath: index))
        {
            first = Answers(knowledge);
        }

        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(index, "passages")).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)))
        {
            File.WriteAllBytes(file, [.. Enumerable.Repeat((byte)0x5A, 64)]);
        }

        var logs = new ListLogger();
        using var rebuilt = TestPaths.Knowledge(folder, indexPath: index, logger: logs);
        Assert.Contains(logs.Lines, l => l.Contains("rebuilt from scratch", StringComparison.Ordinal));
        Assert.True(rebuilt.IndexOnDisk);
        Assert.Equal(5, rebuilt.LastUpdate.Parsed);
        Assert.Equal(first, Answers(rebuilt));
    }

    [Fact]
    public void An_index_another_instance_holds_leaves_this_one_an_index_in_memory()
    {
        var folder = TestPaths.CopyKnowledge();
        var index = TestPaths.NewIndexFolder();
        using var holder = TestPaths.Knowledge(folder, indexPath: index);
        var logs = new ListLogger();
        using var second = TestPaths.Knowledge(folder, indexPath: index, logger: logs);
        Assert.True(holder.IndexOnDisk);
        Assert.False(second.IndexOnDisk);
        Assert.Contains(logs.Lines, l => l.Contains("in use by another process", StringComparison.Ordinal));
        Assert.Equal(Answers(holder), Answers(second));
    }

    /// <summary>Outcome-relevant facts of the top three passages for each question: article, section, unit, score.</summary>
    private static List<string> Answers(KnowledgeBase knowledge) =>
        [.. Questions.Select(q => string.Join(" | ", knowledge.Current.Search(q).Ranked.Take(3).Select(r => $"{r.Passage.Source}#{r.Passage.Id} {r.Passage.Section} {r.Score:0.000000} {r.Passage.Text}")))];

    private static List<string> Units(KnowledgeBase knowledge, string exceptSource) =>
        [.. knowledge.Current.Knowledge.Articles.Where(a => a.Source != exceptSource).SelectMany(a => a.Passages).Select(p => $"{p.Source}#{p.Id} {p.Start}-{p.End} {p.Text}")];

    private sealed class ListLogger : ILogger<KnowledgeBase>
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
