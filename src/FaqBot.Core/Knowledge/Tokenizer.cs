using System.Globalization;
using System.Text;

namespace FaqBot.Knowledge;

/// <summary>Lowercase word tokens with quotes folded and diacritics removed; the one tokenizer of our C# side.</summary>
public static class Tokenizer
{
    public static List<string> Words(string text, bool splitHyphens = true)
    {
        var words = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return words;
        }

        var normalized = text.Normalize(NormalizationForm.FormD);
        var current = new StringBuilder();
        foreach (var ch in normalized)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(ch);
            if (category == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            var c = ch switch
            {
                '\u2019' or '\u2018' or '`' => '\'',
                _ => char.ToLowerInvariant(ch),
            };
            if (char.IsLetterOrDigit(c) || (c is '\'' or '-' && current.Length > 0))
            {
                current.Append(c);
            }
            else
            {
                Flush(current, words, splitHyphens);
            }
        }

        Flush(current, words, splitHyphens);
        return words;
    }

    private static void Flush(StringBuilder current, List<string> words, bool splitHyphens)
    {
        if (current.Length == 0)
        {
            return;
        }

        var word = current.ToString().Trim('\'', '-');
        current.Clear();
        if (word.EndsWith("'s", StringComparison.Ordinal))
        {
            word = word[..^2];
        }

        if (word.Length == 0)
        {
            return;
        }

        // "treatment-resistant" also counts as its parts; "dream-like" keeps its whole form too.
        if (splitHyphens && word.Contains('-', StringComparison.Ordinal))
        {
            words.Add(word);
            words.AddRange(word.Split('-', StringSplitOptions.RemoveEmptyEntries));
            return;
        }

        words.Add(word.Replace("'", "", StringComparison.Ordinal));
    }
}
