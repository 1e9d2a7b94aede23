using System.Collections.Frozen;
using FaqBot.Knowledge;

namespace FaqBot.Search;

/// <summary>What kind of statement answers the question, beyond its words.</summary>
public enum AnswerKind
{
    None,

    /// <summary>"How long ...": a passage stating a length of time ("about 45 minutes") answers it.</summary>
    Duration,

    /// <summary>"How quickly/soon ...": a passage stating an onset ("within hours") answers it.</summary>
    Speed,
}

/// <summary>One meaningful part of a question: the patient's word or phrase and its interchangeable forms.</summary>
/// <param name="OwnStems">The stems of the words the patient actually typed (a passage using them is a closer match than a synonym).</param>
/// <param name="Weak">A question-frame word ("cause", "help", "happen") that says little about the topic.</param>
/// <param name="Answer">Set on the frame word of "how long"/"how soon": a passage of that answer kind satisfies it.</param>
public sealed record Concept(
    string Term,
    IReadOnlyList<string[]> Alternatives,
    IReadOnlyList<string[]> AlternativeStems,
    string[] OwnStems,
    bool Weak = false,
    AnswerKind Answer = AnswerKind.None);

public sealed record AnalyzedQuery(IReadOnlyList<Concept> Concepts, IReadOnlyList<(string From, string To)> Corrections);

/// <summary>Question → concepts: synonym phrases, stop words dropped, typos repaired against the index vocabulary.</summary>
public sealed class QueryAnalyzer
{
    private static readonly FrozenSet<string> StopWords = FrozenSet.ToFrozenSet(
    [
        "a", "about", "actually", "again", "all", "also", "am", "an", "and", "any", "anything", "are", "as", "at", "be", "been",
        "being", "both", "but", "by", "can", "cant", "could", "couldnt", "did", "didnt", "do", "does", "doesnt", "doing", "dont",
        "each", "else", "even", "ever", "for", "from", "get", "gets", "getting", "go", "going", "gonna", "got", "had", "has", "have",
        "having", "he", "her", "here", "hey", "hi", "him", "his", "how", "i", "id", "if", "ill", "im", "in", "into", "is", "isnt",
        "it", "its", "ive", "just", "kind", "know", "let", "lets", "like", "lot", "lots", "may", "me", "might", "mine", "more",
        "most", "much", "must", "my", "myself", "need", "needs", "no", "not", "now", "of", "ok", "okay", "on", "one", "or", "other",
        "our", "out", "own", "please", "pls", "plz", "r", "really", "s", "same", "say", "says", "shall", "she", "should",
        "shouldnt", "so", "some", "someone", "something", "sort", "still", "such", "sure", "t", "tell", "than", "that", "thats",
        "the", "their", "them", "then", "there", "these", "they", "thing", "things", "this", "those", "to", "too", "u", "ur",
        "us", "very", "wanna", "want", "was", "way", "we", "were", "what", "whats", "when", "where", "which", "while", "who",
        "whom", "why", "will", "with", "wont", "would", "wouldnt", "yes", "you", "youll", "your", "youre", "yours", "ya", "yall",
        "ketamines", "there's", "up", "off", "over", "again", "further", "once", "only", "does", "usually", "typically", "normally",
        "generally", "gonna", "tho", "though", "anyone", "anybody", "somebody", "etc", "else", "besides", "whole", "ones", "stuff", "yet", "right", "main", "around", "exactly", "always",
        "till", "until", "instead", "mention", "maybe", "kinda", "sorta", "basically", "honestly", "literally", "probably",
        "possibly", "definitely", "anyway", "pretty", "quite", "super", "bit", "little", "guys", "folks", "ok", "hmm", "um",
        "itll", "itd", "thatll", "theyll", "theyre", "theyve", "theyd", "weve", "youve", "youd", "arent", "wasnt", "werent", "hasnt",
        "havent", "hadnt", "wouldve", "couldve", "shouldve", "whatll", "wholl", "hows", "wheres", "whens",
    ], StringComparer.Ordinal);

    private static readonly FrozenSet<string> WeakWords = FrozenSet.ToFrozenSet(
    [
        "cause", "causes", "caused", "last", "lasts", "cure", "cures", "fix", "enough", "happen", "happens", "happened", "help", "helps", "helped", "make", "makes", "take", "takes",
        "taking", "use", "used", "using", "normal", "common", "usual", "typical", "possible", "start", "starts", "people", "person",
        "expect", "expected", "come", "give", "given", "keep", "find", "see", "look", "looks", "mean", "means", "try", "treat",
        "treats", "affect", "affects", "keeping", "putting", "put", "doing", "feeling", "able", "ok", "fine", "bad", "good", "better", "worse", "right", "big", "deal", "anyone",
    ], StringComparer.Ordinal);

    private readonly Synonyms _synonyms;
    private readonly FrozenDictionary<string, int> _vocabulary;
    private readonly string[][] _vocabularyByLength;
    private readonly FrozenSet<string> _stems;

    public QueryAnalyzer(Synonyms synonyms, IReadOnlyDictionary<string, int> vocabulary)
    {
        ArgumentNullException.ThrowIfNull(synonyms);
        ArgumentNullException.ThrowIfNull(vocabulary);
        _synonyms = synonyms;
        var words = new Dictionary<string, int>(vocabulary, StringComparer.Ordinal);
        foreach (var term in synonyms.AllTerms)
        {
            foreach (var word in term.Split(' '))
            {
                words.TryAdd(word, 1);
            }
        }

        _vocabulary = words.ToFrozenDictionary(StringComparer.Ordinal);
        _stems = words.Keys.Select(Stemmer.Stem).ToFrozenSet(StringComparer.Ordinal);
        _vocabularyByLength = Enumerable.Range(0, 40)
            .Select(len => words.Keys.Where(w => w.Length == len).OrderByDescending(w => words[w]).ToArray())
            .ToArray();
    }

