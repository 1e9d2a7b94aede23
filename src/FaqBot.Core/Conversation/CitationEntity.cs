using System.Text.Json.Nodes;
using FaqBot.Answering;

namespace FaqBot.Conversation;

/// <summary>
/// The schema.org Message entity Web Chat 4.18 reads for citation popovers and thumbs up/down
/// (see shared/protocol/webchat-citations-feedback.md).
/// </summary>
public static class CitationEntity
{
    private const string FeedbackPrefix = "urn:faqbot:feedback:";

    public static JsonObject Create(IReadOnlyList<Citation> citations, string answerKey)
    {
        ArgumentNullException.ThrowIfNull(citations);
        var claims = new JsonArray();
        for (var i = 0; i < citations.Count; i++)
        {
            var claim = new JsonObject
            {
                ["@type"] = "Claim",
                ["position"] = i + 1,
                ["appearance"] = new JsonObject
                {
                    ["@type"] = "DigitalDocument",
                    ["name"] = AnswerComposer.Label(citations[i]),
                    ["text"] = citations[i].Passage,
                },
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
