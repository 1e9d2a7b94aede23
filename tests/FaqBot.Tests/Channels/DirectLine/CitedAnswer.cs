using System.Text.Json.Nodes;

namespace FaqBot.Tests.Channels.DirectLine;

/// <summary>The contract a cited answer must meet for Web Chat 4.18.1 (shared/protocol/webchat-citations-feedback.md).</summary>
internal static class CitedAnswer
{
    /// <summary>Asserts markdown text with a <c>[n]</c> marker and its <c>cite:n</c> definition, matched by a Claim with a quoted passage.</summary>
    public static void AssertCited(string? text, string? textFormat, JsonArray entities)
    {
        Assert.False(string.IsNullOrWhiteSpace(text), "The reply has no text.");
        Assert.True(textFormat is null or "markdown", $"textFormat {textFormat} hides citations.");
        var message = entities.OfType<JsonObject>().FirstOrDefault(e =>
            (string?)e["type"] == "https://schema.org/Message" && e["@id"]?.GetValue<string>() == "" && e["@type"] is not null);
        Assert.True(message is not null, "No https://schema.org/Message entity with @id \"\" in: " + entities.ToJsonString());
        var claims = message!["citation"]!.AsArray();
        Assert.NotEmpty(claims);
        foreach (var claim in claims.OfType<JsonObject>())
        {
            var position = claim["position"]!.ToString();
            Assert.Contains($"[{position}]", text, StringComparison.Ordinal);
            Assert.Contains($"[{position}]: cite:{position}", text, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(claim["appearance"]?["text"]?.GetValue<string>()), "A popup citation needs appearance.text.");
        }
    }
}
