using System.Globalization;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FaqBot.Knowledge;

/// <summary>
/// Reads one article: Markdown with YAML front matter (<c>title</c>, <c>source</c>, <c>reviewed</c>,
/// optional <c>expires</c>, <c>kind</c> and per-section <c>sections</c> kinds), or plain text (first line is
/// the title). Headings are sections. The article's structure decides the answer units: a list with its
/// lead-in sentence is one unit, a sentence that opens on a reference to what came before ("This", "However",
/// "For instance") is never quoted without the sentence before it, and a sentence ending in "?", a lead-in
/// alone, a heading alone or a sentence about the article itself is never an answer.
/// </summary>
public static partial class ArticleParser
{
    public const int MaxPassageLength = 600;
    public const int MaxUnitsPerPassage = 3;

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseYamlFrontMatter()
        .UsePreciseSourceLocation()
        .Build();

    /// <summary>Parses an article; throws <see cref="InvalidDataException"/> with a readable reason.</summary>
    public static Article Parse(string source, string text, DateOnly modified)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        return source.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)
            ? ParsePlainText(source, text, modified)
            : ParseMarkdown(source, text);
    }

    private static Article ParseMarkdown(string source, string text)
    {
        var document = Markdown.Parse(text, Pipeline);
        var frontMatter = document.Descendants<YamlFrontMatterBlock>().FirstOrDefault()
            ?? throw new InvalidDataException("missing YAML front matter (--- title/source/reviewed ---)");
        var meta = ReadFrontMatter(text.Substring(frontMatter.Span.Start, frontMatter.Span.Length));

        var units = new List<Unit>();
        var section = meta.Title;
        var headings = new HashSet<string>(StringComparer.Ordinal) { meta.Title };
        var inLists = new HashSet<ParagraphBlock>();
        foreach (var block in document.Descendants())
        {
            switch (block)
            {
                case HeadingBlock heading:
                    section = InlineText(text, heading);
                    headings.Add(section);
                    break;
                case ListBlock list when list.Parent is not ListItemBlock:
                    var items = list.Descendants<ParagraphBlock>().ToList();
                    inLists.UnionWith(items);
                    AddList(units, text, section, list, items);
                    break;
                case ParagraphBlock paragraph when !inLists.Contains(paragraph):
                    foreach (var (start, end) in SentenceSplitter.Split(text, paragraph.Span.Start, paragraph.Span.End + 1))
                    {
                        units.Add(Unit.Sentence(text, section, start, end));
                    }

                    break;
            }
        }

        foreach (var named in meta.SectionKinds.Keys.Where(k => !headings.Contains(k)))
        {
            throw new InvalidDataException($"front matter 'sections' names \"{named}\", which is not a heading of this article");
        }

        return Build(source, text, meta, units);
    }

    private static Article ParsePlainText(string source, string text, DateOnly modified)
    {
        var firstLineEnd = text.IndexOf('\n', StringComparison.Ordinal);
        var title = (firstLineEnd < 0 ? text : text[..firstLineEnd]).Trim();
        if (title.Length == 0)
        {
            throw new InvalidDataException("a .txt article must start with its title on the first line");
        }

        var units = new List<Unit>();
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
                units.Add(Unit.Sentence(text, title, start, end));
            }

            position = paragraphEnd + 2;
        }

        var meta = new FrontMatter(title, source, modified, null, ContentKind.Guidance, new Dictionary<string, ContentKind>());
        return Build(source, text, meta, units);
    }

    /// <summary>A list is one unit with its lead-in sentence ("Common sensations include:") when it fits; otherwise each item stands alone.</summary>
    private static void AddList(List<Unit> units, string text, string section, ListBlock list, List<ParagraphBlock> items)
    {
        var end = TrimEnd(text, list.Span.Start, Math.Min(text.Length, list.Span.End + 1));
        var leadIn = units.Count > 0 && units[^1] is { LeadIn: true } last && last.Section == section ? last : null;
        var start = leadIn?.Start ?? list.Span.Start;
        if (end - start <= MaxPassageLength)
        {
            if (leadIn is not null)
            {
                units.RemoveAt(units.Count - 1);
            }

            units.Add(new Unit(section, start, end, LeadIn: false, Question: false, RefersBack: false, About: false));
            return;
        }

        foreach (var item in items)
        {
            foreach (var (s, e) in SentenceSplitter.Split(text, item.Span.Start, item.Span.End + 1))
            {
                units.Add(Unit.Sentence(text, section, s, e) with { RefersBack = false });
            }
        }
    }

    private static Article Build(string source, string text, FrontMatter meta, List<Unit> raw)
    {
        if (raw.Count == 0)
        {
            throw new InvalidDataException("no article text after the front matter");
        }

        // A sentence that refers back is glued to the unit before it (same section, within the length limit).
        var units = new List<Unit>();
        foreach (var unit in raw)
        {
            if (unit.RefersBack && units.Count > 0 && units[^1] is { } previous && previous.Section == unit.Section
                && !previous.About && unit.End - previous.Start <= MaxPassageLength)
            {
                units[^1] = previous with { End = unit.End, Question = unit.Question, LeadIn = unit.LeadIn, About = unit.About };
                continue;
            }

            units.Add(unit);
        }

        var passages = new List<Passage>();
        for (var i = 0; i < units.Count; i++)
        {
            if (units[i].RefersBack || units[i].About)
            {
                continue; // never quoted without what it refers to; never the article talking about itself
            }

            for (var n = 1; n <= MaxUnitsPerPassage && i + n <= units.Count; n++)
            {
                var last = units[i + n - 1];
                if (last.Section != units[i].Section || last.End - units[i].Start > MaxPassageLength || last.About)
                {
                    break;
                }

                if (last.Question || last.LeadIn || (n == 1 && units[i].Question))
                {
                    continue; // a question, or a lead-in without what it introduces, is not an answer
                }

                var kind = meta.SectionKinds.TryGetValue(units[i].Section, out var k) ? k : meta.Kind;
                passages.Add(new Passage(passages.Count, source, meta.Title, units[i].Section, text[units[i].Start..last.End], units[i].Start, last.End, i, n, kind));
            }
        }

        if (passages.Count == 0)
        {
            throw new InvalidDataException("no sentence of this article can be quoted as an answer");
        }

        return new Article(source, meta.Title, meta.Origin, meta.Reviewed, meta.Expires, text, passages);
    }

    private static string InlineText(string text, HeadingBlock heading)
    {
        var line = text.Substring(heading.Span.Start, heading.Span.Length);
        return line.TrimStart('#').Trim().TrimEnd('#').Trim();
    }

    private static int TrimEnd(string text, int from, int to)
    {
        while (to > from && char.IsWhiteSpace(text[to - 1]))
        {
            to--;
        }

        return to;
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

        var kind = ParseKind(Get("kind"), "kind");
        var sectionKinds = new Dictionary<string, ContentKind>(StringComparer.Ordinal);
        if (map.Children.TryGetValue(new YamlScalarNode("sections"), out var sections))
        {
            if (sections is not YamlMappingNode sectionMap)
            {
                throw new InvalidDataException("front matter 'sections' must map section headings to a kind (guidance or story)");
            }

            foreach (var (heading, value) in sectionMap.Children)
            {
                var name = (heading as YamlScalarNode)?.Value ?? "";
                sectionKinds[name] = ParseKind((value as YamlScalarNode)?.Value, $"sections: \"{name}\"");
            }
        }

        return new FrontMatter(title.Trim(), origin.Trim(), reviewedOn, expires, kind, sectionKinds);
    }

    private static ContentKind ParseKind(string? value, string where) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "guidance" => ContentKind.Guidance,
        "story" => ContentKind.Story,
        _ => throw new InvalidDataException($"front matter '{where}' must be 'guidance' or 'story', not '{value}'"),
    };

    /// <summary>Openings that lean on the sentence before: such a sentence is never quoted alone.</summary>
    [GeneratedRegex(@"^\W*(this|these|that|those|it|its|it’s|it's|they|them|their|such|however|but|for instance|for example|common ones|others|another|additionally|also|in addition|moreover|furthermore|even so|as a result|because of this|therefore|thus|instead|otherwise|similarly|likewise)\b", RegexOptions.IgnoreCase)]
    private static partial Regex RefersBackPattern();

    /// <summary>The article talking about itself ("this guide aims to...", "we'll explore...").</summary>
    [GeneratedRegex(@"\b(this (article|guide|blog post|post) (aims|will|explains)|we[’']ll (explore|delve|walk|address|look)|we will (explore|delve|address)|keep reading|let[’']s walk through|by the end, you[’']ll|this guide aims)", RegexOptions.IgnoreCase)]
    private static partial Regex AboutTheArticlePattern();

    private sealed record FrontMatter(string Title, string Origin, DateOnly Reviewed, DateOnly? Expires, ContentKind Kind, IReadOnlyDictionary<string, ContentKind> SectionKinds);

    private sealed record Unit(string Section, int Start, int End, bool LeadIn, bool Question, bool RefersBack, bool About)
    {
        public static Unit Sentence(string text, string section, int start, int end)
        {
            var sentence = text[start..end];
            var trimmed = sentence.TrimEnd('"', '\'', '\u201D', '\u2019', ')', '*', '_');
            return new Unit(section, start, end, trimmed.EndsWith(':'), trimmed.EndsWith('?'), RefersBackPattern().IsMatch(sentence), AboutTheArticlePattern().IsMatch(sentence));
        }
    }
}
