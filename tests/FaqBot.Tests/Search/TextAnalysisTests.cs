using FaqBot.Search.Analysis;

namespace FaqBot.Tests.Search;

public sealed class TextAnalysisTests
{
    [Theory]
    [InlineData("drive", "driving", "drives")]
    [InlineData("infusion", "infusions", "Infusions")]
    [InlineData("woke", "wake", "waking")]
    [InlineData("drove", "drive", "driving")]
    [InlineData("felt", "feel", "feeling")]
    public void Word_forms_meet_as_one_stem(string a, string b, string c)
    {
        var stem = Assert.Single(TextAnalysis.Terms(a));
        Assert.Equal(stem, Assert.Single(TextAnalysis.Terms(b)));
        Assert.Equal(stem, Assert.Single(TextAnalysis.Terms(c)));
    }

    [Fact]
    public void Stop_words_possessives_case_and_accents_are_handled_by_the_library_chain()
    {
        Assert.Equal(["ketamin", "effect"], TextAnalysis.Terms("What are the ketamine's effects?"));
        Assert.Equal(["cafe"], TextAnalysis.Terms("CAFÉ"));
        Assert.Empty(TextAnalysis.Terms("what is it that they are"));
        Assert.Empty(TextAnalysis.Terms("🙂🙂 ??"));
    }

    [Fact]
    public void Synonyms_from_the_clinic_vocabulary_expand_words_and_phrases_and_are_marked()
    {
        var map = TextAnalysis.ParseSynonyms("drive, car, get home\n# comment\n\nnausea, queasy, sick to my stomach\n", out var problems);
        Assert.Empty(problems);
        using var analysis = new TextAnalysis(map);

        var terms = analysis.QueryTerms("can I take the car");
        Assert.Contains(terms, t => t.Term == "drive" && t.Synonym);
        Assert.Contains(terms, t => t.Term == "car" && !t.Synonym);

        Assert.Contains(analysis.QueryTerms("i feel sick to my stomach"), t => t.Term == "nausea" && t.Synonym);
        Assert.Contains(analysis.QueryTerms("how do i get home"), t => t.Term == "drive");
    }

    [Fact]
    public void A_synonym_line_that_analyses_to_nothing_is_reported_with_its_number_and_skipped()
    {
        var map = TextAnalysis.ParseSynonyms("drive, car\nout of it, the\n", out var problems);
        Assert.NotNull(map);
        var problem = Assert.Single(problems);
        Assert.StartsWith("line 2:", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_clinic_synonyms_file_parses_without_a_problem()
    {
        // Each problem is a warning in the log at every start: the file as shipped must have none.
        TextAnalysis.ParseSynonyms(File.ReadAllText(Path.Combine(Infrastructure.TestPaths.Root, "knowledge", "synonyms.txt")), out var problems);
        Assert.Empty(problems);
    }
}
