namespace FaqBot.Knowledge;

/// <summary>Splits prose into sentences, returning (start, end) offsets into the given text.</summary>
public static class SentenceSplitter
{
    private static readonly string[] Abbreviations = ["e.g.", "i.e.", "dr.", "mr.", "mrs.", "ms.", "vs.", "etc.", "u.s.", "no.", "approx."];

    public static List<(int Start, int End)> Split(string text, int from, int to)
    {
        var result = new List<(int, int)>();
        var start = SkipSpace(text, from, to);
        for (var i = start; i < to; i++)
        {
            var c = text[i];
            if (c is not ('.' or '!' or '?'))
            {
                continue;
            }

            // Swallow closing quotes/brackets and repeated marks: «it works.”», «really?!».
            var end = i + 1;
            while (end < to && text[end] is '.' or '!' or '?' or '"' or '\'' or '\u201D' or '\u2019' or ')')
            {
                end++;
            }

            if (end < to && !char.IsWhiteSpace(text[end]))
            {
                continue; // "3.5", "U.S.A", "ketamine.com"
            }

            var next = SkipSpace(text, end, to);
            if (next < to && !StartsSentence(text[next]))
            {
                continue;
            }

            if (c == '.' && IsAbbreviation(text, start, i + 1))
            {
                continue;
            }

            result.Add((start, end));
            start = next;
            i = next - 1;
        }

        var tail = TrimEnd(text, start, to);
        if (tail > start)
        {
            result.Add((start, tail));
        }

        return result;
    }

    private static bool StartsSentence(char c) =>
        char.IsUpper(c) || char.IsDigit(c) || c is '"' or '\u201C' or '\'' or '\u2018' or '(' or '[' or '*' or '_';

    private static bool IsAbbreviation(string text, int sentenceStart, int dotEnd)
    {
        var wordStart = dotEnd - 1;
        while (wordStart > sentenceStart && !char.IsWhiteSpace(text[wordStart - 1]) && text[wordStart - 1] != '(')
        {
            wordStart--;
        }

        var word = text[wordStart..dotEnd].ToLowerInvariant();
        return Abbreviations.Contains(word);
    }

    private static int SkipSpace(string text, int i, int to)
    {
        while (i < to && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    private static int TrimEnd(string text, int from, int to)
    {
        while (to > from && char.IsWhiteSpace(text[to - 1]))
        {
            to--;
        }

        return to;
    }
}
