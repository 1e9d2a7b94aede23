using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;

namespace FaqBot.Channels.BotConnector;

/// <summary>
/// Sends what the bot (or staff) says in /api/messages conversations back through the channel's
/// <c>serviceUrl</c>. It listens to the conversation feed, so replies go out only after they are stored,
/// in the order they were said, and staff messages during a handoff reach the patient the same way.
/// </summary>
public sealed partial class BotConnectorRelay(
    ConversationFeed feed,
    IBotConnectorConversations references,
    BotConnectorClient client,
    ILogger<BotConnectorRelay> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Before the first await: subscribed when the host has started. Only what this instance stored: with several
        // instances each relays its own activities, so a reply goes out once.
        using var subscription = feed.SubscribeAll(localOnly: true);
        try
        {
            await foreach (var item in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                if (!item.ConversationId.StartsWith(BotConnectorConversations.Prefix, StringComparison.Ordinal)
                    || item.Stored?.Activity is not { Type: ActivityTypes.Message } activity
                    || activity.From?.Role == RoleTypes.User)
                {
                    continue;
                }

                await RelayAsync(item.ConversationId, activity, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RelayAsync(string conversationId, Activity activity, CancellationToken ct)
    {
        try
        {
            if (await references.GetAsync(conversationId, ct) is not { } reference)
            {
                return;
            }

            var replyTo = activity.ReplyToId is { } local ? await references.ChannelActivityIdAsync(local, ct) : null;
            if (activity.From?.Id?.StartsWith("staff:", StringComparison.Ordinal) == true && activity.From.Name is { Length: > 0 } staffName)
            {
                activity = activity with { Text = HandoffTexts.FromStaff(staffName, activity.Text ?? "") }; // these channels show no sender names
            }

            using var response = await client.SendAsync(reference, activity, replyTo, ct);
            if (!response.IsSuccessStatusCode)
            {
                LogRejected(logger, new Privacy.ConversationRef(conversationId), new Privacy.ActivityRef(activity.Id), (int)response.StatusCode);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogFailed(logger, ex, new Privacy.ConversationRef(conversationId), new Privacy.ActivityRef(activity.Id));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connector refused activity {ActivityId} of conversation {ConversationId} with status {Status}; it is stored")]
    private static partial void LogRejected(ILogger logger, Privacy.ConversationRef conversationId, Privacy.ActivityRef activityId, int status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not send activity {ActivityId} of conversation {ConversationId} to its channel; it is stored")]
    private static partial void LogFailed(ILogger logger, Exception exception, Privacy.ConversationRef conversationId, Privacy.ActivityRef activityId);
}
