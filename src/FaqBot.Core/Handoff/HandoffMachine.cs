using FaqBot.Conversation;

namespace FaqBot.Handoff;

/// <summary>A command to the handoff: what the turn handler, the callback dialogue or a staff member asks for.</summary>
public abstract record HandoffCommand
{
    private protected HandoffCommand()
    {
    }

    /// <summary>The bot hands the chat over (asked for a person, a staff-only topic, an accepted offer).</summary>
    public sealed record Escalate(EscalationReason Reason, DateTimeOffset At) : HandoffCommand;

    /// <summary>
    /// The safety screen escalates (crisis, emergency, check-in) in any state: queued, or kept with its staff member,
    /// at the higher of the old and new priority; a callback dialogue in progress is dropped; <paramref name="Ask"/> is
    /// what the bot now waits for (the check-in question, or nothing).
    /// </summary>
    public sealed record SafetyEscalate(EscalationReason Reason, DateTimeOffset At, string? Rule, PendingPrompt? Ask) : HandoffCommand;

    public sealed record Claim(StaffRef Staff, DateTimeOffset At) : HandoffCommand;

    /// <param name="TargetSignedIn">Whether <paramref name="To"/> has the console open now (a chat goes only to someone there).</param>
    public sealed record Transfer(StaffRef From, StaffRef To, bool IsAdmin, bool TargetSignedIn, DateTimeOffset At) : HandoffCommand;

    public sealed record HandBack(StaffRef Staff, DateTimeOffset At) : HandoffCommand;

    public sealed record Close(StaffRef Staff, bool IsAdmin, string Outcome, DateTimeOffset At) : HandoffCommand;

    /// <summary>A staff member reopens a closed chat and owns it.</summary>
    public sealed record Reopen(StaffRef Staff, DateTimeOffset At) : HandoffCommand;

    /// <summary>Nobody can take the chat (now, or the wait is long): the callback dialogue starts with its first question.</summary>
    public sealed record OfferCallback(DateTimeOffset At) : HandoffCommand;

    /// <summary>The patient said "no thanks" in the callback dialogue: nothing is filed, a waiting chat goes on waiting.</summary>
    public sealed record DeclineCallback(DateTimeOffset At) : HandoffCommand;

    /// <summary>The patient gave a name, a contact and consent.</summary>
    public sealed record FileCallback(CallbackDraft Draft, DateTimeOffset At) : HandoffCommand;

    /// <summary>A staff member marked the callback request done.</summary>
    public sealed record CompleteCallback(StaffRef Staff, DateTimeOffset At) : HandoffCommand;

    /// <summary>"Undo" on a callback marked done by mistake: a chat that closed with it waits for its callback again.</summary>
    public sealed record UndoCompleteCallback(StaffRef Staff, DateTimeOffset At) : HandoffCommand;
}

/// <summary>What a transition did, for the caller to announce, record or refuse.</summary>
public abstract record HandoffEvent
{
    private protected HandoffEvent()
    {
    }

    public sealed record Escalated(Escalation Escalation) : HandoffEvent;

    /// <summary>Asked for a person while already waiting: nothing changes.</summary>
    public sealed record StillQueued(string? Reason) : HandoffEvent;

    /// <param name="WaitedSince">When the patient started waiting (for the typical wait patients are told), if they were queued.</param>
    public sealed record Claimed(StaffRef Staff, DateTimeOffset? WaitedSince) : HandoffEvent;

    public sealed record Transferred(StaffRef From, StaffRef To) : HandoffEvent;

    public sealed record HandedBack(StaffRef Staff) : HandoffEvent;

    public sealed record Closed(StaffRef? Staff, string Outcome) : HandoffEvent;

    public sealed record Reopened(StaffRef Staff) : HandoffEvent;

    public sealed record CallbackOffered : HandoffEvent;

    public sealed record CallbackDeclined : HandoffEvent;

    public sealed record CallbackFiled : HandoffEvent;

