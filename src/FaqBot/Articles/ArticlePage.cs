using System.Globalization;
using System.Text.Encodings.Web;
using FaqBot.Knowledge;
using Markdig;
using Markdig.Extensions.AutoIdentifiers;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace FaqBot.Articles;

/// <summary>
/// One article as a readable page: Markdig renders the Markdown with raw HTML disabled (so anything in the
/// file is escaped), every heading gets an anchor, and a quoted passage can be highlighted with a
/// <c>&lt;mark id="quoted"&gt;</c> the page opens at. The page has no script; styles come from /css.
/// </summary>
public static class ArticlePage
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseYamlFrontMatter()
        .UsePreciseSourceLocation()
        .UseAutoIdentifiers(AutoIdentifierOptions.GitHub)
        .DisableHtml()
        .Build();

    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    /// <summary>The whole HTML page. <paramref name="quote"/> (offsets into <see cref="Article.Text"/>) is highlighted when given.</summary>
    public static string Render(Article article, string clinicName, (int Start, int End)? quote)
    {
        ArgumentNullException.ThrowIfNull(article);
        var document = Markdown.Parse(article.Text, Pipeline);
        if (quote is { } q)
        {
            Highlight(document, q.Start, q.End);
        }

        var sections = document.Descendants<HeadingBlock>()
            .Select(h => (Id: h.GetAttributes().Id, Text: HeadingText(h)))
            .Where(h => h.Id is { Length: > 0 } && h.Text.Length > 0)
            .ToList();

        using var body = new StringWriter(CultureInfo.InvariantCulture);
        var renderer = new HtmlRenderer(body);
        Pipeline.Setup(renderer);
        renderer.Render(document);

        var title = Html.Encode(article.Title);
        var origin = Uri.TryCreate(article.Origin, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
            ? $"<a href=\"{Html.Encode(uri.AbsoluteUri)}\" rel=\"noopener noreferrer\">{Html.Encode(article.Origin)}</a>"
            : Html.Encode(article.Origin);
        var reviewed = article.Reviewed.ToString("MMMM d, yyyy", CultureInfo.InvariantCulture);
        var contents = sections.Count < 2 ? "" :
            "<nav class=\"article__contents\" aria-labelledby=\"contents-title\"><h2 id=\"contents-title\">In this article</h2><ol>" +
            string.Concat(sections.Select(s => $"<li><a href=\"#{Html.Encode(s.Id!)}\">{Html.Encode(s.Text)}</a></li>")) +
            "</ol></nav>";
        var highlightNote = quote is null ? "" :
            $"<p class=\"article__note\"><a href=\"#{ArticleQuote.Anchor}\">Go to the highlighted passage</a> the assistant quoted.</p>";

        return $"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <meta name="referrer" content="no-referrer">
              <title>{title} · {Html.Encode(clinicName)}</title>
              <link rel="icon" href="/favicon.ico" sizes="32x32">
              <link rel="icon" href="/icon.svg" type="image/svg+xml">
              <link rel="stylesheet" href="/css/site.css">
              <link rel="stylesheet" href="/css/clinic.css">
              <link rel="stylesheet" href="/css/article.css">
            </head>
            <body class="article-page">
              <a class="skip-link" href="#article-title">Skip to the article</a>
              <header class="site-header">
                <div class="site-header__inner">
                  <p class="site-header__clinic"><a href="/">{Html.Encode(clinicName)}</a></p>
                  <p class="site-header__assistant"><a href="/">Back to the chat</a></p>
                </div>
              </header>
              <main class="article">
                <article aria-labelledby="article-title">
                  <h1 id="article-title" tabindex="-1">{title}</h1>
                  <p class="article__meta">Reviewed by the clinic on {reviewed}. Originally published at {origin}.</p>
                  {highlightNote}
                  {contents}
                  {body}
                </article>
                <p class="article__back"><a href="/">Back to the chat</a></p>
              </main>
            </body>
            </html>
            """;
    }

    /// <summary>Wraps the text between the two offsets in &lt;mark&gt;, one per inline run so the HTML stays well nested.</summary>
    private static void Highlight(MarkdownDocument document, int start, int end)
    {
        var first = true;
        foreach (var literal in document.Descendants<LiteralInline>().ToList())
        {
            var span = literal.Span; // End is inclusive
            if (span.End < start || span.Start >= end || span.IsEmpty)
            {
                continue;
            }

            var content = literal.Content.ToString();
            int from = 0, to = content.Length;
            if (content.Length == span.Length)
            {
                // One character of source per character of text: cut exactly at the passage's ends.
                from = Math.Max(0, start - span.Start);
                to = Math.Min(content.Length, end - span.Start);
            }

            var tag = first ? $"<mark id=\"{ArticleQuote.Anchor}\" class=\"quoted\" tabindex=\"-1\">" : "<mark class=\"quoted\">";
            first = false;
            if (from > 0)
            {
                literal.InsertBefore(new LiteralInline(content[..from]));
            }

            literal.InsertBefore(new HtmlInline(tag));
            literal.InsertBefore(new LiteralInline(content[from..to]));
            literal.InsertBefore(new HtmlInline("</mark>"));
            if (to < content.Length)
            {
                literal.InsertBefore(new LiteralInline(content[to..]));
            }

            literal.Remove();
        }
    }

    private static string HeadingText(HeadingBlock heading) =>
        heading.Inline is null ? "" : string.Concat(heading.Inline.Descendants<LiteralInline>().Select(l => l.Content.ToString())).Trim();
}