    public static bool IsStopWord(string word) => StopWords.Contains(word);

    public AnalyzedQuery Analyze(string question)
    {
        var tokens = Tokenizer.Words(question, splitHyphens: false);
        var corrections = new List<(string, string)>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            // Four-letter words are too often real words the articles just don't use ("loss", "gone", "wake").
            if (token.Length >= 5 && !StopWords.Contains(token) && !_vocabulary.ContainsKey(token) && !_stems.Contains(Stemmer.Stem(token)) && _synonyms.GroupOf(token) is null
                && !token.Contains('-', StringComparison.Ordinal) && !token.Any(char.IsDigit) && Correct(token) is { } fixedWord)
            {
                corrections.Add((token, fixedWord));
                tokens[i] = fixedWord;
            }
        }

        var concepts = new List<Concept>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count;)
        {
            var matched = false;
            for (var n = Math.Min(_synonyms.MaxPhraseWords, tokens.Count - i); n >= 1 && !matched; n--)
            {
                var phrase = string.Join(' ', tokens.Skip(i).Take(n));
                if (_synonyms.GroupOf(phrase) is { } group)
                {
                    if (seen.Add(group[0]))
                    {
                        concepts.Add(MakeConcept(phrase, group) with { Weak = WeakWords.Contains(phrase), Answer = AnswerKindAt(tokens, i) });
                    }

                    i += n;
                    matched = true;
                }
            }

            if (matched)
            {
                continue;
            }

            var answer = AnswerKindAt(tokens, i);
            var token = tokens[i++];
            foreach (var part in token.Contains('-', StringComparison.Ordinal) ? [token, .. token.Split('-', StringSplitOptions.RemoveEmptyEntries)] : new[] { token })
            {
                if (!StopWords.Contains(part) && !(part.Length == 1 && !char.IsDigit(part[0])) && seen.Add(part))
                {
                    concepts.Add(MakeConcept(part, [part]) with { Weak = WeakWords.Contains(part), Answer = answer });
                }
            }
        }

        return new AnalyzedQuery(concepts, corrections);
    }

    private static Concept MakeConcept(string term, IReadOnlyList<string> alternatives)
    {
        var words = alternatives.Select(a => a.Split(' ', StringSplitOptions.RemoveEmptyEntries).SelectMany(w => Tokenizer.Words(w)).Distinct().ToArray()).ToList();
        // A phrase keeps every word ("throw up"), so it only matches as a phrase; a lone stop word matches nothing.
        var stems = words.Where(w => w.Length > 1 || (w.Length == 1 && !StopWords.Contains(w[0]))).Select(w => w.Select(Stemmer.Stem).ToArray()).ToList();
        var own = Tokenizer.Words(term).Where(w => !StopWords.Contains(w)).Select(Stemmer.Stem).ToArray();
        return new Concept(term, words, stems, own);
    }

    /// <summary>
    /// The answer kind when the concept starting at <paramref name="tokens"/>[i] is the frame of a "how" question
    /// ("how long" as a phrase, or the word right after "how"): "how long" asks for a duration (but "how long
    /// until/before" asks how soon), "how quickly/soon/fast" for an onset.
    /// </summary>
    private static AnswerKind AnswerKindAt(List<string> tokens, int i)
    {
        if (tokens[i] == "how" && i + 1 < tokens.Count)
        {
            i++;
        }
        else if (i == 0 || tokens[i - 1] != "how")
        {
            return AnswerKind.None;
        }

        var next = i + 1 < tokens.Count ? tokens[i + 1] : "";
        return tokens[i] switch
        {
            "long" when next is "until" or "before" or "till" => AnswerKind.Speed,
            "long" => AnswerKind.Duration,
            "quickly" or "soon" or "fast" or "rapidly" => AnswerKind.Speed,
            _ => AnswerKind.None,
        };
    }

    /// <summary>
    /// The most frequent vocabulary word within edit distance 1 (2 for words of 10+ letters) that starts with
    /// the same letter, or null. Patients' misspellings keep the first letter ("nausia", "migranes");
    /// a different first letter or two edits on a short word usually mean a different word ("waking", "weather").
    /// </summary>
    private string? Correct(string token)
    {
        var maxDistance = token.Length >= 10 ? 2 : 1;
        string? best = null;
        var bestDistance = int.MaxValue;
        var bestFrequency = 0;
        for (var len = Math.Max(1, token.Length - maxDistance); len <= Math.Min(_vocabularyByLength.Length - 1, token.Length + maxDistance); len++)
        {
            foreach (var candidate in _vocabularyByLength[len])
            {
                if (candidate[0] != token[0])
                {
                    continue;
                }

                var distance = Distance(token, candidate, maxDistance);
                var frequency = _vocabulary[candidate];
                if (distance < bestDistance || (distance == bestDistance && frequency > bestFrequency))
                {
                    (best, bestDistance, bestFrequency) = (candidate, distance, frequency);
                }
            }
        }

        return bestDistance <= maxDistance ? best : null;
    }

    /// <summary>Optimal string alignment distance, cut off above <paramref name="max"/>.</summary>
    internal static int Distance(string a, string b, int max)
    {
        if (Math.Abs(a.Length - b.Length) > max)
        {
            return max + 1;
        }

        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            var rowMin = int.MaxValue;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var v = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    v = Math.Min(v, d[i - 2, j - 2] + 1);
                }

                d[i, j] = v;
                rowMin = Math.Min(rowMin, v);
            }

            if (rowMin > max)
            {
                return max + 1;
            }
        }

        return d[a.Length, b.Length];
    }
}
