using System.Collections.Frozen;
using System.Text;

namespace FaqBot.Safety;

/// <summary>
/// Turns a message into the words the phrase lists are matched against: lower case, accents and
/// curly quotes folded, punctuation dropped, contractions expanded ("don't" → "do not", "im" →
/// "i am"), the spellings of phrases.yaml applied ("sucide" → "suicide", "kms" → "kill myself"),
/// and a word one typo away from a typo-checked word (5+ letters) read as that word.
/// One pass over the text; no regular expressions.
/// </summary>
public sealed class TextNormalizer
{
    private const int TypoMinLength = 5;
    private static readonly string[] NoWords = [];

    // Latin-1 Supplement and Latin Extended-A (U+00C0..U+017F) folded to a base letter, lower case.
    // Written out because string.Normalize is a no-op under InvariantGlobalization.
    private const string LatinFold =
        "aaaaaaæceeeeiiiiðnooooo øuuuuyþßaaaaaaæceeeeiiiiðnooooo øuuuuyþy" +
        "aaaaaaccccccccddđđeeeeeeeeeegggggggghhħħiiiiiiiiiıiijjkkĸlllllll" +
        "lłłnnnnnnŉŋŋooooooœœrrrrrrssssssssttttŧŧuuuuuuuuuuuuwwyyyzzzzzzs";

