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
