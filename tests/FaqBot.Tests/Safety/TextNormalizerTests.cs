using FaqBot.Safety;

namespace FaqBot.Tests.Safety;

public sealed class TextNormalizerTests
{
    private static readonly TextNormalizer Normalizer = SafetyTestData.Phrases.Normalizer;

    [Theory]
    [InlineData("  Hello,\t\n  WORLD!!!  ", "hello world")]
    [InlineData("Café naïve Ångström", "cafe naive angstrom")]
    [InlineData("e\u0301te\u0301", "ete")]
    [InlineData("I’m sure it’s “fine”", "i am sure it is fine")]
    [InlineData("Don't", "do not")]
    [InlineData("dont", "do not")]
    [InlineData("I can't, I cant, I can not, I cannot", "i cannot i cannot i cannot i cannot")]
    [InlineData("won't wouldn't you're they've we'll I'd", "will not would not you are they have we will i would")]
    [InlineData("the clinic's hours", "the clinic hours")]
    [InlineData("any more", "anymore")]
    [InlineData("１２３ ＡＢＣ", "123 abc")]
    [InlineData("ketamine🙂infusion", "ketamine infusion")]
    public void Folds_case_accents_quotes_punctuation_and_contractions(string text, string expected) =>
        Assert.Equal(expected, Normalizer.Normalize(text));

    [Theory]
    [InlineData("sucide", "suicide")]
    [InlineData("suiside", "suicide")]
    [InlineData("suicde", "suicide")]
    [InlineData("sucidal", "suicidal")]
    [InlineData("suicdal", "suicidal")]
    [InlineData("siucidal", "suicidal")]
    [InlineData("kil myself", "kill myself")]
    [InlineData("kill myslef", "kill myself")]
    [InlineData("kms", "kill myself")]
    [InlineData("self-harm", "self harm")]
    [InlineData("selfharm", "self harm")]
    [InlineData("i od'd", "i overdosed")]
    [InlineData("overdoes", "overdose")]
    [InlineData("wanna die", "want to die")]
    [InlineData("cant breath", "cannot breathe")]
    [InlineData("siezure", "seizure")]
    public void Repairs_misspellings_of_the_crisis_vocabulary(string text, string expected) =>
        Assert.Equal(expected, Normalizer.Normalize(text));

    [Theory]
    [InlineData("overdone")]   // listed under typos.except
    [InlineData("painted")]    // more than one edit from every typo word
    [InlineData("decide")]
    [InlineData("myth")]       // too short for typo repair
    public void Leaves_real_words_alone(string word) => Assert.Equal(word, Normalizer.Normalize(word));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \t\r\n ")]
    [InlineData("?!... --- ***")]
    public void Empty_or_punctuation_only_text_has_no_words(string? text) => Assert.Empty(Normalizer.Words(text));

    [Theory]
    [InlineData("suicide", "suicide", true)]
    [InlineData("suicide", "sucide", true)]    // deletion
    [InlineData("suicide", "suiccide", true)]  // insertion
    [InlineData("suicide", "suixide", true)]   // substitution
    [InlineData("suicide", "suicdie", true)]   // swap
    [InlineData("suicide", "sucidie", false)]
    [InlineData("suicide", "suicidal", false)]
    [InlineData("ab", "ba", true)]
    [InlineData("", "a", true)]
    public void One_edit_is_the_optimal_string_alignment_distance(string a, string b, bool expected)
    {
        Assert.Equal(expected, TextNormalizer.WithinOneEdit(a, b));
        Assert.Equal(expected, TextNormalizer.WithinOneEdit(b, a));
    }
}
