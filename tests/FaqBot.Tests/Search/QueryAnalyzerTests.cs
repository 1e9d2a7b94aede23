using FaqBot.Knowledge;
using FaqBot.Search;

namespace FaqBot.Tests.Search;

public sealed class QueryAnalyzerTests
{
    private static readonly QueryAnalyzer Analyzer = new(
        Synonyms.Parse("duration, how long, length, lasts\nquickly, quick, fast, soon\n"),
        new Dictionary<string, int> { ["nausea"] = 3, ["less"] = 9, ["water"] = 4, ["making"] = 2, ["infusion"] = 20 });

    [Theory]
    [InlineData("nausia after the infusion", "nausia", "nausea")]
    [InlineData("how long is an infussion", "infussion", "infusion")]
    public void Repairs_misspellings_that_keep_the_first_letter(string question, string from, string to)
    {
        Assert.Contains((from, to), Analyzer.Analyze(question).Corrections);
    }

    [Theory]
    [InlineData("does it help hair loss")] // four letters: "loss" is a word, not a typo of "less"
    [InlineData("what's the weather tomorrow")] // two edits on a seven-letter word
    [InlineData("what's it like waking up")] // a different first letter
    public void Leaves_real_words_alone(string question)
    {
        Assert.Empty(Analyzer.Analyze(question).Corrections);
    }

    [Theory]
    [InlineData("how long does the infusion last", "how long", AnswerKind.Duration)]
    [InlineData("how long until it works", "how long", AnswerKind.Speed)]
    [InlineData("how soon will I feel better", "soon", AnswerKind.Speed)]
    public void Marks_the_frame_of_how_questions_with_its_answer_kind(string question, string term, AnswerKind kind)
    {
        var concept = Assert.Single(Analyzer.Analyze(question).Concepts, c => c.Term == term);
        Assert.Equal(kind, concept.Answer);
    }

    [Fact]
    public void Contractions_are_not_concepts()
    {
        Assert.DoesNotContain(Analyzer.Analyze("i'm worried it'll hurt").Concepts, c => c.Term == "itll");
    }

    [Theory]
    [InlineData("woke", "wake", "waking")]
    [InlineData("drive", "driving", "drove")]
    [InlineData("given", "give", "gave")]
    public void Stems_word_forms_alike(string a, string b, string c)
    {
        Assert.Equal(Stemmer.Stem(a), Stemmer.Stem(b));
        Assert.Equal(Stemmer.Stem(a), Stemmer.Stem(c));
    }
}
