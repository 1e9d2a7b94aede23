using System.Globalization;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FaqBot.Knowledge;

/// <summary>
/// Reads one article: Markdown with YAML front matter (<c>title</c>, <c>source</c>, <c>reviewed</c>,
/// optional <c>expires</c>), or plain text (first line is the title). Headings are sections; passages are
/// windows of 1-3 sentences inside one section, at most <see cref="MaxPassageLength"/> characters.
/// </summary>
public static class ArticleParser
{
    public const int MaxPassageLength = 600;
    public const int MaxSentencesPerPassage = 3;

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseYamlFrontMatter()
        .UsePreciseSourceLocation()
        .Build();

    /// <summary>Parses an article; throws <see cref="InvalidDataException"/> with a readable reason.</summary>
    public static Article Parse(string source, string text, DateOnly modified, ref int nextPassageId)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        return source.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)
            ? ParsePlainText(source, text, modified, ref nextPassageId)
            : ParseMarkdown(source, text, ref nextPassageId);
    }

    private static Article ParseMarkdown(string source, string text, ref int nextPassageId)
    {
        var document = Markdown.Parse(text, Pipeline);
        var frontMatter = document.Descendants<YamlFrontMatterBlock>().FirstOrDefault()
            ?? throw new InvalidDataException("missing YAML front matter (--- title/source/reviewed ---)");
        var meta = ReadFrontMatter(text.Substring(frontMatter.Span.Start, frontMatter.Span.Length));

        var sentences = new List<Sentence>();
        var section = meta.Title;
        foreach (var block in document.Descendants())
        {
            switch (block)
            {
                case HeadingBlock heading:
                    section = InlineText(text, heading);
                    break;
                case ParagraphBlock paragraph:
                    foreach (var (start, end) in SentenceSplitter.Split(text, paragraph.Span.Start, paragraph.Span.End + 1))
                    {
                        sentences.Add(new Sentence(section, start, end, paragraph.Span.Start));
                    }

                    break;
            }
        }

        return Build(source, text, meta, sentences, ref nextPassageId);
    }

    private static Article ParsePlainText(string source, string text, DateOnly modified, ref int nextPassageId)
    {
        var firstLineEnd = text.IndexOf('\n', StringComparison.Ordinal);
        var title = (firstLineEnd < 0 ? text : text[..firstLineEnd]).Trim();
        if (title.Length == 0)
        {
            throw new InvalidDataException("a .txt article must start with its title on the first line");
        }

        var sentences = new List<Sentence>();
        var position = firstLineEnd < 0 ? text.Length : firstLineEnd + 1;
        while (position < text.Length)
        {
            var paragraphEnd = text.IndexOf("\n\n", position, StringComparison.Ordinal);
            if (paragraphEnd < 0)
            {
                paragraphEnd = text.Length;
            }

            foreach (var (start, end) in SentenceSplitter.Split(text, position, paragraphEnd))
            {
                sentences.Add(new Sentence(title, start, end, position));
            }

            position = paragraphEnd + 2;
        }

        var meta = new FrontMatter(title, source, modified, null);
        return Build(source, text, meta, sentences, ref nextPassageId);
    }

    private static Article Build(string source, string text, FrontMatter meta, List<Sentence> sentences, ref int nextPassageId)
    {
        if (sentences.Count == 0)
        {
            throw new InvalidDataException("no article text after the front matter");
        }

        var passages = new List<Passage>();
        for (var i = 0; i < sentences.Count; i++)
        {
            for (var n = 1; n <= MaxSentencesPerPassage && i + n <= sentences.Count; n++)
            {
                var last = sentences[i + n - 1];
                if (last.Section != sentences[i].Section || last.End - sentences[i].Start > MaxPassageLength)
                {
                    break;
                }

                // A window never crosses a heading; it may run on into the next paragraph or list item.
                var passageText = text[sentences[i].Start..last.End];
                if (n == 1 && passageText.EndsWith(':'))
                {
                    continue; // a label such as "Benefits:" only introduces what follows
                }

                passages.Add(new Passage(nextPassageId++, source, meta.Title, sentences[i].Section, passageText, sentences[i].Start, last.End, i, n));
            }
        }

        return new Article(source, meta.Title, meta.Origin, meta.Reviewed, meta.Expires, text, passages);
    }

    private static string InlineText(string text, HeadingBlock heading)
    {
        var line = text.Substring(heading.Span.Start, heading.Span.Length);
        return line.TrimStart('#').Trim().TrimEnd('#').Trim();
    }

    private static FrontMatter ReadFrontMatter(string yaml)
    {
        var body = yaml.Trim().Trim('-').Trim();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(body));
        }
        catch (YamlException ex)
        {
            throw new InvalidDataException($"front matter is not valid YAML (line {ex.Start.Line}): {ex.Message}", ex);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode map)
        {
            throw new InvalidDataException("front matter must be a YAML mapping with title, source and reviewed");
        }

        string? Get(string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode s ? s.Value : null;

        var title = Get("title");
        var origin = Get("source");
        var reviewed = Get("reviewed");
        if (string.IsNullOrWhiteSpace(title))
        {
            throw new InvalidDataException("front matter has no title");
        }

        if (string.IsNullOrWhiteSpace(origin))
        {
            throw new InvalidDataException("front matter has no source");
        }

        if (!DateOnly.TryParseExact(reviewed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var reviewedOn))
        {
            throw new InvalidDataException("front matter 'reviewed' must be a date like 2026-01-31");
        }

        DateOnly? expires = null;
        if (Get("expires") is { Length: > 0 } e)
        {
            expires = DateOnly.TryParseExact(e, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? d
                : throw new InvalidDataException("front matter 'expires' must be a date like 2027-01-31");
        }

        return new FrontMatter(title.Trim(), origin.Trim(), reviewedOn, expires);
    }

    private sealed record FrontMatter(string Title, string Origin, DateOnly Reviewed, DateOnly? Expires);

    private sealed record Sentence(string Section, int Start, int End, int Paragraph);
}
