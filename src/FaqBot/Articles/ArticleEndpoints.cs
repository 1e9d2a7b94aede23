using FaqBot.Search;
using System.Globalization;
using FaqBot.Conversation;
using FaqBot.Knowledge;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FaqBot.Articles;

/// <summary>
/// <c>GET /articles/{slug}</c>: the clinic's articles as pages a patient can open from a citation.
/// <c>?quote=START-END</c> highlights the quoted passage (offsets into the article, as in every citation).
/// Expired or unknown articles are 404 (ProblemDetails).
/// </summary>
public static class ArticleEndpoints
{
    private const int MaxQuoteLength = 4000;

    public static IEndpointRouteBuilder MapArticles(this IEndpointRouteBuilder app)
    {
        app.MapGet("/articles/{slug}", GetArticle).WithName("Article");
        return app;
    }

    public static Results<ContentHttpResult, ProblemHttpResult> GetArticle(
        string slug, string? quote, KnowledgeBase knowledge, IOptions<ClinicOptions> clinic, TimeProvider time, HttpContext context)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var article = knowledge.Current.Knowledge.Articles.FirstOrDefault(a => string.Equals(ArticleQuote.Slug(a.Source), slug, StringComparison.OrdinalIgnoreCase));
        if (article is null || article.Expires is { } expires && expires < today)
        {
            return TypedResults.Problem("There is no article at this address. It may have been withdrawn for review.", statusCode: StatusCodes.Status404NotFound, title: "Article not found");
        }

        context.Response.Headers.CacheControl = "no-cache"; // security headers: Hosting/SecurityHeaders (articles have no script at all)
        return TypedResults.Content(ArticlePage.Render(article, clinic.Value.Name, ParseQuote(quote, article)), "text/html; charset=utf-8");
    }

    /// <summary>"START-END" inside the article's text, or null (a bad or stale range just shows the page unhighlighted).</summary>
    private static (int Start, int End)? ParseQuote(string? quote, Article article)
    {
        var parts = (quote ?? "").Split('-');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            && start < end && end <= article.Text.Length && end - start <= MaxQuoteLength
            ? (start, end)
            : null;
    }
}
