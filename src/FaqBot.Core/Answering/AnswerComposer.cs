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

        // Best candidate of each section, in rank order.
        var perSection = result.Ranked
            .GroupBy(r => (r.Passage.Source, r.Passage.Section))
            .Select(g => g.First())
            .ToList();

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

    /// <summary>Near-duplicates: more than half of the smaller passage's stems appear in the other.</summary>
    private static bool Overlaps(Passage a, Passage b)
    {
        var stemsA = TextAnalysis.Terms(a.Text).ToHashSet(StringComparer.Ordinal);
        var stemsB = TextAnalysis.Terms(b.Text).ToHashSet(StringComparer.Ordinal);
        if (stemsA.Count == 0 || stemsB.Count == 0)
        {
            return false;
        }

        var shared = stemsA.Count(stemsB.Contains);
        return shared > 0.5 * Math.Min(stemsA.Count, stemsB.Count);
    }
}
