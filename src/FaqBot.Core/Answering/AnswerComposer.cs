using System.Runtime.CompilerServices;
using System.Text;
using FaqBot.Knowledge;
using FaqBot.Search;
using FaqBot.Search.Analysis;
using Microsoft.Extensions.Options;

namespace FaqBot.Answering;

/// <summary>A section offered in "Did you mean ...": its heading, article and the best passage for the question.</summary>
public sealed record ClarifyChoice(string Source, string Title, string Section);

/// <summary>The retrieval verdict for one question.</summary>
public sealed record Answer(string Outcome, double Confidence, IReadOnlyList<Citation> Citations, IReadOnlyList<ClarifyChoice> Choices)
{
    public static Answer Fallback(double confidence) => new(Outcomes.Fallback, confidence, [], []);
}

/// <summary>
/// Turns ranked passages into an answer: quote the best answer unit verbatim (at most 600 characters) with its
/// article and section; add at most two more citations only from other articles, only when they are nearly as
/// good and say something else; or ask "did you mean" between two close sections; or admit the articles do not
/// cover it (also when the question's meaning rests on words the articles never use).
/// </summary>
public sealed class AnswerComposer(IOptions<SearchOptions> options)
{
    private const int MaxExtraCitations = 2;

    /// <summary>Held as long as the passage is (a reloaded index's passages take theirs with them).</summary>
    private static readonly ConditionalWeakTable<Passage, HashSet<string>> PassageStems = new();

    public double AnswerThreshold => options.Value.AnswerThreshold;

    /// <param name="allowClarify">False for a follow-up: the conversation already has a topic to read it in.</param>
    public Answer Compose(SearchResult result, bool allowClarify = true)
    {
        ArgumentNullException.ThrowIfNull(result);
        var settings = options.Value;
        if (result.OutOfScope || result.Best is not { } best || best.Score < settings.AnswerThreshold)
        {
            return Answer.Fallback(result.Confidence);
        }

        var perSection = BestOfEachSection(result.Ranked, settings.AnswerThreshold);

        if (allowClarify && perSection.Count > 1)
        {
            var second = perSection[1];
            // Ask only when neither is clearly the answer and the two say different things; the clinic's guidance
            // is never put up against a patient's story (guidance comes first).
            if (best.Score < settings.ClarifyCeiling
                && !(best.Passage.Kind == ContentKind.Guidance && second.Passage.Kind == ContentKind.Story)
                && second.Score >= settings.AnswerThreshold
                && best.Score - second.Score <= settings.ClarifyMargin
                && !Overlaps(best.Passage, second.Passage))
            {
                return new Answer(Outcomes.Clarify, result.Confidence, [], [Choice(best.Passage), Choice(second.Passage)]);
            }
        }

        var cited = new List<Passage> { best.Passage };
        foreach (var candidate in perSection.Skip(1))
        {
            if (cited.Count > MaxExtraCitations)
            {
                break;
            }

            if (candidate.Score >= best.Score * settings.ExtraCitationRatio
                && candidate.Score >= settings.AnswerThreshold
                && cited.All(c => c.Source != candidate.Passage.Source && !Overlaps(c, candidate.Passage)))
            {
                cited.Add(candidate.Passage);
            }
        }

        return new Answer(Outcomes.Answer, result.Confidence, cited.Select(ToCitation).ToList(), []);
    }

    /// <summary>
    /// Markdown for Web Chat: each passage in quotation marks with a [n] marker (no block quote, so it reads full width
    /// on a phone), then the definitions. Sources are named by Web Chat's own citation list, not repeated in the text.
    /// </summary>
    public static string ToMarkdown(IReadOnlyList<Citation> citations, string? lead = null)
    {
        ArgumentNullException.ThrowIfNull(citations);
        var text = new StringBuilder();
        if (lead is { Length: > 0 })
        {
            text.Append(lead).Append("\n\n");
        }

        for (var i = 0; i < citations.Count; i++)
        {
            var quote = string.Join(' ', citations[i].Passage.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            if (citations[i].Kind == ContentKind.Story)
            {
                text.Append(StoryLabel).Append("\n\n");
            }

            text.Append('“').Append(quote).Append("” [").Append(i + 1).Append("]\n\n");
        }

        for (var i = 0; i < citations.Count; i++)
        {
            text.Append('[').Append(i + 1).Append("]: cite:").Append(i + 1).Append(" \"")
                .Append(Label(citations[i]).Replace("\"", "'", StringComparison.Ordinal)).Append("\"\n");
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>Said before a quote from a personal account, so one person's experience never reads as the clinic's instruction.</summary>
    public const string StoryLabel = "From a patient's account:";

    public static string Label(Citation citation)
    {
        ArgumentNullException.ThrowIfNull(citation);
        return citation.Section == citation.Title ? citation.Title : $"{citation.Title} — {citation.Section}";
    }

    public static Citation ToCitation(Passage passage)
    {
        ArgumentNullException.ThrowIfNull(passage);
        return new Citation(passage.Source, passage.Title, passage.Section, passage.Text, passage.Start, passage.End, passage.Kind);
    }

    private static ClarifyChoice Choice(Passage passage) => new(passage.Source, passage.Title, passage.Section);

    /// <summary>
    /// The best candidate of each section, in rank order, up to the last candidate that reaches
    /// <paramref name="threshold"/>: later ones can be neither quoted nor offered in a "did you mean" (both need the
    /// threshold), nor change which candidate comes first in a section before them. Usually a handful of the hundred
    /// candidates, so a section is looked for among those found so far (grouping all hundred by article and heading
    /// was 2% of the server's time under load).
    /// </summary>
    private static List<ScoredPassage> BestOfEachSection(IReadOnlyList<ScoredPassage> ranked, double threshold)
    {
        var last = ranked.Count - 1;
        while (last >= 0 && ranked[last].Score < threshold)
        {
            last--;
        }

        var result = new List<ScoredPassage>();
        for (var i = 0; i <= last; i++)
        {
            if (!HasSection(result, ranked[i].Passage))
            {
                result.Add(ranked[i]);
            }
        }

        return result;
    }

    private static bool HasSection(List<ScoredPassage> found, Passage passage)
    {
        foreach (var r in found)
        {
            if (string.Equals(r.Passage.Section, passage.Section, StringComparison.Ordinal)
                && string.Equals(r.Passage.Source, passage.Source, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Near-duplicates: more than half of the smaller passage's stems appear in the other.</summary>
    private static bool Overlaps(Passage a, Passage b)
    {
        var stemsA = StemsOf(a);
        var stemsB = StemsOf(b);
        if (stemsA.Count == 0 || stemsB.Count == 0)
        {
            return false;
        }

        var shared = stemsA.Count(stemsB.Contains);
        return shared > 0.5 * Math.Min(stemsA.Count, stemsB.Count);
    }

    /// <summary>A passage's stems, analysed once per passage of the index snapshot (never changed after).</summary>
    private static HashSet<string> StemsOf(Passage passage) =>
        PassageStems.GetValue(passage, static p => TextAnalysis.Terms(p.Text).ToHashSet(StringComparer.Ordinal));
}
