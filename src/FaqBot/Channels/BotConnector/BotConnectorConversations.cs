using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FaqBot.Storage;
using Microsoft.IdentityModel.Tokens;

namespace FaqBot.Channels.BotConnector;

/// <summary>
/// Where to reply in an Azure Bot Service conversation: its service URL, and the channel's own
/// conversation, bot and user objects kept as sent (Teams puts tenant details in them).
/// </summary>
public sealed record ConversationReference(string ServiceUrl, string ChannelId, JsonObject Conversation, JsonObject Bot, JsonObject User, string? Locale);

/// <summary>
/// Remembers, in the database, the reference of every conversation that came through /api/messages and
/// which of our activity ids stands for which of the channel's, so replies thread under the right message
/// even after a restart.
/// </summary>
public sealed class BotConnectorConversations(SqliteDatabase database)
{
    public const string Prefix = "bc_";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lazy<Task> _schema = new(() => CreateSchemaAsync(database));

    /// <summary>Our conversation id for a channel's conversation: stable, URL-safe, no <c>|</c>.</summary>
    public static string LocalId(string channelId, string conversationId) =>
        Prefix + Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($"{channelId}\n{conversationId}")))[..22];

    public async Task SaveAsync(string localId, ConversationReference reference, CancellationToken ct = default)
    {
        await _schema.Value;
        await database.ExecuteAsync(
            """
            INSERT INTO bot_connector_conversations (conversation_id, reference_json) VALUES ($id, $json)
            ON CONFLICT(conversation_id) DO UPDATE SET reference_json = excluded.reference_json
            """,
            ct,
            ("$id", localId),
            ("$json", JsonSerializer.Serialize(reference, Json)));
    }

    public async Task<ConversationReference?> GetAsync(string localId, CancellationToken ct = default)
    {
        await _schema.Value;
        return await database.ScalarAsync("SELECT reference_json FROM bot_connector_conversations WHERE conversation_id = $id", ct, ("$id", localId)) is string json
            ? JsonSerializer.Deserialize<ConversationReference>(json, Json)
            : null;
    }

    public async Task MapActivityAsync(string localActivityId, string channelActivityId, CancellationToken ct = default)
    {
        await _schema.Value;
        await database.ExecuteAsync(
            "INSERT OR REPLACE INTO bot_connector_activities (local_id, channel_id) VALUES ($local, $channel)",
            ct,
            ("$local", localActivityId),
            ("$channel", channelActivityId));
    }

    public async Task<string?> ChannelActivityIdAsync(string localActivityId, CancellationToken ct = default)
    {
        await _schema.Value;
        return await database.ScalarAsync("SELECT channel_id FROM bot_connector_activities WHERE local_id = $local", ct, ("$local", localActivityId)) as string;
    }

    private static async Task CreateSchemaAsync(SqliteDatabase database) => await database.ExecuteAsync("""
        CREATE TABLE IF NOT EXISTS bot_connector_conversations (conversation_id TEXT PRIMARY KEY, reference_json TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS bot_connector_activities (local_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL) WITHOUT ROWID;
        """);
}
