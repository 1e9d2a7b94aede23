namespace FaqBot.Handoff;

/// <summary>Who owns a conversation. One owner at a time.</summary>
public enum HandoffState
{
    Bot,
    Queued,
    WithStaff,
    CallbackRequested,
    Closed,
}

/// <summary>Why a conversation was escalated. Staff-only topic codes come from phrases.yaml.</summary>
public static class EscalationReasons
{
    public const string Crisis = "crisis";
    public const string Emergency = "emergency";
    public const string AskForPerson = "ask-for-person";
    public const string RepeatedMiss = "repeated-miss";
    public const string ThumbsDown = "thumbs-down";
    public const string BotError = "bot-error";

    /// <summary>Ambiguous distress: the bot asked "Are you safe right now?" (raised priority, below a crisis).</summary>
    public const string CheckIn = "checkin";

    /// <summary>Queue priority: higher is more urgent (crisis first).</summary>
    public static int PriorityOf(string reason) => reason switch
    {
        Crisis or Emergency => 100,
        CheckIn => 80,
        "personal-medical" => 50,
        AskForPerson or ThumbsDown or RepeatedMiss or BotError => 20,
        _ => 10,
    };

    /// <summary>Escalated by the safety screen: such a chat never starts the callback dialogue
    /// (the crisis response already names 988, 911 and the clinic) and is never offered one later.</summary>
    public static bool IsSafety(string? reason) => reason is Crisis or Emergency or CheckIn;
}

/// <param name="Rule">For a safety escalation, the rule or exemplar category that decided it (never the patient's words).</param>
public sealed record Escalation(string Reason, int Priority, DateTimeOffset At, string? Rule = null);

public sealed record StaffRef(string Id, string Name);

/// <summary>Whether a person can take a chat now (duty hours and who is signed in).</summary>
/// <param name="OnDuty">Within duty hours now (whether or not anyone has the console open).</param>
/// <param name="TypicalWait">How long recent patients waited for a person, when there is a recent history.</param>
public sealed record StaffAvailability(bool Available, DateTimeOffset? NextAvailable, bool OnDuty = false, TimeSpan? TypicalWait = null);

public interface IStaffAvailability
{
    StaffAvailability Check(DateTimeOffset now);
}
