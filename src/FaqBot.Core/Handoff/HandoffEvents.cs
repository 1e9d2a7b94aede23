using System.Text.Json;
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

    public static Activity Initiate(Escalation escalation)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        return Initiate(escalation, []);
    }

    /// <summary>With the transcript attachment <c>{contentType:"application/json", name:"Transcript", content:{activities}}</c>.</summary>
    public static Activity Initiate(Escalation? escalation, IEnumerable<Activity> transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        var activities = transcript.ToList();
        return new Activity
        {
            Type = ActivityTypes.Event,
            Name = InitiateName,
            From = ConversationService.Bot,
            Value = escalation?.Rule is { } rule
                ? new JsonObject { ["reason"] = escalation.Reason, ["priority"] = escalation.Priority, ["rule"] = rule }
                : new JsonObject { ["reason"] = escalation?.Reason, ["priority"] = escalation?.Priority },
            Attachments = activities.Count == 0 ? null :
            [
                new Attachment(
                    "application/json",
                    new JsonObject { ["activities"] = JsonSerializer.SerializeToNode(activities, ActivityJson.Options) },
                    Name: "Transcript"),
            ],
        };
    }

    public static Activity Status(string state, string? message = null) => new()
    {
        Type = ActivityTypes.Event,
        Name = StatusName,
        From = Hub,
        Value = message is null ? new JsonObject { ["state"] = state } : new JsonObject { ["state"] = state, ["message"] = message },
    };

    public static bool IsInitiate(Activity activity) => activity?.Type == ActivityTypes.Event && activity.Name == InitiateName;
}
