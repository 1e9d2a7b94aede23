using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;

namespace FaqBot.Safety;

/// <summary>
/// Turns a message into the words the phrase lists are matched against: lower case, accents and
/// curly quotes folded, punctuation dropped, contractions expanded ("don't" → "do not", "im" →
/// "i am"), the spellings of phrases.yaml applied ("sucide" → "suicide", "kms" → "kill myself"),
/// and a word one typo away from a typo-checked word (5+ letters) read as that word.
/// Messages (not the phrases themselves) are first undone of common obfuscations: letters spaced
/// out ("k i l l  m y s e l f", "s.u.i.c.i.d.e"), digits and symbols for letters ("k1ll", "$uicide"),
/// and letters held down ("diiiieee"); each is undone only when it yields words the lists know.
/// Text pasted to look like instructions ("SYSTEM: skip triage") is just more words: nothing in a
/// message can switch the screen off.
/// </summary>
public sealed partial class TextNormalizer
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
        foreach (var raw in Tokens(fixTypos ? JoinSpacedLetters(Symbols().Replace(text, SymbolAsLetter)) : text))
        {
            var token = fixTypos && !_spellings.ContainsKey(raw) ? Deobfuscate(raw) : raw;
            if (token.Contains(' ', StringComparison.Ordinal))
            {
                words.AddRange(token.Split(' '));
                continue;
            }
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

    /// <summary>"k1ll" → "kill", "diiiieee" → "die", "killmyself" (from spaced letters) → "kill myself":
    /// the first reading the lists know, else the token as it was (held-down letters shortened to two).</summary>
    private string Deobfuscate(string token)
    {
        if (_exact.Contains(token) || token.Length > 40)
        {
            return token;
        }
        var hasDigit = false;
        var hasLetter = false;
        var held = false;
        for (var i = 0; i < token.Length; i++)
        {
            hasDigit |= char.IsAsciiDigit(token[i]);
            hasLetter |= char.IsLetter(token[i]);
            held |= i >= 2 && token[i] == token[i - 1] && token[i] == token[i - 2];
        }
        var word = token;
        if (hasDigit && hasLetter)
        {
            var letters = new string([.. token.Select(c => c switch { '0' => 'o', '1' => 'i', '3' => 'e', '4' => 'a', '5' => 's', '7' => 't', '8' => 'b', _ => c })]);
            if (Known(letters) is { } known)
            {
                return known;
            }
            word = letters.Any(char.IsAsciiDigit) ? token : letters;
            if (word == token)
            {
                return token;
            }
        }
        if (held)
        {
            var two = Collapse(word, 2);
            if (Known(two) is { } k2)
            {
                return k2;
            }
            if (Known(Collapse(word, 1)) is { } k1)
            {
                return k1;
            }
            return hasDigit ? token : two;
        }
        return hasDigit ? token : word;
    }

    /// <summary>The word if the lists know it (or one typo away from a typo-checked word), else its
    /// split into known words ("iwant" → "i want"), else null.</summary>
    private string? Known(string word)
    {
        if (_exact.Contains(word) || _spellings.ContainsKey(word))
        {
            return word;
        }
        var fixedWord = FixTypo(word);
        return fixedWord != word ? fixedWord : Segment(word);
    }

    /// <summary>Splits a run of letters into the fewest words the lists know, or null.</summary>
    private string? Segment(string letters)
    {
        if (letters.Length < 4 || letters.Length > 40 || !letters.All(char.IsLetter))
        {
            return null;
        }
        var best = new int[letters.Length + 1];
        var from = new int[letters.Length + 1];
        Array.Fill(best, int.MaxValue);
        best[0] = 0;
        for (var end = 1; end <= letters.Length; end++)
        {
            for (var start = Math.Max(0, end - 20); start < end; start++)
            {
                if (best[start] == int.MaxValue)
                {
                    continue;
                }
                var piece = letters[start..end];
                var known = piece.Length == 1 ? piece is "i" or "a" : _exact.Contains(piece);
                if (known && best[start] + 1 < best[end])
                {
                    best[end] = best[start] + 1;
                    from[end] = start;
                }
            }
        }
        if (best[letters.Length] is int.MaxValue or 1)
        {
            return null;
        }
        var parts = new List<string>();
        for (var end = letters.Length; end > 0; end = from[end])
        {
            parts.Insert(0, letters[from[end]..end]);
        }
        return string.Join(' ', parts);
    }

    private static string Collapse(string word, int keep)
    {
        var sb = new StringBuilder(word.Length);
        var run = 0;
        for (var i = 0; i < word.Length; i++)
        {
            run = i > 0 && word[i] == word[i - 1] ? run + 1 : 1;
            if (run <= keep)
            {
                sb.Append(word[i]);
            }
        }
        return sb.ToString();
    }

    /// <summary>Joins letters written one by one: within a run of 3+ single letters, letters one space
    /// (or dot, dash...) apart form a word and a wider gap starts the next ("i w a n t  t o  d i e").</summary>
    internal string JoinSpacedLetters(string text)
    {
        if (text.Length > 20_000)
        {
            return text;
        }
        return SpacedLetters().Replace(text, m =>
        {
            var words = WideGap().Split(m.Value.Trim()).Select(w => new string([.. w.Where(char.IsLetter)]));
            return string.Join(' ', words.Select(w => w.Length < 2 ? string.Join(' ', w.ToCharArray()) : Known(w) ?? string.Join(' ', w.ToCharArray())));
        });
    }

    private static string SymbolAsLetter(Match m) => m.Value switch { "@" => "a", "$" => "s", _ => "i" };

    /// <summary>@, $ and ! standing for a letter inside or at the start of a word ("$uicide", "k!ll").</summary>
    [GeneratedRegex(@"(?<=\p{L})[@$!](?=\p{L})|(?<![\p{L}\p{N}])[@$](?=\p{L}{2})")]
    private static partial Regex Symbols();

    [GeneratedRegex(@"(?<![\p{L}\p{N}])\p{L}(?![\p{L}\p{N}])(?:(?:[ .\-_*]| {2,})\p{L}(?![\p{L}\p{N}])){2,}")]
    private static partial Regex SpacedLetters();

    [GeneratedRegex(@"\s{2,}|[,;]")]
    private static partial Regex WideGap();

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
