using Lucene.Net.Index;
using Lucene.Net.Util;

namespace FaqBot.Search;

/// <summary>
/// The closest word of a vocabulary (the terms of one field) to a misspelt word: the same choice as Lucene's
/// <c>FuzzyTermsEnum</c> with a one-letter prefix, transpositions and a raw edit limit (one edit below eight letters,
/// two from eight), made without building a Levenshtein automaton per word. Building those automata cost up to
/// 20-50 ms for a long word on this 2-core machine; comparing against the vocabulary's words that share the first
/// letter and are within the edit limit in length costs microseconds.
/// The choice: the highest similarity <c>1 - edits / min(length of candidate, length of word)</c> (in code points,
/// as float, as Lucene computes it), then the most documents, then the first in term order.
/// <c>TypoRepairTests</c> checks that it chooses what <c>FuzzyTermsEnum</c> chooses.
/// </summary>
public sealed class TypoRepair
{
    private readonly Dictionary<int, Candidate[]> _byFirst;

    private TypoRepair(Dictionary<int, Candidate[]> byFirst) => _byFirst = byFirst;

    /// <summary>Reads every term of <paramref name="field"/> in <paramref name="reader"/> (document counts summed over its sub-readers).</summary>
    public static TypoRepair Of(IndexReader reader, string field)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var groups = new Dictionary<int, List<Candidate>>();
        if (MultiFields.GetTerms(reader, field) is { } terms)
        {
            var iterator = terms.GetEnumerator();
            while (iterator.MoveNext())
            {
                var text = iterator.Term.Utf8ToString();
                var codePoints = CodePoints(text);
                if (codePoints.Length == 0)
                {
                    continue;
                }

                if (!groups.TryGetValue(codePoints[0], out var group))
                {
                    groups[codePoints[0]] = group = [];
                }

                group.Add(new Candidate(text, codePoints, iterator.DocFreq));
            }
        }

        return new TypoRepair(groups.ToDictionary(g => g.Key, g => g.Value.ToArray()));
    }

    /// <summary>Longer words are never repaired (no word of a vocabulary is that long).</summary>
    public const int MaxWordLength = 100;

    /// <summary>The most edits allowed for a word of this many letters.</summary>
    public static int MaxEdits(int length) => length >= 8 ? 2 : 1;

    /// <summary>The correction of <paramref name="word"/>, or null when no word of the vocabulary is close enough.</summary>
    public string? Correct(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var target = CodePoints(word);
        if (target.Length is 0 or > MaxWordLength || !_byFirst.TryGetValue(target[0], out var candidates))
        {
            return null;
        }

        var maxEdits = MaxEdits(word.Length);
        string? best = null;
        var bestBoost = float.MinValue;
        var bestFrequency = 0;
        foreach (var candidate in candidates)
        {
            if (Math.Abs(candidate.CodePoints.Length - target.Length) > maxEdits)
            {
                continue;
            }

            var edits = Distance(candidate.CodePoints, target, maxEdits);
            if (edits > maxEdits)
            {
                continue;
            }

            var similarity = edits == 0 ? 1f : 1.0f - ((float)edits / (float)Math.Min(candidate.CodePoints.Length, target.Length));
            if (edits > 0 && !(similarity > 0f))
            {
                continue;
            }

            if (similarity > bestBoost || (similarity == bestBoost && candidate.DocFreq > bestFrequency))
            {
                best = candidate.Text;
                bestBoost = similarity;
                bestFrequency = candidate.DocFreq;
            }
        }

        return best;
    }

    /// <summary>
    /// Edit distance with adjacent transpositions (optimal string alignment) after the shared first letter, or
    /// <paramref name="limit"/> + 1 once it is certain to exceed it.
    /// </summary>
    private static int Distance(int[] a, int[] b, int limit)
    {
        // Rows over b[1..], columns over a[1..]: three rows kept for the transposition step.
        var n = a.Length - 1;
        var m = b.Length - 1;
        if (n > MaxWordLength + 2)
        {
            return limit + 1;
        }

        Span<int> previous2 = stackalloc int[n + 1];
        Span<int> previous = stackalloc int[n + 1];
        Span<int> current = stackalloc int[n + 1];
        for (var j = 0; j <= n; j++)
        {
            previous[j] = j;
        }

        var previousMinimum = 0;
        for (var i = 1; i <= m; i++)
        {
            current[0] = i;
            var rowMinimum = current[0];
            for (var j = 1; j <= n; j++)
            {
                var cost = a[j] == b[i] ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[j] == b[i - 1] && a[j - 1] == b[i])
                {
                    value = Math.Min(value, previous2[j - 2] + 1);
                }

                current[j] = value;
                rowMinimum = Math.Min(rowMinimum, value);
            }

            // Two whole rows over the limit: no later cell, transposition included, can come back under it.
            if (rowMinimum > limit && previousMinimum > limit)
            {
                return limit + 1;
            }

            previousMinimum = rowMinimum;
            var spare = previous2;
            previous2 = previous;
            previous = current;
            current = spare;
        }

        return previous[n];
    }

    private static int[] CodePoints(string text) => [.. text.EnumerateRunes().Select(r => r.Value)];

    private sealed record Candidate(string Text, int[] CodePoints, int DocFreq);
}