    // English contractions, written with or without the apostrophe. Grammar, not clinic vocabulary,
    // so they live here; clinic slang and misspellings live in phrases.yaml (spellings).
    private static readonly FrozenDictionary<string, string[]> Contractions = new Dictionary<string, string[]>
    {
        ["won't"] = ["will", "not"], ["wont"] = ["will", "not"],
        ["can't"] = ["cannot"], ["cant"] = ["cannot"],
        ["shan't"] = ["shall", "not"], ["ain't"] = ["am", "not"], ["aint"] = ["am", "not"],
        ["i'm"] = ["i", "am"], ["im"] = ["i", "am"], ["ive"] = ["i", "have"],
        ["dont"] = ["do", "not"], ["doesnt"] = ["does", "not"], ["didnt"] = ["did", "not"],
        ["isnt"] = ["is", "not"], ["arent"] = ["are", "not"], ["wasnt"] = ["was", "not"], ["werent"] = ["were", "not"],
        ["havent"] = ["have", "not"], ["hasnt"] = ["has", "not"], ["hadnt"] = ["had", "not"],
        ["couldnt"] = ["could", "not"], ["wouldnt"] = ["would", "not"], ["shouldnt"] = ["should", "not"],
        ["youre"] = ["you", "are"], ["theyre"] = ["they", "are"], ["youve"] = ["you", "have"], ["theyve"] = ["they", "have"],
        ["whats"] = ["what", "is"], ["thats"] = ["that", "is"], ["theres"] = ["there", "is"], ["hows"] = ["how", "is"],
        ["it's"] = ["it", "is"], ["that's"] = ["that", "is"], ["what's"] = ["what", "is"], ["there's"] = ["there", "is"],
        ["here's"] = ["here", "is"], ["he's"] = ["he", "is"], ["she's"] = ["she", "is"], ["who's"] = ["who", "is"],
        ["where's"] = ["where", "is"], ["how's"] = ["how", "is"], ["let's"] = ["let", "us"],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly (string Suffix, string Word)[] ContractionSuffixes =
        [("n't", "not"), ("'re", "are"), ("'ve", "have"), ("'ll", "will"), ("'d", "would"), ("'m", "am"), ("'s", "")];

    private readonly FrozenDictionary<string, string[]> _spellings;
    private readonly string[] _typoWords;
    private readonly FrozenSet<string> _exact;

    /// <param name="spellings">variant → replacement (one or more words), e.g. "kms" → "kill myself".</param>
    /// <param name="typoWords">words whose one-typo variants (5+ letters) are read as the word.</param>
    /// <param name="exactWords">words never treated as a typo (real words, and every word of the phrase lists).</param>
    public TextNormalizer(IEnumerable<KeyValuePair<string, string>> spellings, IEnumerable<string> typoWords, IEnumerable<string> exactWords)
    {
        var map = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (variant, replacement) in spellings)
        {
            var key = string.Join(' ', Tokens(variant));
            if (key.Length > 0)
            {
                map[key] = Expand(Tokens(replacement));
            }
        }
        _spellings = map.ToFrozenDictionary(StringComparer.Ordinal);
        _typoWords = typoWords.SelectMany(Tokens).Where(w => w.Length >= TypoMinLength).Distinct().ToArray();
        _exact = exactWords.SelectMany(Tokens).Concat(_typoWords).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The normalized words of <paramref name="text"/> joined by single spaces.</summary>
    public string Normalize(string? text) => string.Join(' ', Words(text));

    /// <summary>The normalized words of <paramref name="text"/>; empty for null or blank text.</summary>
    public IReadOnlyList<string> Words(string? text) => Split(text, fixTypos: true);

    /// <summary>Normalizes; <paramref name="fixTypos"/> is off for the phrase lists themselves.</summary>
    internal string[] Split(string? text, bool fixTypos)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return NoWords;
        }
        var words = new List<string>(text.Length / 5 + 1);
        foreach (var token in Tokens(text))
        {
            if (_spellings.TryGetValue(token, out var spelled))
            {
                words.AddRange(spelled);
                continue;
            }
            var expanded = ExpandContraction(token);
            if (expanded is not null)
            {
                foreach (var part in expanded)
                {
                    words.AddRange(_spellings.TryGetValue(part, out var s) ? s : [part]);
                }
                continue;
            }
            words.Add(fixTypos ? FixTypo(token) : token);
        }
        return MergeSplitWords(words);
    }

    /// <summary>Lower-cased, accent-folded runs of letters, digits and inner apostrophes.</summary>
    internal static IEnumerable<string> Tokens(string text)
    {
        var sb = new StringBuilder(32);
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? Fold(text[i]) : ' ';
            if (c == '\0')
            {
                continue; // combining mark: part of the previous letter
            }
            if (c != ' ')
            {
                sb.Append(c);
                continue;
            }
            var token = sb.ToString().Trim('\'');
            sb.Clear();
            if (token.Length > 0)
            {
                yield return token;
            }
        }
    }

    /// <summary>One character folded: a lower-case letter or digit, '\'' for any apostrophe,
    /// '\0' for a combining mark, or ' ' for everything else (punctuation, symbols, emoji).</summary>
    private static char Fold(char c)
    {
        if (c < 128)
        {
            return char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : c is '\'' or '`' ? '\'' : ' ';
        }
        if (c is '\u2018' or '\u2019' or '\u02BC' or '\u00B4' or '\u2032' or '\uFF07')
        {
            return '\'';
        }
        if (c is >= '\u00C0' and <= '\u017F')
        {
            return LatinFold[c - '\u00C0'];
        }
        if (c is >= '\uFF10' and <= '\uFF5A' && char.IsLetterOrDigit(c))
        {
            return char.ToLowerInvariant((char)(c - 0xFEE0)); // full-width ASCII
        }
        if (char.IsSurrogate(c))
        {
            return ' ';
        }
        if (char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark)
        {
            return '\0';
        }
        return char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : ' ';
    }

    private static string[] Expand(IEnumerable<string> tokens) =>
        tokens.SelectMany(t => ExpandContraction(t) ?? [t]).ToArray();

    private static string[]? ExpandContraction(string token)
    {
        if (Contractions.TryGetValue(token, out var words))
        {
            return words;
        }
        if (!token.Contains('\'', StringComparison.Ordinal))
        {
            return null;
        }
        foreach (var (suffix, word) in ContractionSuffixes)
        {
            if (token.Length > suffix.Length && token.EndsWith(suffix, StringComparison.Ordinal))
            {
                var stem = token[..^suffix.Length].Replace("'", "", StringComparison.Ordinal);
                return word.Length == 0 ? [stem] : [stem, word];
            }
        }
        return [token.Replace("'", "", StringComparison.Ordinal)];
    }

    private string FixTypo(string word)
    {
        if (word.Length < TypoMinLength || _exact.Contains(word))
        {
            return word;
        }
        foreach (var candidate in _typoWords)
        {
            if (WithinOneEdit(word, candidate))
            {
                return candidate;
            }
        }
        return word;
    }

    private static string[] MergeSplitWords(List<string> words)
    {
        for (var i = words.Count - 2; i >= 0; i--)
        {
            if (Merge(words[i], words[i + 1]) is { } merged)
            {
                words[i] = merged;
                words.RemoveAt(i + 1);
            }
        }
        return [.. words];
    }

    /// <summary>"can not" → "cannot", "any more" → "anymore", "no one" → "noone": written apart or
    /// together, a phrase matches either way.</summary>
    internal static string? Merge(string first, string second) => (first, second) switch
    {
        ("can", "not") => "cannot",
        ("any", "more") => "anymore",
        ("no", "one") => "noone",
        _ => null,
    };

    /// <summary>Optimal-string-alignment (Damerau-Levenshtein) distance ≤ 1, in one linear pass:
    /// one substitution, insertion, deletion, or swap of two neighbouring letters.</summary>
    internal static bool WithinOneEdit(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 1)
        {
            return false;
        }
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }
        if (a.Length == b.Length)
        {
            return i == a.Length                                             // equal
                || a.AsSpan(i + 1).SequenceEqual(b.AsSpan(i + 1))            // substitution
                || (i + 1 < a.Length && a[i] == b[i + 1] && a[i + 1] == b[i] // swap
                    && a.AsSpan(i + 2).SequenceEqual(b.AsSpan(i + 2)));
        }
        return a.Length > b.Length
            ? a.AsSpan(i + 1).SequenceEqual(b.AsSpan(i))                     // a has one extra letter
            : a.AsSpan(i).SequenceEqual(b.AsSpan(i + 1));                    // b has one extra letter
    }
}
