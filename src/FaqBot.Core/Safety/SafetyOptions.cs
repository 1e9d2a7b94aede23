using System.ComponentModel.DataAnnotations;

namespace FaqBot.Safety;

/// <summary>The safety screen's semantic layer ("Safety" section of appsettings.json). The
/// thresholds were chosen on tests/FaqBot.Tests/Data/safety-tuning.jsonl (see the README).</summary>
public sealed class SafetyOptions
{
    public const string Section = "Safety";

    /// <summary>The exemplar bank, relative to the repository root.</summary>
    [Required]
    public string ExemplarsFile { get; set; } = SemanticSafetyNet.FileName;

    /// <summary>Off: the lexical layer alone (phrases.yaml).</summary>
    public bool SemanticEnabled { get; set; } = true;

    /// <summary><c>MiniLM</c> (all-MiniLM-L6-v2) or <c>ArcticXs</c> (arctic-embed-xs).</summary>
    [Required]
    [RegularExpression("^(MiniLM|ArcticXs)$")]
    public string Model { get; set; } = SentenceEncoder.MiniLM;

    /// <summary>A check-in needs the nearest crisis exemplar at least this close (cosine similarity).</summary>
    [Range(0.0, 1.0)]
    public double CheckInSimilarity { get; set; } = 0.6;

    /// <summary>...and the crisis exemplars' share (similarity-weighted) of the nearest neighbours at least this.</summary>
    [Range(0.0, 1.0)]
    public double CheckInCrisisShare { get; set; } = 0.6;

    /// <summary>How many nearest exemplars vote.</summary>
    [Range(1, 50)]
    public int Neighbours { get; set; } = 5;

    /// <summary>Where exemplar vectors are cached (keyed by model and text hash), relative to the repository root.</summary>
    [Required]
    public string EmbeddingCacheFolder { get; set; } = "data/cache";

    public SemanticThresholds Thresholds => new(CheckInSimilarity, CheckInCrisisShare, Neighbours);
}
