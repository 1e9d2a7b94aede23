using Lucene.Net.Index;
using Lucene.Net.Util;
using Lucene.Net.Util.Automaton;

namespace FaqBot.Search;

/// <summary>
/// The closest word of a vocabulary (the terms of one field) to a misspelt word: the same choice as Lucene's
/// <c>FuzzyTermsEnum</c> with a one-letter prefix, transpositions and a raw edit limit (one edit below eight letters,
/// two from eight), with the same Levenshtein automata (Lucene's <c>LevenshteinAutomata</c>), run directly over the
/// vocabulary's words that share the first letter. <c>FuzzyTermsEnum</c> compiles those automata to UTF-8 (and finds
/// their common suffix) before it intersects them with the term dictionary, which cost up to 20-50 ms for a long word
/// on this 2-core machine; running them over a few hundred candidate words costs about 0.01 ms a word (p99 0.3-0.6 ms,
/// since automata are only built when some candidate could be close enough).
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

                group.Add(new Candidate(text, codePoints, Sorted(codePoints), iterator.DocFreq));
            }
        }

        return new TypoRepair(groups.ToDictionary(g => g.Key, g => g.Value.ToArray()));
    }

    /// <summary>Longer words are never repaired (no word of a vocabulary is that long, and their automata would be large).</summary>
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

        // Lucene's Levenshtein automata (the ones FuzzyTermsEnum builds) for what follows the shared first letter, run
        // over each candidate as they are: no UTF-8 compilation, which is what made FuzzyTermsEnum slow. Two edits are
        // only tried when no word is one edit away: from eight letters (where two are allowed) any word one edit away
        // is more similar than every word two edits away, so FuzzyTermsEnum would never choose one of those.
        // Building an automaton costs far more than running it (two edits of a long word: 1-10 ms), so it is built only
        // when some candidate could be that close: a word k edits away differs from the target in at most k letters
        // counted as a bag, whatever the order (see LetterBagDistance). Most unknown words have none and cost nothing.
        var sorted = Sorted(target);
        var automata = new LevenshteinAutomata(target[1..], LastCodePoint, withTranspositions: true);
        return Closest(target, Near(candidates, sorted, 1), automata, 1)
            ?? (MaxEdits(word.Length) >= 2 ? Closest(target, Near(candidates, sorted, 2), automata, 2) : null);
    }

    /// <summary>The candidates that could be at most <paramref name="edits"/> edits from the target (its letters sorted).</summary>
    private static List<Candidate> Near(Candidate[] candidates, int[] sortedTarget, int edits) =>
        [.. candidates.Where(c => Math.Abs(c.CodePoints.Length - sortedTarget.Length) <= edits && LetterBagDistance(c.Sorted, sortedTarget) <= edits)];

    /// <summary>
    /// How many letters one word has that the other lacks, counted with repeats, the larger of the two directions: a
    /// lower bound of the edit distance (with transpositions), since an insertion, deletion or substitution changes
    /// each count by at most one and a transposition changes neither.
    /// </summary>
    private static int LetterBagDistance(int[] a, int[] b)
    {
        int i = 0, j = 0, onlyA = 0, onlyB = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                onlyA++;
                i++;
            }
            else
            {
                onlyB++;
                j++;
            }
        }

        return Math.Max(onlyA + (a.Length - i), onlyB + (b.Length - j));
    }

    private static int[] Sorted(int[] codePoints)
    {
        var sorted = (int[])codePoints.Clone();
        Array.Sort(sorted);
        return sorted;
    }

    /// <summary>The most similar candidate that the automaton of <paramref name="edits"/> edits (after the first letter)
    /// accepts, then the one in most documents, then the first in term order.</summary>
    private static string? Closest(int[] target, List<Candidate> candidates, LevenshteinAutomata automata, int edits)
    {
        if (candidates.Count == 0)
        {
            return null;
        }

        var automaton = new CharacterRunAutomaton(automata.ToAutomaton(edits));
        string? best = null;
        var bestBoost = float.MinValue;
        var bestFrequency = 0;
        foreach (var candidate in candidates)
        {
            if (!Accepts(automaton, candidate))
            {
                continue;
            }

            // Accepted means at most this many edits: none for the word itself; for two, never one (the first pass found none).
            var actual = candidate.CodePoints.AsSpan().SequenceEqual(target) ? 0 : edits;
            var similarity = actual == 0 ? 1f : 1.0f - ((float)actual / (float)Math.Min(candidate.CodePoints.Length, target.Length));
            if (actual > 0 && !(similarity > 0f))
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

    /// <summary>Whether <paramref name="automaton"/> accepts the candidate after its first letter.</summary>
    private static bool Accepts(CharacterRunAutomaton automaton, Candidate candidate)
    {
        var state = automaton.InitialState;
        for (var i = 1; i < candidate.CodePoints.Length && state != -1; i++)
        {
            state = automaton.Step(state, candidate.CodePoints[i]);
        }

        return state != -1 && automaton.IsAccept(state);
    }

    /// <summary>The automata's alphabet: every Unicode code point, as FuzzyTermsEnum builds them.</summary>
    private const int LastCodePoint = 0x10FFFF;

    private static int[] CodePoints(string text) => [.. text.EnumerateRunes().Select(r => r.Value)];

    /// <summary>A word of the vocabulary: its code points, the same sorted (for <see cref="LetterBagDistance"/>), its document count.</summary>
    private sealed record Candidate(string Text, int[] CodePoints, int[] Sorted, int DocFreq);
}
