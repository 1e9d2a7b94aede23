using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace FaqBot.Conversation;

/// <summary>
/// Where to reply in an Azure Bot Service conversation: its service URL, and the channel's own
/// conversation, bot and user objects kept as sent (Teams puts tenant details in them).
/// </summary>
public sealed record ConversationReference(string ServiceUrl, string ChannelId, JsonObject Conversation, JsonObject Bot, JsonObject User, string? Locale);

/// <summary>
/// Remembers, in the database, the reference of every conversation that came through /api/messages and
/// which of our activity ids stands for which of the channel's, so replies thread under the right message
/// even after a restart (and from any instance).
/// </summary>
public interface IBotConnectorConversations
{
    Task SaveAsync(string localId, ConversationReference reference, CancellationToken ct = default);

    Task<ConversationReference?> GetAsync(string localId, CancellationToken ct = default);

    Task MapActivityAsync(string localActivityId, string channelActivityId, CancellationToken ct = default);

    Task<string?> ChannelActivityIdAsync(string localActivityId, CancellationToken ct = default);
}

public static class BotConnectorConversations
{
    public const string Prefix = "bc_";

    /// <summary>Our conversation id for a channel's conversation: stable, URL-safe, no <c>|</c>.</summary>
    public static string LocalId(string channelId, string conversationId) =>
        Prefix + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{channelId}\n{conversationId}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_')[..22];
}
