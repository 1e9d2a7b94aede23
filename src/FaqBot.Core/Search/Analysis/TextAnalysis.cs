using System.Text;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.Synonym;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Util;

namespace FaqBot.Search.Analysis;

/// <summary>
/// The one text-analysis layer, built from Lucene.Net analysis components. Everything that reads text for
/// matching (indexing, queries, follow-ups, the near-duplicate check of citations, related questions) goes
/// through it: StandardTokenizer, English possessives, lower case, ASCII folding, the Snowball English stop
/// words, stemmer overrides for irregular forms, Porter stemming, and, for queries, the clinic's synonyms
/// (<c>knowledge/synonyms.txt</c>, Solr format) through a SynonymFilter.
/// </summary>
public sealed class TextAnalysis : IDisposable
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    /// <summary>The Snowball project's English stop words, shipped inside Lucene.Net.Analysis.Common.</summary>
    public static CharArraySet StopWords { get; } = LoadStopWords();

    /// <summary>
    /// The stop list's contractions typed without their apostrophe ("cant", "shouldnt", "theyre"): words for typo
    /// repair to know as they are, so that a negation is never "corrected" into the word it negates.
    /// </summary>
    public static IReadOnlyList<string> ContractionsWithoutApostrophe { get; } =
        [.. StopWords.Where(word => word.Contains('\'', StringComparison.Ordinal)).Select(word => word.Replace("'", "", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    // English irregular verb and noun forms (the base word's Porter stem on the right).
    private static readonly (string Form, string Stem)[] IrregularForms =
    [
        ("drove", "drive"), ("driven", "drive"), ("ate", "eat"), ("eaten", "eat"), ("felt", "feel"), ("woke", "wake"),
        ("woken", "wake"), ("slept", "sleep"), ("took", "take"), ("taken", "take"), ("went", "go"), ("gone", "go"),
        ("gave", "give"), ("given", "give"), ("made", "make"), ("thought", "think"), ("brought", "bring"),
        ("began", "begin"), ("begun", "begin"), ("knew", "know"), ("known", "know"),
        ("saw", "see"), ("seen", "see"), ("drank", "drink"), ("children", "child"), ("women", "woman"),
        ("men", "man"), ("dying", "die"),
    ];

    private static readonly StemmerOverrideFilter.StemmerOverrideMap Overrides = BuildOverrides();

    /// <summary>Stems, stop words removed: the index's body, section and title fields.</summary>
    public static Analyzer Stems { get; } = Analyzer.NewAnonymous((_, reader) => Chain(reader, synonyms: null, stop: true));

    /// <summary>Lower-cased, folded surface words with nothing removed: the vocabulary for typo repair.</summary>
    public static Analyzer Surface { get; } = Analyzer.NewAnonymous((_, reader) =>
    {
        var source = new StandardTokenizer(Version, reader);
        return new TokenStreamComponents(source, new ASCIIFoldingFilter(new LowerCaseFilter(Version, new EnglishPossessiveFilter(Version, source))));
    });

    private readonly Analyzer _query;

    public TextAnalysis(SynonymMap? synonyms)
    {
        Synonyms = synonyms;
        _query = Analyzer.NewAnonymous((_, reader) => Chain(reader, synonyms, stop: true));
    }

    public static TextAnalysis Plain { get; } = new(null);

    public SynonymMap? Synonyms { get; }

    /// <summary>Query analysis: stems plus the synonyms of every word and phrase (a synonym is marked as such).</summary>
    public Analyzer Query => _query;

    /// <summary>
    /// Parses synonym groups (one comma-separated group per line, <c>#</c> comments) with the stemming chain so
    /// patient words and the articles' words meet as stems. A line that cannot be used is reported and skipped.
    /// </summary>
    public static SynonymMap? ParseSynonyms(string? text, out IReadOnlyList<string> problems)
    {
        var found = new List<string>();
        problems = found;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        using var parsing = Analyzer.NewAnonymous((_, reader) => Chain(reader, synonyms: null, stop: true, compactPositions: true));
        var parser = new SolrSynonymParser(dedup: true, expand: true, parsing);
        var lineNumber = 0;
        var added = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            try
            {
                parser.Parse(new StringReader(trimmed));
                added++;
            }
            catch (Exception ex) when (ex is J2N.Text.ParseException or ArgumentException or IOException or FormatException or InvalidOperationException)
            {
                found.Add($"line {lineNumber}: {(ex.InnerException ?? ex).Message}");
            }
        }

        return added == 0 ? null : parser.Build();
    }

    /// <summary>The stems of <paramref name="text"/>, stop words removed.</summary>
    public static List<string> Terms(string text) => Tokens(Stems, text);

    /// <summary>Lower-cased surface words of <paramref name="text"/>, nothing removed.</summary>
    public static List<string> Words(string text) => Tokens(Surface, text);

    /// <summary>Query terms: each stem of the question, then the synonyms the clinic's vocabulary adds.</summary>
    public List<QueryTerm> QueryTerms(string text)
    {
        var own = Terms(text).ToHashSet(StringComparer.Ordinal);
        var result = new List<QueryTerm>();
        using var stream = _query.GetTokenStream("body", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var type = stream.AddAttribute<ITypeAttribute>();
        var increment = stream.AddAttribute<IPositionIncrementAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            var value = term.ToString();
            result.Add(new QueryTerm(value, type.Type == SynonymFilter.TYPE_SYNONYM && !own.Contains(value), increment.PositionIncrement));
        }

        stream.End();
        return result;
    }

    public static bool IsStopWord(string word) => StopWords.Contains(word);

    public void Dispose() => _query.Dispose();

    private static List<string> Tokens(Analyzer analyzer, string text)
    {
        var result = new List<string>();
        using var stream = analyzer.GetTokenStream("body", text ?? "");
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            result.Add(term.ToString());
        }

        stream.End();
        return result;
    }

    private static TokenStreamComponents Chain(TextReader reader, SynonymMap? synonyms, bool stop, bool compactPositions = false)
    {
        var source = new StandardTokenizer(Version, reader);
        TokenStream stream = new EnglishPossessiveFilter(Version, source);
        stream = new LowerCaseFilter(Version, stream);
        stream = new ASCIIFoldingFilter(stream);
        if (stop)
        {
            stream = new StopFilter(Version, stream, StopWords);
        }

        if (compactPositions)
        {
            // Synonym phrases are parsed into consecutive positions: "out of body" matches "out body" after stop words go.
            stream = new CompactPositionsFilter(stream);
        }

        stream = new StemmerOverrideFilter(stream, Overrides);
        stream = new PorterStemFilter(stream);
        if (synonyms is not null)
        {
            stream = new SynonymFilter(stream, synonyms, ignoreCase: true);
        }

        return new TokenStreamComponents(source, stream);
    }

    private static CharArraySet LoadStopWords()
    {
        var assembly = typeof(EnglishAnalyzer).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("Snowball.english_stop.txt", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return WordlistLoader.GetSnowballWordSet(reader, Version);
    }

    /// <summary>Irregular forms Porter cannot relate to their base word ("drove" and "drive").</summary>
    private static StemmerOverrideFilter.StemmerOverrideMap BuildOverrides()
    {
        var builder = new StemmerOverrideFilter.Builder(ignoreCase: true);
        foreach (var (form, stem) in IrregularForms)
        {
            builder.Add(form, stem);
        }

        return builder.Build();
    }

}

/// <summary>One analysed query term; <see cref="Synonym"/> is true when the clinic's vocabulary added it.</summary>
/// <param name="Position">Lucene's position increment: 0 when the term is an alternative at the previous term's position.</param>
public sealed record QueryTerm(string Term, bool Synonym, int Position);

/// <summary>Sets every position increment to one, so a phrase whose inner stop words were removed stays a phrase.</summary>
internal sealed class CompactPositionsFilter : TokenFilter
{
    private readonly IPositionIncrementAttribute _increment;

    public CompactPositionsFilter(TokenStream input)
        : base(input) => _increment = AddAttribute<IPositionIncrementAttribute>();

    public override bool IncrementToken()
    {
        if (!m_input.IncrementToken())
        {
            return false;
        }

        _increment.PositionIncrement = 1;
        return true;
    }
}
