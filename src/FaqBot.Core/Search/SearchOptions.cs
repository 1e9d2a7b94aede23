using System.ComponentModel.DataAnnotations;

namespace FaqBot.Search;

/// <summary>Ranking thresholds ("Search" section). Confidence is in [0, 1].</summary>
public sealed class SearchOptions
{
    public const string Section = "Search";

    /// <summary>At or above: the best passage is quoted as the answer.</summary>
    [Range(0.0, 1.0)]
    public double AnswerThreshold { get; set; } = 0.40;

    /// <summary>Two candidates from different sections this close in coverage, each covering a part of the question the other misses, ask "did you mean".</summary>
    [Range(0.0, 1.0)]
    public double ClarifyMargin { get; set; } = 0.03;

    /// <summary>Extra citations from other articles need at least this share of the best score.</summary>
    [Range(0.0, 1.0)]
    public double ExtraCitationRatio { get; set; } = 0.9;
}
