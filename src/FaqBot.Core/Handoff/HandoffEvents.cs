using System.Text.Json.Nodes;
using FaqBot.Schema;

namespace FaqBot.Handoff;

/// <summary>Bot Framework human-handoff events (handoff.initiate / handoff.status), recorded in the conversation.</summary>
public static class HandoffEvents
{
    public const string InitiateName = "handoff.initiate";
    public const string StatusName = "handoff.status";

    public static Activity Initiate(Escalation escalation)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        return new Activity
        {
            Type = ActivityTypes.Event,
            Name = InitiateName,
            Value = new JsonObject { ["reason"] = escalation.Reason, ["priority"] = escalation.Priority },
        };
    }

    public static Activity Status(string state, string? message = null) => new()
    {
        Type = ActivityTypes.Event,
        Name = StatusName,
        Value = message is null ? new JsonObject { ["state"] = state } : new JsonObject { ["state"] = state, ["message"] = message },
    };
}
