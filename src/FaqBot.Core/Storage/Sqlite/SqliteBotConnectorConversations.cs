using System.Text.Json;
using FaqBot.Conversation;

namespace FaqBot.Storage.Sqlite;

/// <summary>The Bot Connector references in SQLite.</summary>
public sealed class SqliteBotConnectorConversations(SqliteDatabase database) : IBotConnectorConversations
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task SaveAsync(string localId, ConversationReference reference, CancellationToken ct = default)
    {
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
        return await database.ScalarAsync("SELECT reference_json FROM bot_connector_conversations WHERE conversation_id = $id", ct, ("$id", localId)) is string json
            ? JsonSerializer.Deserialize<ConversationReference>(json, Json)
            : null;
    }

    public async Task MapActivityAsync(string localActivityId, string channelActivityId, CancellationToken ct = default)
    {
        await database.ExecuteAsync(
            "INSERT OR REPLACE INTO bot_connector_activities (local_id, channel_id) VALUES ($local, $channel)",
            ct,
            ("$local", localActivityId),
            ("$channel", channelActivityId));
    }

    public async Task<string?> ChannelActivityIdAsync(string localActivityId, CancellationToken ct = default)
    {
        return await database.ScalarAsync("SELECT channel_id FROM bot_connector_activities WHERE local_id = $local", ct, ("$local", localActivityId)) as string;
    }
}
