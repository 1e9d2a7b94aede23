namespace FaqBot.Search;

/// <summary>
/// A light suffix stripper used on both sides (passages and questions) for coverage features.
/// It only has to be consistent, not linguistically exact: drive/driving/drives → "driv".
/// FTS5 does its own Porter stemming for retrieval.
/// </summary>
public static class Stemmer
{
    private static readonly HashSet<string> Keep = new(StringComparer.Ordinal)
    {
        "during", "nothing", "something", "anything", "everything", "morning", "evening", "thing", "bring", "spring", "ring", "king",
    };

    /// <summary>Irregular verb forms patients and articles use, mapped to the base form so both sides stem alike (woke/wake).</summary>
    private static readonly Dictionary<string, string> Irregular = new(StringComparer.Ordinal)
    {
        ["woke"] = "wake", ["woken"] = "wake", ["gone"] = "go", ["went"] = "go", ["given"] = "give", ["gave"] = "give",
        ["taken"] = "take", ["took"] = "take", ["felt"] = "feel", ["ate"] = "eat", ["eaten"] = "eat", ["slept"] = "sleep",
        ["drank"] = "drink", ["drunk"] = "drink", ["drove"] = "drive", ["driven"] = "drive", ["thought"] = "think",
        ["brought"] = "bring", ["wore"] = "wear", ["worn"] = "wear", ["left"] = "leave", ["kept"] = "keep", ["began"] = "begin",
        ["begun"] = "begin", ["broken"] = "break", ["broke"] = "break", ["spoke"] = "speak", ["spoken"] = "speak",
        ["told"] = "tell", ["saw"] = "see", ["seen"] = "see", ["found"] = "find", ["made"] = "make", ["came"] = "come",
        ["better"] = "good", ["best"] = "good", ["worse"] = "bad", ["worst"] = "bad",
    };

    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var w = Irregular.GetValueOrDefault(word, word);
        if (w.Length <= 3 || Keep.Contains(w))
        {
            return w;
        }

        if (w.EndsWith("sses", StringComparison.Ordinal))
        {
            w = w[..^2];
        }
        else if (w.EndsWith("ies", StringComparison.Ordinal) && w.Length > 4)
        {
            w = w[..^3] + "y";
        }
        else if (w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal) && !w.EndsWith("is", StringComparison.Ordinal))
        {
            w = w[..^1];
        }

        foreach (var suffix in (ReadOnlySpan<string>)["ations", "ation", "ingly", "edly", "fully", "ively", "ness", "ment", "ions", "ion", "ing", "ive", "ous", "ate", "ed", "ly", "ful"])
        {
            if (w.EndsWith(suffix, StringComparison.Ordinal) && w.Length - suffix.Length >= 3 && HasVowel(w.AsSpan(0, w.Length - suffix.Length)))
            {
                w = w[..^suffix.Length];
                if (suffix is "ing" or "ed" && w.Length > 5 && w.EndsWith("at", StringComparison.Ordinal))
                {
                    w = w[..^2]; // operating → oper, like operate
                }

                if (w.Length >= 4 && w[^1] == w[^2] && w[^1] is not ('l' or 's' or 'z') && !IsVowel(w[^1]))
                {
                    w = w[..^1];
                }

                break;
            }
        }

        // Comparatives: faster → fast, longer → long (but "after", "water" stay whole).
        foreach (var suffix in (ReadOnlySpan<string>)["est", "er"])
        {
            if (w.EndsWith(suffix, StringComparison.Ordinal) && w.Length - suffix.Length >= 4)
            {
                w = w[..^suffix.Length];
                if (w[^1] == w[^2] && !IsVowel(w[^1]) && w[^1] is not ('l' or 's'))
                {
                    w = w[..^1];
                }

                break;
            }
        }

        if (w.Length > 3 && w[^1] == 'e')
        {
            w = w[..^1];
        }

        if (w.Length > 3 && w[^1] == 'y')
        {
            w = w[..^1] + "i";
        }

        return w;
    }

    private static bool HasVowel(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (IsVowel(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u' or 'y';
}
