using System.Text.Json.Nodes;
using FaqBot.Conversation;
using FaqBot.Schema;

namespace FaqBot.Handoff;

/// <summary>
/// Bot Framework human-handoff events (bot-framework.md §1.5: handoff.initiate / handoff.status),
/// recorded in the conversation so an agent hub, the staff console and the transcript all see
/// them. Web Chat does not render events. <see cref="HandoffRecorder"/> records them on each
/// handoff transition; a bare <see cref="Initiate(Escalation)"/> from the turn handler is
/// completed there with the transcript.
/// </summary>
public static class HandoffEvents
{
    public const string InitiateName = "handoff.initiate";
    public const string StatusName = "handoff.status";

    public const string Accepted = "accepted";
    public const string Completed = "completed";
    public const string Failed = "failed";

    /// <summary>FaqBot acting as the agent hub: the sender of <c>handoff.status</c>.</summary>
    public static readonly ChannelAccount Hub = new("care-team-hub", "Care team", RoleTypes.Channel);

    /// <summary>A bare event from the turn handler; <see cref="HandoffRecorder"/> replaces it with the complete one.</summary>
    /// <summary>Why: the reason, its priority and, for a crisis or check-in, the safety rule (never the patient's words).</summary>
    private static JsonObject RuleValue(Escalation? escalation) => escalation?.Rule is { } rule
        ? new JsonObject { ["reason"] = escalation.Reason, ["priority"] = escalation.Priority, ["rule"] = rule }
        : new JsonObject { ["reason"] = escalation?.Reason, ["priority"] = escalation?.Priority };

    public static Activity Initiate(Escalation escalation)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        return new Activity
        {
            Type = ActivityTypes.Event,
            Name = InitiateName,
            From = ConversationService.Bot,
            Value = RuleValue(escalation),
        };
    }

    /// <summary>The attachment type of <see cref="Initiate(Escalation, string, int, long)"/>'s transcript reference.</summary>
    public const string TranscriptReferenceType = "application/vnd.faqbot.transcript-reference+json";

    /// <summary>
    /// With a reference to the transcript, not a copy of it: <c>{contentType, name:"Transcript",
    /// contentUrl:"/api/staff/conversations/{id}", content:{conversationId, messages, throughSequence}}</c>.
    /// The transcript stays in one place, so erasing a conversation erases it.
    /// </summary>
    public static Activity Initiate(Escalation? escalation, string conversationId, int messages, long throughSequence) => new()
    {
        Type = ActivityTypes.Event,
        Name = InitiateName,
        From = ConversationService.Bot,
        Value = RuleValue(escalation),
        Attachments =
        [
            new Attachment(
                TranscriptReferenceType,
                new JsonObject { ["conversationId"] = conversationId, ["messages"] = messages, ["throughSequence"] = throughSequence },
                ContentUrl: $"/api/staff/conversations/{Uri.EscapeDataString(conversationId)}",
                Name: "Transcript"),
        ],
    };

    public static Activity Status(string state, string? message = null) => new()
    {
        Type = ActivityTypes.Event,
        Name = StatusName,
        From = Hub,
        Value = message is null ? new JsonObject { ["state"] = state } : new JsonObject { ["state"] = state, ["message"] = message },
    };

    public static bool IsInitiate(Activity activity) => activity?.Type == ActivityTypes.Event && activity.Name == InitiateName;
}
