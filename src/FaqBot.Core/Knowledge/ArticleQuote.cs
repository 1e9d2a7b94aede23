using System.Globalization;
using System.Runtime.CompilerServices;
using FaqBot.Answering;
using Markdig;
using Markdig.Syntax;

namespace FaqBot.Knowledge;

/// <summary>
/// Where a quoted passage sits in its article, for the citation popup and the article page: the
/// sentences around it in its paragraph, and the address of the article page that opens at the
/// passage, highlighted (<c>/articles/{slug}?quote={start}-{end}#quoted</c>).
/// </summary>
/// <param name="Before">The sentence before the passage in its paragraph ("" at the paragraph's start).</param>
/// <param name="After">The sentence after it ("" at the paragraph's end).</param>
/// <param name="MoreBefore">The paragraph goes on before <paramref name="Before"/>.</param>
/// <param name="MoreAfter">The paragraph goes on after <paramref name="After"/>.</param>
public sealed record ArticleQuote(string Before, string Passage, string After, bool MoreBefore, bool MoreAfter, string Url, DateOnly Reviewed)
{
    /// <summary>The address of every article page.</summary>
    public const string PathPrefix = "/articles/";

    /// <summary>The id of the highlighted passage on the article page.</summary>
    public const string Anchor = "quoted";

    private const int MaxContextLength = 320;

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().UsePreciseSourceLocation().Build();

    /// <summary>Paragraph spans per article text, computed once per loaded article.</summary>
    private static readonly ConditionalWeakTable<Article, List<(int Start, int End)>> Paragraphs = [];

    /// <summary>The article's page name: its file name without extension (articles are named like slugs).</summary>
    public static string Slug(string source) => Path.GetFileNameWithoutExtension(source ?? "").ToLowerInvariant();

    public static string UrlOf(Citation citation)
    {
        ArgumentNullException.ThrowIfNull(citation);
        return $"{PathPrefix}{Uri.EscapeDataString(Slug(citation.Source))}?quote={citation.Start}-{citation.End}#{Anchor}";
    }

    /// <summary>The paragraph context of <paramref name="citation"/> inside <paramref name="article"/> (the article it quotes).</summary>
    public static ArticleQuote Of(Citation citation, Article article)
    {
        ArgumentNullException.ThrowIfNull(citation);
        ArgumentNullException.ThrowIfNull(article);
        var text = article.Text;
        var start = Math.Clamp(citation.Start, 0, text.Length);
        var end = Math.Clamp(citation.End, start, text.Length);
        var paragraphs = Paragraphs.GetValue(article, a => FindParagraphs(a.Text));
        (int Start, int End) passage = (start, end);
        var first = paragraphs.FirstOrDefault(p => p.Start <= start && start < p.End, passage);
        var last = paragraphs.FirstOrDefault(p => p.Start < end && end <= p.End, passage);

        var before = SentenceSplitter.Split(text, first.Start, start);
        var after = SentenceSplitter.Split(text, end, last.End);
        var beforeText = before.Count > 0 ? Shorten(text[before[^1].Start..before[^1].End], fromEnd: true) : "";
        var afterText = after.Count > 0 ? Shorten(text[after[0].Start..after[0].End], fromEnd: false) : "";
        return new ArticleQuote(
            OneLine(beforeText), OneLine(text[start..end]), OneLine(afterText),
            before.Count > 1, after.Count > 1,
            UrlOf(citation), article.Reviewed);
    }

    /// <summary>
    /// The passage inside its paragraph as Markdown, the passage in bold:
    /// "… sentence before. **The quoted passage.** Sentence after. …".
    /// </summary>
    public string ToMarkdown()
    {
        var parts = new List<string>();
        if (Before.Length > 0)
        {
            parts.Add((MoreBefore && !Before.StartsWith('…') ? "… " : "") + Before);
        }

        parts.Add($"**{Passage.Replace("**", "", StringComparison.Ordinal)}**");
        if (After.Length > 0)
        {
            parts.Add(After + (MoreAfter && !After.EndsWith('…') ? " …" : ""));
        }

        return string.Join(' ', parts);
    }

    public string ReviewedText => Reviewed.ToString("MMMM d, yyyy", CultureInfo.InvariantCulture);

    private static List<(int Start, int End)> FindParagraphs(string text)
    {
        var document = Markdown.Parse(text, Pipeline);
        return [.. document.Descendants<ParagraphBlock>().Select(p => (p.Span.Start, Math.Min(text.Length, p.Span.End + 1)))];
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>A context sentence of at most <see cref="MaxContextLength"/> characters, cut at a word, on the side away from the passage.</summary>
    private static string Shorten(string sentence, bool fromEnd)
    {
        if (sentence.Length <= MaxContextLength)
        {
            return sentence;
        }

        if (fromEnd)
        {
            var cut = sentence.IndexOf(' ', sentence.Length - MaxContextLength);
            return "…" + sentence[(cut < 0 ? sentence.Length - MaxContextLength : cut)..];
        }

        var stop = sentence.LastIndexOf(' ', MaxContextLength);
        return sentence[..(stop < 0 ? MaxContextLength : stop)] + " …";
    }
}
