using FaqBot.Knowledge;
using FaqBot.Search;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Knowledge;

public sealed class KnowledgeBaseTests
{
    [Fact]
    public void A_broken_file_is_reported_and_skipped_while_the_others_keep_working()
    {
        var folder = TestPaths.CopyKnowledge();
        File.WriteAllText(Path.Combine(folder, "broken.md"), "---\ntitle: [oops\n---\nText.");

        using var knowledge = TestPaths.Knowledge(folder);

        Assert.Equal(5, knowledge.Current.Knowledge.Articles.Count);
        var problem = Assert.Single(knowledge.Current.Knowledge.Problems);
        Assert.EndsWith("broken.md", problem.Source, StringComparison.Ordinal);
        Assert.NotEmpty(knowledge.Current.Search("can I drive afterward?").Ranked);
    }

    [Fact]
    public void A_missing_or_empty_knowledge_folder_is_a_clear_start_up_error()
    {
        var missing = Path.Combine(TestPaths.TempRoot, Guid.NewGuid().ToString("N"), "knowledge");
        var ex = Assert.Throws<KnowledgeUnavailableException>(() => TestPaths.Knowledge(missing));
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);

        Directory.CreateDirectory(missing);
        File.WriteAllText(Path.Combine(missing, "synonyms.txt"), "drive, car");
        ex = Assert.Throws<KnowledgeUnavailableException>(() => TestPaths.Knowledge(missing));
        Assert.Contains("no usable article", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Editing_adding_and_deleting_articles_reindexes_without_a_restart()
    {
        var folder = TestPaths.CopyKnowledge();
        using var knowledge = TestPaths.Knowledge(folder, reloadDelayMs: 100);
        knowledge.StartWatching();
        var before = knowledge.Current;

        var added = Path.Combine(folder, "parking.md");
        await File.WriteAllTextAsync(added, "---\ntitle: \"Zebra Policy\"\nsource: test\nreviewed: 2026-11-01\n---\n\n## Zebras\n\nZebras are welcome in the waiting room on Tuesdays.\n");
        var afterAdd = await WaitForAsync(knowledge, before, i => i.Knowledge.Articles.Any(a => a.Title == "Zebra Policy"));
        Assert.Contains(afterAdd.Search("are zebras welcome?").Ranked.Take(1), r => r.Passage.Title == "Zebra Policy");

        File.Delete(added);
        await WaitForAsync(knowledge, afterAdd, i => i.Knowledge.Articles.All(a => a.Title != "Zebra Policy"));
    }

    [Fact]
    public async Task A_file_broken_by_an_edit_is_skipped_and_the_rest_stays_searchable()
    {
        var folder = TestPaths.CopyKnowledge();
        using var knowledge = TestPaths.Knowledge(folder, reloadDelayMs: 100);
        knowledge.StartWatching();
        var before = knowledge.Current;
        var victim = Directory.GetFiles(folder, "*.md")[0];

        await File.WriteAllTextAsync(victim, "no front matter at all");
        var after = await WaitForAsync(knowledge, before, i => i.Knowledge.Articles.Count == 4);

        // The broken file is reported, and so are the alternate questions that pointed into it.
        Assert.Contains(after.Knowledge.Problems, p => p.Source.EndsWith(Path.GetFileName(victim), StringComparison.Ordinal));
        Assert.All(after.Knowledge.Problems.Where(p => p.Source.EndsWith("questions.yaml", StringComparison.Ordinal)), p => Assert.Contains(Path.GetFileName(victim), p.Reason, StringComparison.Ordinal));
        Assert.NotEmpty(after.Search("what does an infusion feel like").Ranked);
    }

    private static async Task<FaqBot.Search.PassageIndex> WaitForAsync(KnowledgeBase knowledge, FaqBot.Search.PassageIndex previous, Func<FaqBot.Search.PassageIndex, bool> condition)
    {
        // File-system events on a loaded machine can take a while; wait generously, assert on the outcome.
        for (var i = 0; i < 300; i++)
        {
            var current = knowledge.Current;
            if (!ReferenceEquals(current, previous) && condition(current))
            {
                return current;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("the knowledge base did not re-index within 30 seconds");
    }
}
