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

    /// <summary>Queue priority: higher is more urgent (crisis first).</summary>
    public static int PriorityOf(string reason) => reason switch
    {
        Crisis or Emergency => 100,
        "personal-medical" => 50,
        AskForPerson or ThumbsDown or RepeatedMiss or BotError => 20,
        _ => 10,
    };
}

public sealed record Escalation(string Reason, int Priority, DateTimeOffset At);

public sealed record StaffRef(string Id, string Name);

/// <summary>Whether a person can take a chat now (duty hours and who is signed in).</summary>
/// <param name="OnDuty">Within duty hours now (whether or not anyone has the console open).</param>
/// <param name="TypicalWait">How long recent patients waited for a person, when there is a recent history.</param>
public sealed record StaffAvailability(bool Available, DateTimeOffset? NextAvailable, bool OnDuty = false, TimeSpan? TypicalWait = null);

public interface IStaffAvailability
{
    StaffAvailability Check(DateTimeOffset now);
}
