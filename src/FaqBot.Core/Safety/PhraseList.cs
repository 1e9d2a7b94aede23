using System.Collections.Frozen;

namespace FaqBot.Safety;

/// <summary>A list of phrases from phrases.yaml, compiled once and indexed by first word.</summary>
internal sealed class PhraseList
{
    /// <summary>Stands in for a word hidden by <see cref="Mask"/>; no phrase can match it.</summary>
    internal const string Masked = "\0";

    private readonly FrozenDictionary<string, Phrase[]> _byFirstWord;
    private readonly (string Stem, Phrase Phrase)[] _byFirstStem;
    private readonly Phrase[] _anyFirst;

    public PhraseList(string name, IReadOnlyList<Phrase> phrases)
    {
        Name = name;
        Phrases = phrases;
        var byWord = new Dictionary<string, List<Phrase>>(StringComparer.Ordinal);
        var byStem = new List<(string, Phrase)>();
        var any = new List<Phrase>();
        foreach (var phrase in phrases)
        {
            if (phrase.FirstWords() is not { } firsts)
            {
                any.Add(phrase);
                continue;
            }
            foreach (var (word, isStem) in firsts.Distinct())
            {
                if (isStem)
                {
                    byStem.Add((word, phrase));
                }
                else if (byWord.TryGetValue(word, out var list))
                {
                    list.Add(phrase);
                }
                else
                {
                    byWord[word] = [phrase];
                }
            }
        }
        _byFirstWord = byWord.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
        _byFirstStem = [.. byStem];
        _anyFirst = [.. any];
    }

    /// <summary>The list's path in phrases.yaml, e.g. "safety.crisis" or "intents.staff-only.cost".</summary>
    public string Name { get; }

    public IReadOnlyList<Phrase> Phrases { get; }

    /// <summary>The leftmost match; at the same position, the phrase written first in the file.</summary>
    public PhraseMatch? FindFirst(string[] words)
    {
        for (var i = 0; i < words.Length; i++)
        {
            if (BestAt(words, i, longest: false) is { } match)
            {
                return match;
            }
        }
        return null;
    }

    /// <summary>Every match, left to right (at each position the phrase written first in the file).</summary>
    public List<PhraseMatch> FindAll(string[] words)
    {
        var result = new List<PhraseMatch>();
        for (var i = 0; i < words.Length; i++)
        {
            if (BestAt(words, i, longest: false) is { } match)
            {
                result.Add(match);
            }
        }
        return result;
    }

    /// <summary>The longest match that starts at word <paramref name="start"/>.</summary>
    public PhraseMatch? LongestAt(string[] words, int start) => BestAt(words, start, longest: true);

    /// <summary>Replaces every word covered by a phrase of this list with <see cref="Masked"/>.</summary>
    public void Mask(string[] words)
    {
        for (var i = 0; i < words.Length; i++)
        {
            if (LongestAt(words, i) is { } match)
            {
                Array.Fill(words, Masked, match.Start, match.End - match.Start);
                i = match.End - 1;
            }
        }
    }

    private PhraseMatch? BestAt(string[] words, int start, bool longest)
    {
        PhraseMatch? best = null;
        var word = words[start];
        if (_byFirstWord.TryGetValue(word, out var candidates))
        {
            foreach (var phrase in candidates)
            {
                Consider(phrase, words, start, longest, ref best);
            }
        }
        foreach (var (stem, phrase) in _byFirstStem)
        {
            if (word.StartsWith(stem, StringComparison.Ordinal))
            {
                Consider(phrase, words, start, longest, ref best);
            }
        }
        foreach (var phrase in _anyFirst)
        {
            Consider(phrase, words, start, longest, ref best);
        }
        return best;
    }

    private static void Consider(Phrase phrase, string[] words, int start, bool longest, ref PhraseMatch? best)
    {
        if (!phrase.TryMatchAt(words, start, out var end) || end == start)
        {
            return;
        }
        var better = best is null
            || (longest && end > best.End)
            || ((!longest || end == best.End) && phrase.Index < best.Phrase.Index);
        if (better)
        {
            best = new PhraseMatch(phrase, start, end);
        }
    }
}

/// <summary>Where a phrase matched: words [Start, End).</summary>
internal sealed record PhraseMatch(Phrase Phrase, int Start, int End);