    /// <summary>The callback request was marked done: the chat is closed (the patient was called, not told here).</summary>
    public sealed record CallbackCompleted(StaffRef Staff) : HandoffEvent;

    public sealed record CallbackReopened(StaffRef Staff) : HandoffEvent;

    /// <summary>The command is not allowed in this state; <paramref name="Problem"/> says why, for staff.</summary>
    public sealed record Refused(string Problem) : HandoffEvent;
}

/// <summary>One line of a conversation's handoff history (never message text).</summary>
public sealed record HandoffLogEntry(
    DateTimeOffset At,
    string Kind,
    string? Reason = null,
    string? StaffId = null,
    string? StaffName = null,
    string? Outcome = null,
    string? ToStaffId = null,
    string? ToStaffName = null);

/// <summary>How a staff member closed a chat.</summary>
public static class CloseOutcomes
{
    public const string Resolved = "resolved";
    public const string CallbackArranged = "callback-arranged";
    public const string Referred = "referred";
    public const string NoResponse = "no-response";

    public static readonly IReadOnlyList<string> All = [Resolved, CallbackArranged, Referred, NoResponse];

    public static bool IsValid(string? outcome) => outcome is not null && All.Contains(outcome);
}

/// <summary>The result of <see cref="HandoffMachine.Apply"/>: the next state and what happened.</summary>
public sealed record HandoffTransition(ConversationState State, IReadOnlyList<HandoffEvent> Events)
{
    /// <summary>Why the command was refused, or null.</summary>
    public string? Problem => Events.OfType<HandoffEvent.Refused>().FirstOrDefault()?.Problem;
}

