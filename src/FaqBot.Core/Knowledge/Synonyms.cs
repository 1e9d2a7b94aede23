namespace FaqBot.Knowledge;

/// <summary>
/// Groups of interchangeable words and phrases from <c>knowledge/synonyms.txt</c>: one group per line,
/// comma-separated; <c>#</c> starts a comment.
/// </summary>
public sealed class Synonyms
{
    private readonly Dictionary<string, int> _groupOf = new(StringComparer.Ordinal);
    private readonly List<string[]> _groups = [];
    private readonly Dictionary<string, int> _groupOfStem = new(StringComparer.Ordinal);

    public static Synonyms Empty { get; } = new();

    public int Count => _groups.Count;

    /// <summary>Longest phrase, in words, so the analyzer knows how far to look ahead.</summary>
    public int MaxPhraseWords { get; private set; } = 1;

    public static Synonyms Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var synonyms = new Synonyms();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var terms = line.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(t => string.Join(' ', Tokenizer.Words(t, splitHyphens: false)))
                .Where(t => t.Length > 0)
                .Distinct(StringComparer.Ordinal)
                .ToArray();
            if (terms.Length < 2)
            {
                continue;
            }

            var index = synonyms._groups.Count;
            synonyms._groups.Add(terms);
            foreach (var term in terms)
            {
                synonyms._groupOf.TryAdd(term, index);
                synonyms._groupOfStem.TryAdd(StemKey(term), index);

                synonyms.MaxPhraseWords = Math.Max(synonyms.MaxPhraseWords, term.Count(c => c == ' ') + 1);
            }
        }

        return synonyms;
    }

    /// <summary>The group containing <paramref name="term"/> (lowercase words joined by one space), or null.</summary>
    public IReadOnlyList<string>? GroupOf(string term) =>
        _groupOf.TryGetValue(term, out var i) || _groupOfStem.TryGetValue(StemKey(term), out i)
            ? _groups[i]
            : null;

    public IEnumerable<string> AllTerms => _groupOf.Keys;

    /// <summary>"energy drinks" finds "energy drink": phrases and words are also looked up by their stems.</summary>
    private static string StemKey(string term) => string.Join(' ', term.Split(' ').Select(Search.Stemmer.Stem));
}