/// <summary>One phrase of phrases.yaml compiled into slots. Matching is a short, bounded
/// backtracking over the slots (gaps span at most <see cref="MaxGap"/> words), so checking a
/// message costs time proportional to its length.</summary>
internal sealed class Phrase
{
    internal const int MaxGap = 3;
    internal const string NumberToken = "<number>";

    private readonly Slot[] _slots;

    private Phrase(string text, int index, Slot[] slots)
    {
        Text = text;
        Index = index;
        _slots = slots;
    }

    /// <summary>The phrase as written in the file; used as the rule name in verdicts.</summary>
    public string Text { get; }

    /// <summary>Position in its list (earlier wins ties).</summary>
    public int Index { get; }

    /// <summary>The literal words of the phrase (after normalization), for the typo checker.</summary>
    public IEnumerable<string> LiteralWords =>
        _slots.SelectMany(s => s.Alternatives).Where(a => !a.IsStem).SelectMany(a => a.Words);

    /// <summary>Compiles <paramref name="text"/>; throws <see cref="FormatException"/> with a
    /// message for the clinic admin when the syntax is wrong. A <c>&lt;name&gt;</c> token is one word of the
    /// word class of that name in <paramref name="classes"/> (the file's <c>words:</c> section).</summary>
    public static Phrase Compile(string text, int index, TextNormalizer normalizer, IReadOnlyDictionary<string, string>? classes = null)
    {
        var slots = new List<Slot>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }
            if (text[i] is '(' or '{')
            {
                var (open, closing) = text[i] == '(' ? ('(', ')') : ('{', '}');
                var close = text.IndexOf(closing, i);
                if (close < 0)
                {
                    throw new FormatException($"'{open}' is never closed with '{closing}'");
                }
                var inner = text[(i + 1)..close];
                if (inner.IndexOfAny(['(', ')', '{', '}']) >= 0)
                {
                    throw new FormatException("( ) and { } cannot be nested");
                }
                slots.Add(new Slot(open == '(' ? SlotKind.Optional : SlotKind.Required, Alternatives(inner, normalizer, classes)));
                i = close + 1;
                continue;
            }
            var end = i;
            while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] is not ('(' or '{'))
            {
                end++;
            }
            var token = text[i..end];
            i = end;
            if (token.IndexOfAny([')', '}']) >= 0)
            {
                throw new FormatException($"'{token}': a closing bracket without its opening one");
            }
            if (token.IndexOfAny(['[', ']']) >= 0)
            {
                throw new FormatException("[ ] is not part of the syntax; write optional words in ( ) and choices of several words in { }");
            }
            slots.Add(token switch
            {
                "..." => new Slot(SlotKind.Gap, []),
                NumberToken => new Slot(SlotKind.Number, []),
                _ => new Slot(SlotKind.Required, Alternatives(token, normalizer, classes)),
            });
        }
        MergeSplitWords(slots);
        Validate(slots);
        return new Phrase(text.Trim(), index, [.. slots]);
    }

    public bool TryMatchAt(string[] words, int start, out int end) => Match(0, words, start, out end);

    /// <summary>The words a match can start with (stem = true for a "word*" stem), or null when
    /// the phrase can start with any word.</summary>
    internal IEnumerable<(string Word, bool IsStem)>? FirstWords()
    {
        var firsts = new List<(string, bool)>();
        foreach (var slot in _slots)
        {
            if (slot.Kind is SlotKind.Gap or SlotKind.Number)
            {
                return null;
            }
            firsts.AddRange(slot.Alternatives.Select(a => (a.Words[0], a.IsStem && a.Words.Length == 1)));
            if (slot.Kind == SlotKind.Required)
            {
                return firsts;
            }
        }
        return firsts;
    }

    private bool Match(int slotIndex, string[] words, int at, out int end)
    {
        end = at;
        if (slotIndex == _slots.Length)
        {
            return true;
        }
        var slot = _slots[slotIndex];
        switch (slot.Kind)
        {
            case SlotKind.Gap:
                for (var skip = 0; skip <= MaxGap && at + skip <= words.Length; skip++)
                {
                    if (Match(slotIndex + 1, words, at + skip, out end))
                    {
                        return true;
                    }
                }
                return false;
            case SlotKind.Number:
                return at < words.Length && IsNumber(words[at]) && Match(slotIndex + 1, words, at + 1, out end);
            default:
                foreach (var alternative in slot.Alternatives)
                {
                    var length = alternative.LengthAt(words, at);
                    if (length > 0 && Match(slotIndex + 1, words, at + length, out end))
                    {
                        return true;
                    }
                }
                return slot.Kind == SlotKind.Optional && Match(slotIndex + 1, words, at, out end);
        }
    }

    private static bool IsNumber(string word) => word.Length > 0 && word.All(char.IsAsciiDigit);

    private static Alternative[] Alternatives(string text, TextNormalizer normalizer, IReadOnlyDictionary<string, string>? classes)
    {
        var result = new List<Alternative>();
        foreach (var part in text.Split('|').SelectMany(p => ExpandClass(p.Trim(), classes)))
        {
            var alternative = part.Trim();
            if (alternative.Length == 0)
            {
                throw new FormatException("an empty choice: check the '|' signs");
            }
            var star = alternative.IndexOf('*', StringComparison.Ordinal);
            if (star >= 0 && star != alternative.Length - 1)
            {
                throw new FormatException($"'*' may only end a word ('{alternative}')");
            }
            var isStem = star >= 0;
            var words = isStem
                ? TextNormalizer.Tokens(alternative[..^1]).ToArray()
                : normalizer.Split(alternative, fixTypos: false);
            if (words.Length == 0)
            {
                throw new FormatException($"'{alternative}' has no letters or digits");
            }
            if (isStem && (words.Length != 1 || words[0].Length < 3))
            {
                throw new FormatException($"'{alternative}': '*' needs one word of at least 3 letters before it");
            }
            result.Add(new Alternative(words, isStem));
        }
        return [.. result];
    }

    /// <summary>A <c>&lt;name&gt;</c> choice stands for every word of that word class.</summary>
    private static string[] ExpandClass(string part, IReadOnlyDictionary<string, string>? classes)
    {
        if (part is not ['<', .. var name, '>'])
        {
            return [part];
        }
        if (part == NumberToken)
        {
            throw new FormatException("<number> must stand alone, not among choices");
        }
        return classes?.GetValueOrDefault(name) is { } members
            ? members.Split('|')
            : throw new FormatException($"'{part}': no word class '{name}' in the words: section");
    }

    /// <summary>"can not" written as two required words matches the text's "cannot".</summary>
    private static void MergeSplitWords(List<Slot> slots)
    {
        for (var i = slots.Count - 2; i >= 0; i--)
        {
            if (slots[i].SingleWord is { } first && slots[i + 1].SingleWord is { } second
                && TextNormalizer.Merge(first, second) is { } merged)
            {
                slots[i] = new Slot(SlotKind.Required, [new Alternative([merged], false)]);
                slots.RemoveAt(i + 1);
            }
        }
    }

    private static void Validate(List<Slot> slots)
    {
        if (!slots.Any(s => s.Kind is SlotKind.Required or SlotKind.Number))
        {
            throw new FormatException("a phrase needs at least one word that is not optional");
        }
        if (slots[0].Kind == SlotKind.Gap || slots[^1].Kind == SlotKind.Gap)
        {
            throw new FormatException("'...' must stand between two words");
        }
        for (var i = 1; i < slots.Count; i++)
        {
            if (slots[i].Kind == SlotKind.Gap && slots[i - 1].Kind == SlotKind.Gap)
            {
                throw new FormatException("two '...' in a row");
            }
        }
    }

    private enum SlotKind { Required, Optional, Gap, Number }

    private sealed record Slot(SlotKind Kind, Alternative[] Alternatives)
    {
        public string? SingleWord =>
            Kind == SlotKind.Required && Alternatives is [{ IsStem: false, Words: [var word] }] ? word : null;
    }

    /// <summary>One choice of a slot: one or more words; with <see cref="IsStem"/> the last word is a stem.</summary>
    private sealed record Alternative(string[] Words, bool IsStem)
    {
        public int LengthAt(string[] text, int at)
        {
            if (at + Words.Length > text.Length)
            {
                return 0;
            }
            for (var k = 0; k < Words.Length; k++)
            {
                var matches = IsStem && k == Words.Length - 1
                    ? text[at + k].StartsWith(Words[k], StringComparison.Ordinal)
                    : string.Equals(text[at + k], Words[k], StringComparison.Ordinal);
                if (!matches)
                {
                    return 0;
                }
            }
            return Words.Length;
        }
    }
}
