using System.Net;
using FaqBot.Answering;
using FaqBot.Articles;
using FaqBot.Conversation;
using FaqBot.Knowledge;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Articles;

/// <summary>/articles/{slug} over real HTTP, the quote context a citation popup shows, and the site icons.</summary>
public sealed class ArticlePageTests
{
    private const string Slug = "ketamine-therapy-before-during-and-after";

    [Fact]
    public async Task A_citation_url_opens_the_article_with_the_passage_highlighted_under_a_no_script_policy()
    {
        await using var server = new FaqBotServer();
        using var client = server.CreateHttpClient();
        var article = TestPaths.Knowledge().Current.Knowledge.Articles.Single(a => ArticleQuote.Slug(a.Source) == Slug);
        var passage = article.Passages.First(p => p.UnitCount == 2 && !p.Text.Contains('\n', StringComparison.Ordinal));
        var url = ArticleQuote.UrlOf(AnswerComposer.ToCitation(passage));
        Assert.StartsWith($"/articles/{Slug}?quote={passage.Start}-{passage.End}#quoted", url, StringComparison.Ordinal);

        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(FaqBot.Hosting.SecurityHeaders.ArticlePolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<h1 id=\"article-title\"", html, StringComparison.Ordinal);
        Assert.Contains("Reviewed by the clinic on", html, StringComparison.Ordinal);
        Assert.Contains("Originally published at", html, StringComparison.Ordinal);
        Assert.Equal(1, Count(html, "id=\"quoted\""));
        var marked = string.Concat(System.Text.RegularExpressions.Regex.Matches(html, "<mark[^>]*>(.*?)</mark>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)));
        Assert.Equal(passage.Text, marked);
        // An anchor per section.
        Assert.Contains("<h2 id=\"", html, StringComparison.Ordinal);
        Assert.Contains("In this article", html, StringComparison.Ordinal);

        // Without a quote there is nothing highlighted; an unknown article is a 404 problem.
        var plain = await client.GetStringAsync(new Uri($"/articles/{Slug}", UriKind.Relative));
        Assert.DoesNotContain("<mark", plain, StringComparison.Ordinal);
        using var missing = await client.GetAsync(new Uri("/articles/no-such-article", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Html_in_an_article_is_escaped_and_an_expired_article_is_not_served()
    {
        var folder = TestPaths.CopyKnowledge();
        await File.WriteAllTextAsync(Path.Combine(folder, "html-test.md"), """
            ---
            title: "Tags <b>in</b> a title"
            source: "https://clinic.example/blog/html"
            reviewed: 2026-01-01
            ---

            ## A section

            Some text with <script>alert('x')</script> and <img src=x onerror=alert(1)> in it. Another sentence here.
            """);
        await File.WriteAllTextAsync(Path.Combine(folder, "old-news.md"), """
            ---
            title: "Old news"
            source: "https://clinic.example/blog/old"
            reviewed: 2020-01-01
            expires: 2021-01-01
            ---

            ## Old

            This article is out of date and must not be shown.
            """);
        await using var server = new FaqBotServer(new Dictionary<string, string?> { ["Knowledge:Path"] = folder });
        using var client = server.CreateHttpClient();

        var html = await client.GetStringAsync(new Uri("/articles/html-test", UriKind.Relative));
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>in</b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://clinic.example/blog/html\"", html, StringComparison.Ordinal);

        using var expired = await client.GetAsync(new Uri("/articles/old-news", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
    }

    [Fact]
    public void The_popup_quote_sits_inside_its_paragraph_with_the_sentences_around_it()
    {
        var article = TestPaths.Knowledge().Current.Knowledge.Articles.First(a => a.Passages.Count > 10);
        var passage = article.Passages.First(p => p.UnitCount == 1 && p.FirstUnit > 2 && !p.Text.Contains('\n', StringComparison.Ordinal)
            && article.Text[..p.Start].EndsWith(". ", StringComparison.Ordinal) && article.Text[p.End..].StartsWith(' '));

        var quote = ArticleQuote.Of(AnswerComposer.ToCitation(passage), article);

        Assert.Equal(passage.Text, quote.Passage);
        Assert.NotEmpty(quote.Before);
        Assert.NotEmpty(quote.After);
        Assert.EndsWith(quote.Before.TrimStart('…', ' '), article.Text[..passage.Start].TrimEnd(), StringComparison.Ordinal);
        Assert.StartsWith(quote.After.TrimEnd('…', ' '), article.Text[passage.End..].TrimStart(), StringComparison.Ordinal);
        Assert.Contains($"**{passage.Text}**", quote.ToMarkdown(), StringComparison.Ordinal);
        Assert.Equal(article.Reviewed, quote.Reviewed);
    }

    [Fact]
    public async Task Favicon_app_icons_and_manifest_are_served_in_the_clinics_colours()
    {
        await using var server = new FaqBotServer();
        using var client = server.CreateHttpClient();

        using var ico = await client.GetAsync(new Uri("/favicon.ico", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ico.StatusCode);
        Assert.Equal("image/x-icon", ico.Content.Headers.ContentType?.MediaType);
        var icoBytes = await ico.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0, 0, 1, 0, 1, 0, 32, 32 }, icoBytes[..8]);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, icoBytes[22..26]);

        var png = await client.GetByteArrayAsync(new Uri("/icons/icon-192.png", UriKind.Relative));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Equal(192, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));

        var svg = await client.GetStringAsync(new Uri("/icon.svg", UriKind.Relative));
        Assert.Contains("#0f5f6f", svg, StringComparison.Ordinal);
        Assert.Contains("#f2a541", svg, StringComparison.Ordinal);
        var manifest = await client.GetStringAsync(new Uri("/manifest.webmanifest", UriKind.Relative));
        Assert.Contains("/icons/icon-512.png", manifest, StringComparison.Ordinal);
        Assert.Contains("--primary: #0f5f6f", await client.GetStringAsync(new Uri("/css/clinic.css", UriKind.Relative)), StringComparison.Ordinal);
    }

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
