using FaqBot.Search;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Search;

public sealed class PassageIndexTests : IDisposable
{
    private readonly FaqBot.Knowledge.KnowledgeBase _knowledge = TestPaths.Knowledge();

    public void Dispose() => _knowledge.Dispose();

    [Fact]
    public void Uses_an_fts5_index_with_its_own_vocabulary()
    {
        Assert.True(_knowledge.Current.VocabularySize() > 500);
        Assert.True(_knowledge.Current.PassageCount > 300);
    }

    [Theory]
    [InlineData("can I drive afterward?", "drive")]
    [InlineData("wat does an infussion feel lik", "")]
    [InlineData("is it ok to have cofee before", "caffeine")]
    public void Synonyms_and_typos_reach_the_passage_that_answers(string question, string expected)
    {
        var result = _knowledge.Current.Search(question);
        Assert.NotNull(result.Best);
        Assert.Contains(expected, result.Best!.Passage.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Typos_are_repaired_against_the_index_vocabulary()
    {
        var analyzed = _knowledge.Current.Analyzer.Analyze("is nausia common after the infussion");
        Assert.Contains(analyzed.Corrections, c => c is ("infussion", "infusion"));
        Assert.Contains(analyzed.Corrections, c => c is ("nausia", "nausea"));
    }

    [Fact]
    public void A_heading_on_its_own_is_never_an_answer()
    {
        // "Benefits Of Ketamine" is a heading with no text of its own.
        var result = _knowledge.Current.Search("Benefits Of Ketamine");
        Assert.All(result.Ranked, r => Assert.NotEqual("Benefits Of Ketamine", r.Passage.Text.Trim()));
        Assert.All(result.Ranked.Where(r => r.Coverage > 0), r => Assert.True(r.Passage.Text.Length > 20));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("the and of a")]
    [InlineData("что такое кетамин")]
    [InlineData("氯胺酮是什么")]
    [InlineData("\"quoted\" OR NEAR(x y) * ^ : -")]
    public void Questions_with_nothing_to_search_get_no_confident_passage(string question)
    {
        var result = _knowledge.Current.Search(question);
        Assert.True(result.Confidence < 0.42, $"confidence {result.Confidence}");
    }

    [Theory]
    [InlineData("what should I do after my infusion?")]
    [InlineData("can it help with anxiety too or just depression")]
    [InlineData("what does getting an infusion feel like")]
    public void The_best_quote_never_talks_about_the_article_or_ends_on_a_question(string question)
    {
        var best = _knowledge.Current.Search(question).Best!.Passage.Text;
        Assert.DoesNotContain("we’ll explore", best, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("this article aims", best, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("keep reading", best, StringComparison.OrdinalIgnoreCase);
        Assert.False(best.TrimEnd().EndsWith('?'), best);
    }

    [Fact]
    public void When_our_stems_and_porter_disagree_every_form_is_searched()
    {
        // "waking" is rare for our stemmer but FTS5's Porter stem finds nothing for it alone.
        Assert.NotEmpty(_knowledge.Current.Search("waking ketamine").Ranked);
    }

    [Fact]
    public void Stemmer_maps_inflections_together()
    {
        Assert.Equal(Stemmer.Stem("drive"), Stemmer.Stem("driving"));
        Assert.Equal(Stemmer.Stem("infusion"), Stemmer.Stem("infusions"));
        Assert.Equal(Stemmer.Stem("operate"), Stemmer.Stem("operating"));
        Assert.NotEqual(Stemmer.Stem("during"), Stemmer.Stem("duration"));
    }
}