/// <summary>
/// The handoff state machine: <c>Apply(state, command) -> (state, events)</c>, the only place where a conversation's
/// owner, escalation, handoff state and callback request change. Pure: no clock, no I/O; the turn handler, the callback
/// dialogue and the staff API send it commands, and turn its events into messages and records.
/// <code>
/// Bot --Escalate / SafetyEscalate--> Queued --Claim--> WithStaff --HandBack--> Bot
/// Queued --OfferCallback, FileCallback--> CallbackRequested --Claim--> WithStaff
/// WithStaff --Transfer--> WithStaff (another owner);  any with staff --Close--> Closed --Reopen--> WithStaff
/// </code>
/// </summary>
public static class HandoffMachine
{
    public static HandoffTransition Apply(ConversationState state, HandoffCommand command)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        return command switch
        {
            HandoffCommand.Escalate c => Escalate(state, c),
            HandoffCommand.SafetyEscalate c => SafetyEscalate(state, c),
            HandoffCommand.Claim c => Claim(state, c),
            HandoffCommand.Transfer c => Transfer(state, c),
            HandoffCommand.HandBack c => HandBack(state, c),
            HandoffCommand.Close c => Close(state, c),
            HandoffCommand.Reopen c => Reopen(state, c),
            HandoffCommand.OfferCallback c => Same(state with { Pending = PendingPrompts.CallbackName, Callback = new CallbackDraft(), CallbackOfferedAt = c.At }, new HandoffEvent.CallbackOffered()),
            HandoffCommand.DeclineCallback c => DeclineCallback(state, c),
            HandoffCommand.FileCallback c => Log(
                state with { Handoff = HandoffState.CallbackRequested, Pending = null, Callback = c.Draft with { Consent = true } },
                new HandoffLogEntry(c.At, "callback-requested", state.Escalation?.Reason),
                new HandoffEvent.CallbackFiled()),
            HandoffCommand.CompleteCallback c => state.Handoff == HandoffState.CallbackRequested
                ? Log(state with { Handoff = HandoffState.Closed, Owner = null }, new HandoffLogEntry(c.At, "closed", state.Escalation?.Reason, c.Staff.Id, c.Staff.Name, CloseOutcomes.CallbackArranged), new HandoffEvent.CallbackCompleted(c.Staff))
                : Unchanged(state),
            HandoffCommand.UndoCompleteCallback c => state.Handoff == HandoffState.Closed && state.HandoffLog is [.., { Kind: "closed", Outcome: CloseOutcomes.CallbackArranged }] && state.Callback is { Consent: true }
                ? Log(state with { Handoff = HandoffState.CallbackRequested }, new HandoffLogEntry(c.At, "callback-reopened", state.Escalation?.Reason, c.Staff.Id, c.Staff.Name), new HandoffEvent.CallbackReopened(c.Staff))
                : Unchanged(state),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown handoff command."),
        };
    }

    /// <summary>With staff in some way: waiting, talking, or waiting for a callback.</summary>
    public static bool IsWithHumans(HandoffState state) =>
        state is HandoffState.Queued or HandoffState.WithStaff or HandoffState.CallbackRequested;

    public static bool IsOwner(ConversationState state, StaffRef staff) =>
        state?.Handoff == HandoffState.WithStaff && state.Owner?.Id == staff?.Id;

    private static HandoffTransition Escalate(ConversationState state, HandoffCommand.Escalate c)
    {
        if (state.Handoff is HandoffState.Queued)
        {
            return Same(state, new HandoffEvent.StillQueued(state.Escalation?.Reason ?? c.Reason.Code));
        }

        var escalation = new Escalation(c.Reason.Code, c.Reason.Priority, c.At);
        return Log(
            state with { Escalation = escalation, Handoff = HandoffState.Queued, Pending = null, UrgentPagedAt = null },
            new HandoffLogEntry(c.At, "escalated", c.Reason.Code),
            new HandoffEvent.Escalated(escalation));
    }

    private static HandoffTransition SafetyEscalate(ConversationState state, HandoffCommand.SafetyEscalate c)
    {
        var escalation = state.Escalation is { } existing && existing.Priority >= c.Reason.Priority
            ? existing
            : new Escalation(c.Reason.Code, c.Reason.Priority, state.Escalation?.At ?? c.At, c.Rule);
        var next = state with
        {
            Escalation = escalation,
            Pending = c.Ask,
            Callback = state.Handoff == HandoffState.CallbackRequested ? state.Callback : null,
            Handoff = state.Handoff is HandoffState.Bot or HandoffState.Closed or HandoffState.CallbackRequested ? HandoffState.Queued : state.Handoff,
            UrgentPagedAt = escalation == state.Escalation ? state.UrgentPagedAt : null,
        };
        return escalation == state.Escalation && next.Handoff == state.Handoff
            ? Same(next)
            : Log(next, new HandoffLogEntry(c.At, "escalated", escalation.Reason), new HandoffEvent.Escalated(escalation));
    }

    private static HandoffTransition Claim(ConversationState state, HandoffCommand.Claim c) => state.Handoff switch
    {
        HandoffState.WithStaff when state.Owner?.Id == c.Staff.Id => Unchanged(state),
        HandoffState.WithStaff => Refuse(state, $"{state.Owner?.Name ?? "Another staff member"} is already talking with this patient."),
        HandoffState.Queued or HandoffState.CallbackRequested => Log(
            state with
            {
                Handoff = HandoffState.WithStaff,
                Owner = c.Staff,
                Pending = state.Pending is { IsCallbackDialogue: true } ? null : state.Pending,
                Callback = state.Handoff == HandoffState.CallbackRequested ? state.Callback : null,
            },
            new HandoffLogEntry(c.At, "claimed", state.Escalation?.Reason, c.Staff.Id, c.Staff.Name),
            new HandoffEvent.Claimed(c.Staff, state.Handoff == HandoffState.Queued ? state.Escalation?.At : null)),
        _ => Refuse(state, "This conversation is not waiting for staff."),
    };

    private static HandoffTransition Transfer(ConversationState state, HandoffCommand.Transfer c)
    {
        if (state.Handoff != HandoffState.WithStaff || state.Owner is not { } owner)
        {
            return Refuse(state, "Only a chat a staff member has claimed can be transferred; claim it first.");
        }

        if (owner.Id != c.From.Id && !c.IsAdmin)
        {
            return Refuse(state, $"{owner.Name} owns this conversation; only they or an admin can transfer it.");
        }

        if (owner.Id == c.To.Id)
        {
            return Refuse(state, $"{c.To.Name} already owns this conversation.");
        }

        if (!c.TargetSignedIn)
        {
            return Refuse(state, $"{c.To.Name} is not signed in to the console; a chat can only go to a colleague who is there to take it.");
        }

        return Log(
            state with { Owner = c.To },
            new HandoffLogEntry(c.At, "transferred", state.Escalation?.Reason, owner.Id, owner.Name, ToStaffId: c.To.Id, ToStaffName: c.To.Name),
            new HandoffEvent.Transferred(owner, c.To));
    }

    private static HandoffTransition HandBack(ConversationState state, HandoffCommand.HandBack c) => IsOwner(state, c.Staff)
        ? Log(
            state with { Handoff = HandoffState.Bot, Owner = null, Escalation = null, Pending = null, Callback = null, UrgentPagedAt = null },
            new HandoffLogEntry(c.At, "handed-back", state.Escalation?.Reason, c.Staff.Id, c.Staff.Name),
            new HandoffEvent.HandedBack(c.Staff))
        : Refuse(state, "Only the staff member who claimed this conversation can hand it back.");

    private static HandoffTransition Close(ConversationState state, HandoffCommand.Close c)
    {
        if (!CloseOutcomes.IsValid(c.Outcome))
        {
            return Refuse(state, $"The outcome must be one of: {string.Join(", ", CloseOutcomes.All)}.");
        }

        return state switch
        {
            { Handoff: HandoffState.Closed } => Unchanged(state),
            { Handoff: HandoffState.WithStaff } when state.Owner?.Id != c.Staff.Id && !c.IsAdmin =>
                Refuse(state, $"{state.Owner?.Name ?? "Another staff member"} owns this conversation; only they or an admin can close it."),
            { Handoff: HandoffState.Bot } => Refuse(state, "This conversation is with the assistant, not with staff."),
            _ => Log(
                state with { Handoff = HandoffState.Closed, Owner = null, Pending = null },
                new HandoffLogEntry(c.At, "closed", state.Escalation?.Reason, c.Staff.Id, c.Staff.Name, c.Outcome),
                new HandoffEvent.Closed(c.Staff, c.Outcome)),
        };
    }

    private static HandoffTransition Reopen(ConversationState state, HandoffCommand.Reopen c) => state.Handoff == HandoffState.Closed
        ? Log(
            state with { Handoff = HandoffState.WithStaff, Owner = c.Staff, Pending = null, Callback = null },
            new HandoffLogEntry(c.At, "reopened", state.Escalation?.Reason, c.Staff.Id, c.Staff.Name),
            new HandoffEvent.Reopened(c.Staff))
        : Refuse(state, "Only a closed chat can be reopened.");

    private static HandoffTransition DeclineCallback(ConversationState state, HandoffCommand.DeclineCallback c)
    {
        var waiting = state.Handoff is HandoffState.Queued or HandoffState.CallbackRequested;
        var next = state with { Pending = null, Callback = null, Handoff = waiting ? HandoffState.Queued : state.Handoff };
        return next.Handoff != state.Handoff
            ? Log(next, new HandoffLogEntry(c.At, "callback-declined", state.Escalation?.Reason), new HandoffEvent.CallbackDeclined())
            : Same(next, new HandoffEvent.CallbackDeclined());
    }

    private static HandoffTransition Log(ConversationState next, HandoffLogEntry entry, HandoffEvent happened) =>
        new(next with { HandoffLog = [.. next.HandoffLog, entry] }, [happened]);

    private static HandoffTransition Same(ConversationState next, params HandoffEvent[] events) => new(next, events);

    private static HandoffTransition Unchanged(ConversationState state) => new(state, []);

    private static HandoffTransition Refuse(ConversationState state, string problem) => new(state, [new HandoffEvent.Refused(problem)]);
}
