using System.ComponentModel.DataAnnotations;

namespace FaqBot.Knowledge;

/// <summary>Where the articles live ("Knowledge" section). Relative paths are resolved against the repository root.</summary>
public sealed class KnowledgeOptions
{
    public const string Section = "Knowledge";

    [Required]
    public string Path { get; set; } = "knowledge";

    /// <summary>The synonyms file, inside the knowledge folder; it is not an article.</summary>
    [Required]
    public string SynonymsFile { get; set; } = "synonyms.txt";

    /// <summary>How long to wait for a burst of file changes to settle before re-indexing.</summary>
    [Range(50, 60_000)]
    public int ReloadDelayMilliseconds { get; set; } = 500;
}
