using System.Text.Json;
using System.Text.Json.Nodes;
using FaqBot.Conversation;
using FaqBot.Schema;

namespace FaqBot.Handoff;

/// <summary>
/// The Bot Framework human-handoff events (bot-framework.md §1.5), recorded in the conversation so
/// an agent hub, the staff console and the transcript all see them. Web Chat does not render events.
/// </summary>
public static class HandoffEvents
{
    public const string Initiate = "handoff.initiate";
    public const string Status = "handoff.status";

    public const string Accepted = "accepted";
    public const string Completed = "completed";
    public const string Failed = "failed";

    /// <summary>FaqBot acting as the agent hub: the sender of <c>handoff.status</c>.</summary>
    public static readonly ChannelAccount Hub = new("care-team-hub", "Care team", RoleTypes.Channel);

    public static Activity CreateInitiate(Escalation? escalation, IEnumerable<Activity> transcript) => new()
    {
        Type = ActivityTypes.Event,
        Name = Initiate,
        From = ConversationService.Bot,
        Value = new JsonObject
        {
            ["reason"] = escalation?.Reason,
            ["priority"] = escalation?.Priority,
        },
        Attachments =
        [
            new Attachment(
                "application/json",
                new JsonObject { ["activities"] = JsonSerializer.SerializeToNode(transcript.ToList(), ActivityJson.Options) },
                Name: "Transcript"),
        ],
    };

    public static Activity CreateStatus(string state, string? message = null) => new()
    {
        Type = ActivityTypes.Event,
        Name = Status,
        From = Hub,
        Value = message is null
            ? new JsonObject { ["state"] = state }
            : new JsonObject { ["state"] = state, ["message"] = message },
    };
}
