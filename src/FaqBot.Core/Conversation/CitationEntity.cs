using System.Text.Json.Nodes;
using FaqBot.Answering;
using FaqBot.Knowledge;
using FaqBot.Schema;

namespace FaqBot.Conversation;

/// <summary>
/// The schema.org Message entity Web Chat 4.18 reads for citation popovers and thumbs up/down
/// (see shared/protocol/webchat-citations-feedback.md).
/// </summary>
public static class CitationEntity
{
    private const string FeedbackPrefix = "urn:faqbot:feedback:";

    /// <summary>
    /// One Claim per citation: <c>appearance.name</c> (article and section), <c>appearance.abstract</c> (the quoted
    /// passage inside its paragraph), <c>appearance.text</c> (the popup: that paragraph, the reviewed date and a link
    /// to the article page opened at the passage) and the verbatim passage as the Claim's own <c>text</c>.
    /// The article's address is the Claim's <c>url</c>, not <c>appearance.url</c>: in Web Chat 4.18.1 an
    /// <c>appearance.url</c> replaces the popup with a bare link (shared/protocol, section 4.1).
    /// </summary>
    /// <param name="articleOf">The loaded article a citation quotes, by source (null if it is gone).</param>
    public static JsonObject Create(IReadOnlyList<Citation> citations, string answerKey, Func<string, Article?>? articleOf = null)
    {
        ArgumentNullException.ThrowIfNull(citations);
        var claims = new JsonArray();
        for (var i = 0; i < citations.Count; i++)
        {
            var citation = citations[i];
            var quote = articleOf?.Invoke(citation.Source) is { } article ? ArticleQuote.Of(citation, article) : null;
            var appearance = new JsonObject
            {
                ["@type"] = "DigitalDocument",
                ["name"] = AnswerComposer.Label(citation),
                ["abstract"] = quote?.ToMarkdown() ?? citation.Passage,
                ["text"] = quote is null ? citation.Passage : PopupText(citation, quote),
            };
            var claim = new JsonObject
            {
                ["@type"] = "Claim",
                ["position"] = i + 1,
                ["text"] = citation.Passage,
                ["url"] = ArticleQuote.UrlOf(citation),
                ["appearance"] = appearance,
            };
            if (i == 0)
            {
                claim["claimInterpreter"] = new JsonObject { ["@type"] = "Project", ["slogan"] = "Quoted from our articles" };
            }

            claims.Add(claim);
        }

        return new JsonObject
        {
            ["type"] = "https://schema.org/Message",
            ["@context"] = "https://schema.org",
            ["@id"] = "",
            ["@type"] = "Message",
            ["citation"] = claims,
            ["potentialAction"] = new JsonArray
            {
                new JsonObject { ["@type"] = "LikeAction", ["@id"] = $"{FeedbackPrefix}{answerKey}:like", ["type"] = "https://schema.org/LikeAction" },
                new JsonObject { ["@type"] = "DislikeAction", ["@id"] = $"{FeedbackPrefix}{answerKey}:dislike", ["type"] = "https://schema.org/DislikeAction" },
            },
        };
    }

    /// <summary>The popup body (Markdown): the passage in its paragraph, where it is from, and the way to the article.</summary>
    private static string PopupText(Citation citation, ArticleQuote quote) =>
        $"{quote.ToMarkdown()}\n\n*{citation.Title}*, section “{citation.Section}”. Reviewed {quote.ReviewedText}.\n\n" +
        $"[Read it in the article]({quote.Url})";

    /// <summary>
    /// The passages an answer quoted (each Claim's <c>text</c>), when <paramref name="activity"/> is the reply whose
    /// feedback buttons carry <paramref name="answerKey"/>; otherwise null. Feedback records what the patient rated
    /// from the stored reply itself, so the conversation state need not keep a copy of every quote.
    /// </summary>
    public static IReadOnlyList<string>? QuotesOf(Activity activity, string answerKey)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var likeId = $"{FeedbackPrefix}{answerKey}:like";
        foreach (var entity in activity.Entities ?? [])
        {
            if (entity["potentialAction"] is JsonArray actions
                && actions.Any(a => a?["@id"] is JsonValue id && id.TryGetValue<string>(out var text) && text == likeId))
            {
                return entity["citation"] is JsonArray claims
                    ? [.. claims.Select(c => c?["text"] is JsonValue v && v.TryGetValue<string>(out var quote) ? quote : null).OfType<string>()]
                    : [];
            }
        }

        return null;
    }

    /// <summary>The answer key inside a feedback action's @id, or null when it is not ours.</summary>
    public static string? KeyFromActionId(string actionId)
    {
        ArgumentNullException.ThrowIfNull(actionId);
        if (!actionId.StartsWith(FeedbackPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = actionId[FeedbackPrefix.Length..];
        var colon = rest.LastIndexOf(':');
        return colon > 0 ? rest[..colon] : null;
    }
}
