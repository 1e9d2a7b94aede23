using FaqBot.Knowledge;
using FaqBot.Search;
using FaqBot.Search.Embedding;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Search;

public sealed class PassageIndexTests : IDisposable
{
    private readonly KnowledgeBase _knowledge = TestPaths.Knowledge();

    public void Dispose() => _knowledge.Dispose();

    [Fact]
    public void Uses_a_lucene_index_with_its_own_vocabulary()
    {
        Assert.True(_knowledge.Current.VocabularySize() > 500);
        Assert.True(_knowledge.Current.PassageCount > 300);
        Assert.True(_knowledge.Current.DocumentFrequency("ketamin") > 50);
        Assert.Equal(0, _knowledge.Current.DocumentFrequency("acne"));
    }

    [Theory]
    [InlineData("can I drive afterward?", "driv")]
    [InlineData("wat does an infussion feel lik", "dream-like")]
    [InlineData("is it ok to have cofee before", "caffeine")]
    public void Synonyms_typos_and_meaning_reach_the_passage_that_answers(string question, string expected)
    {
        var result = _knowledge.Current.Search(question);
        Assert.NotNull(result.Best);
        Assert.Contains(expected, result.Best!.Passage.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Typos_are_repaired_against_the_index_vocabulary()
    {
        var result = _knowledge.Current.Search("is nausia common after the infussion");
        Assert.Contains(result.Corrections, c => c is ("infussion", "infusion"));
        Assert.Contains(result.Corrections, c => c is ("nausia", "nausea"));
        Assert.Contains("infusion", result.Searched, StringComparison.Ordinal);
    }

    private static IReadOnlySet<string> WholeWords => SentenceEmbedder.WholeWords;

    [Theory]
    [InlineData("can u get addicted to this stuff?", "stuff")] // was "staff"
    [InlineData("do i have to stop my coffee before", "stop")] // was "step"
    public void A_word_the_model_knows_whole_is_never_repaired_into_a_word_of_the_articles(string question, string word)
    {
        Assert.Contains(word, WholeWords);
        var result = _knowledge.Current.Search(question);
        Assert.DoesNotContain(result.Corrections, c => c.From == word);
        Assert.Contains(word, result.Searched, StringComparison.Ordinal);
    }

    [Fact]
    public void The_model_knows_common_words_whole_but_not_typos_or_word_pieces()
    {
        Assert.InRange(SentenceEmbedder.WholeWords.Count, 15_000, 30_000);
        Assert.Contains("uncle", WholeWords);
        Assert.DoesNotContain("nausia", WholeWords);
        Assert.DoesNotContain("apointment", WholeWords);
        Assert.All(SentenceEmbedder.WholeWords, w => Assert.Matches("^[a-z]+$", w));
    }

    [Theory]
    [InlineData("i cant eat before?", "cant")]
    [InlineData("why shouldnt i drive after", "shouldnt")]
    [InlineData("i wont be able to get a ride", "wont")]
    [InlineData("what if theyre not sure it worked", "theyre")]
    [InlineData("i dont want to drive home", "dont")]
    public void A_negation_typed_without_its_apostrophe_is_never_repaired_into_the_word_it_negates(string question, string word)
    {
        var result = _knowledge.Current.Search(question);
        Assert.DoesNotContain(result.Corrections, c => c.From == word);
        Assert.Contains(word, result.Searched, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_candidate_carries_its_dense_and_bm25_parts_and_lucene_explains_the_bm25_part()
    {
        var index = _knowledge.Current;
        var result = index.Search("how long does the infusion take");
        var best = result.Best!;
        Assert.InRange(best.Dense, 0.3, 1.0);
        Assert.True(best.RawBm25 > 0);
        Assert.Contains("BM25Similarity", index.ExplainBm25(result, best), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("🙂🙂🙂")]
    [InlineData("\"quoted\" OR NEAR(x y) * ^ : -")]
    public void Questions_with_nothing_to_search_get_no_passage(string question)
    {
        var result = _knowledge.Current.Search(question);
        Assert.Equal(0, result.Confidence);
    }

    [Theory]
    [InlineData("can ketamine clear up acne")]
    [InlineData("does ketamine help with tinnitus")]
    [InlineData("is it safe with my asthma inhaler")]
    public void A_question_whose_meaning_rests_on_words_the_articles_never_use_is_out_of_scope(string question)
    {
        var result = _knowledge.Current.Search(question);
        Assert.NotEmpty(result.UnknownWords);
        Assert.True(result.OutOfScope, $"similarity without {string.Join(",", result.UnknownWords)}: {result.WithoutUnknownSimilarity}");
    }

    [Theory]
    [InlineData("does your clinic offer MRT as well", "mrt")]
    [InlineData("can I pay for it with FSA money", "fsa")]
    public void A_short_word_typed_in_capitals_is_a_name_and_can_be_an_unknown_topic(string question, string acronym)
    {
        var result = _knowledge.Current.Search(question);
        Assert.Contains(acronym, result.UnknownWords);
        Assert.Empty(result.Corrections); // never "repaired" into a word of the articles
    }

    [Theory]
    [InlineData("wat do i eat b4 it")]
    [InlineData("CAN I EAT BEFORE THE INFUSION")] // all in capitals: no acronym
    public void Short_words_in_lower_case_or_in_an_all_capitals_message_are_never_unknown_topics(string question)
    {
        var result = _knowledge.Current.Search(question);
        Assert.DoesNotContain(result.UnknownWords, w => w.Length < 4);
    }

    [Fact]
    public void Words_the_articles_use_in_another_form_are_not_unknown()
    {
        var result = _knowledge.Current.Search("what do the infusions feel like");
        Assert.Empty(result.UnknownWords);
        Assert.False(result.OutOfScope);
    }

    [Theory]
    [InlineData("is tiredness normal the day after", "tiredness")]
    [InlineData("will i feel loopy during it", "loopy")]
    public void A_word_of_the_curated_alternate_questions_is_not_an_unknown_topic(string question, string word)
    {
        var index = _knowledge.Current;
        Assert.DoesNotContain(index.Knowledge.Articles, a => System.Text.RegularExpressions.Regex.IsMatch(a.Text, $@"\b{word}\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
        Assert.Contains(index.Knowledge.Questions, q => !q.Taught && q.Question.Contains(word, StringComparison.OrdinalIgnoreCase));

        var result = index.Search(question);

        Assert.DoesNotContain(word, result.UnknownWords);
        Assert.False(result.OutOfScope);
    }

    [Fact]
    public void An_alternate_question_lifts_the_unit_it_belongs_to()
    {
        var index = _knowledge.Current;
        var (question, unit) = index.Knowledge.Questions.Select(q => (q.Question, q.Passage)).First();
        var best = index.Search(question).Ranked.First(r => r.Passage.Id == unit.Id);
        Assert.True(best.Alternate > best.Dense, $"alternate {best.Alternate} dense {best.Dense}");
    }

    [Theory]
    [InlineData("what should I do after my infusion?")]
    [InlineData("can it help with anxiety too or just depression")]
    [InlineData("what does getting an infusion feel like")]
    public void The_best_quote_never_talks_about_the_article_or_ends_on_a_question(string question)
    {
        var best = _knowledge.Current.Search(question).Best!.Passage.Text;
        Assert.DoesNotContain("we’ll explore", best, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("this guide aims", best, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("keep reading", best, StringComparison.OrdinalIgnoreCase);
        Assert.False(best.TrimEnd().EndsWith('?'), best);
    }

    [Fact]
    public void Stories_are_marked_in_the_shipped_articles()
    {
        var passages = _knowledge.Current.Knowledge.Articles.SelectMany(a => a.Passages).ToList();
        Assert.Contains(passages, p => p.Kind == ContentKind.Story && p.Text.Contains("I asked a trusted friend to drive me", StringComparison.Ordinal));
        Assert.Contains(passages, p => p.Kind == ContentKind.Guidance);
    }

    [Fact]
    public void A_question_the_clinic_taught_is_in_scope_even_with_words_the_articles_never_use()
    {
        const string Question = "can my parrot keep me company during the drip";
        using var knowledge = TestPaths.Knowledge();
        var before = knowledge.Current.Search(Question);
        Assert.True(before.OutOfScope, $"'{Question}' should be out of scope before teaching (unknown: {string.Join(", ", before.UnknownWords)})");

        var unit = knowledge.Current.Knowledge.Articles.SelectMany(a => a.Passages).First(p => p.Kind == ContentKind.Guidance);
        knowledge.UseTaught([new TaughtQuestion(1, Question, unit.Source, unit.Section, unit.Text, "st_test", DateTimeOffset.UnixEpoch)]);
        var taught = knowledge.Current.Search(Question);

        Assert.False(taught.OutOfScope);
        Assert.Equal(unit.Id, taught.Best!.Passage.Id);
        Assert.True(knowledge.Current.Search("can my parrot fly to the moon").OutOfScope); // an unrelated question with the same unknown word does not ride on it
    }

    [Fact]
    public void A_question_asked_again_without_context_gets_the_remembered_result_and_a_follow_up_is_worked_out_afresh()
    {
        using var knowledge = TestPaths.Knowledge();
        var index = knowledge.Current;

        var first = index.Search("can I drive afterward?");
        var again = index.Search("  can I drive afterward?  ");
        var context = new SearchContext("can I drive afterward?", first.Best!.Passage.Source, first.Best.Passage.Section);
        var followUp = index.Search("can I drive afterward?", context);

        Assert.Same(first, again);
        Assert.NotSame(first, followUp);
        Assert.NotSame(followUp, index.Search("can I drive afterward?", context));
        Assert.Equal(first.Best.Passage.Id, again.Best!.Passage.Id);
    }
}
