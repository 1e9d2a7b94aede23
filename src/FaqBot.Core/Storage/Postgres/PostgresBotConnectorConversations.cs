using System.Text.Json;
using FaqBot.Conversation;

namespace FaqBot.Storage.Postgres;

/// <summary>The Bot Connector references in PostgreSQL.</summary>
public sealed class PostgresBotConnectorConversations(PostgresDatabase database) : IBotConnectorConversations
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task SaveAsync(string localId, ConversationReference reference, CancellationToken ct = default) => database.ExecuteAsync(
        """
        INSERT INTO bot_connector_conversations (conversation_id, reference_json) VALUES (@id, @json)
        ON CONFLICT (conversation_id) DO UPDATE SET reference_json = excluded.reference_json
        """,
        new { id = localId, json = JsonSerializer.Serialize(reference, Json) },
        ct);

    public async Task<ConversationReference?> GetAsync(string localId, CancellationToken ct = default) =>
        await database.ScalarAsync<string>("SELECT reference_json FROM bot_connector_conversations WHERE conversation_id = @id", new { id = localId }, ct) is { } json
            ? JsonSerializer.Deserialize<ConversationReference>(json, Json)
            : null;

    public Task MapActivityAsync(string localActivityId, string channelActivityId, CancellationToken ct = default) => database.ExecuteAsync(
        """
        INSERT INTO bot_connector_activities (local_id, channel_id) VALUES (@local, @channel)
        ON CONFLICT (local_id) DO UPDATE SET channel_id = excluded.channel_id
        """,
        new { local = localActivityId, channel = channelActivityId },
        ct);

    public Task<string?> ChannelActivityIdAsync(string localActivityId, CancellationToken ct = default) =>
        database.ScalarAsync<string>("SELECT channel_id FROM bot_connector_activities WHERE local_id = @local", new { local = localActivityId }, ct);
}
