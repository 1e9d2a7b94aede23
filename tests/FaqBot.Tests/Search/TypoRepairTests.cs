using System.Text.Json;
using FaqBot.Search;
using FaqBot.Search.Analysis;
using FaqBot.Tests.Infrastructure;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace FaqBot.Tests.Search;

/// <summary>
/// <see cref="TypoRepair"/> replaces Lucene's FuzzyTermsEnum for speed; these tests hold it to FuzzyTermsEnum's choice
/// on the real vocabulary, for every word of the question sets and for misspellings made from the vocabulary itself.
/// </summary>
public sealed class TypoRepairTests
{
    [Fact]
    public void It_chooses_what_Lucene_FuzzyTermsEnum_chooses_for_every_word_of_the_question_sets_and_thousands_of_typos()
    {
        using var knowledge = TestPaths.Knowledge();
        var index = knowledge.Current;
        var vocabulary = VocabularyTerms(index.Vocabulary);
        var words = QuestionWords()
            .Concat(vocabulary.SelectMany(Misspellings))
            .Where(w => w.Length >= 4 && w.All(char.IsLetter))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        var differences = words
            .Select(word => (Word: word, Expected: Lucene(index.Vocabulary, word), Actual: index.Typos.Correct(word)))
            .Where(x => x.Expected != x.Actual)
            .Select(x => $"{x.Word}: FuzzyTermsEnum {x.Expected ?? "(none)"}, TypoRepair {x.Actual ?? "(none)"}")
            .ToList();

        Assert.True(differences.Count == 0, $"{differences.Count} of {words.Count} differ:\n{string.Join('\n', differences.Take(20))}");
        Assert.True(words.Count > 5_000, $"only {words.Count} words checked");
        Assert.True(words.Count(w => index.Typos.Correct(w) is not null) > 1_000, "too few words had a correction to compare");
    }

    [Theory]
    [InlineData("nausia", "nausea")]
    [InlineData("infuson", "infusion")]
    [InlineData("dissasociation", "dissociation")]
    public void Common_misspellings_are_repaired(string typo, string expected)
    {
        using var knowledge = TestPaths.Knowledge();

        Assert.Equal(expected, knowledge.Current.Typos.Correct(typo));
    }

    [Fact]
    public void A_word_far_from_every_word_has_no_correction()
    {
        using var knowledge = TestPaths.Knowledge();

        Assert.Null(knowledge.Current.Typos.Correct("xylophonezz"));
        Assert.Null(knowledge.Current.Typos.Correct(new string('a', TypoRepair.MaxWordLength + 1)));
    }

    /// <summary>The old implementation, kept as the oracle.</summary>
    private static string? Lucene(IndexReader vocabulary, string word)
    {
        var terms = MultiFields.GetTerms(vocabulary, PassageIndex.VocabularyField);
        var fuzzy = new FuzzyTermsEnum(terms, new AttributeSource(), new Term(PassageIndex.VocabularyField, word), TypoRepair.MaxEdits(word.Length), prefixLength: 1, transpositions: true);
        var boost = fuzzy.Attributes.AddAttribute<IBoostAttribute>();
        string? best = null;
        var bestBoost = float.MinValue;
        var bestFrequency = 0;
        while (fuzzy.MoveNext())
        {
            if (boost.Boost > bestBoost || (boost.Boost == bestBoost && fuzzy.DocFreq > bestFrequency))
            {
                best = fuzzy.Term.Utf8ToString();
                bestBoost = boost.Boost;
                bestFrequency = fuzzy.DocFreq;
            }
        }

        return best;
    }

    private static List<string> VocabularyTerms(IndexReader vocabulary)
    {
        var result = new List<string>();
        var terms = MultiFields.GetTerms(vocabulary, PassageIndex.VocabularyField).GetEnumerator();
        while (terms.MoveNext())
        {
            result.Add(terms.Term.Utf8ToString());
        }

        return result;
    }

    /// <summary>A letter dropped, doubled, replaced, two swapped, and two edits at once (for long words).</summary>
    private static IEnumerable<string> Misspellings(string word)
    {
        if (word.Length < 4)
        {
            yield break;
        }

        var middle = word.Length / 2;
        yield return word.Remove(middle, 1);
        yield return word.Insert(middle, word[middle].ToString());
        yield return word[..middle] + 'q' + word[(middle + 1)..];
        yield return word[..(middle - 1)] + word[middle] + word[middle - 1] + word[(middle + 1)..];
        yield return word[..1] + word[2] + word[1] + word[3..] + "e";
        yield return "z" + word[1..];
    }

    private static IEnumerable<string> QuestionWords() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Data"), "*.jsonl")
            .SelectMany(File.ReadLines)
            .Where(l => l.Trim().Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => e.TryGetProperty("q", out var q) ? q.GetString() : e.TryGetProperty("text", out var t) ? t.GetString() : null)
            .OfType<string>()
            .SelectMany(TextAnalysis.Words);
}
