using FaqBot.Answering;
using FaqBot.Handoff;
using FaqBot.Safety;
using FaqBot.Schema;
using Microsoft.Extensions.Options;

namespace FaqBot.Conversation;

/// <summary>
/// What the bot says and does when the safety screen speaks, the same in every state (with the bot,
/// queued, with staff, waiting for a callback):
/// <list type="bullet">
/// <item>crisis or emergency: the crisis card (988 call and text, 911, the clinic, Poison Control for
/// an overdose or poisoning), an urgent escalation, and a plain statement of who is watching the chat;</item>
/// <item>check-in: "Are you safe right now?" with the same card, an escalation at raised priority, and
/// the answer read on the next turn ("no", or any crisis language, is a crisis).</item>
/// </list>
/// A crisis never starts the callback dialogue (see <see cref="HandoffRecorder"/>), so nothing
/// contradicts this reply.
/// </summary>
public sealed class SafetyResponder(SafetyScreen safety, IOptions<ClinicOptions> clinic, EscalationReasons reasons, TimeProvider time, IStaffAvailability? availability = null)
{
    /// <summary>The outcome of a check-in turn, as <c>ask --json</c> reports it.</summary>
    public const string CheckInOutcome = "checkin";

    public const string HeroCardType = "application/vnd.microsoft.card.hero";

    /// <summary>The crisis or check-in reply for this verdict, or null when the message goes on as usual.</summary>
    public TurnResult? Respond(ConversationState state, string text, SafetyVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(verdict);
        var checkInPending = state.Pending == PendingPrompts.SafetyCheckIn;
        switch (verdict.Level)
        {
            case SafetyLevel.Emergency:
                return Crisis(state, EscalationReasons.Emergency, text, verdict);
            case SafetyLevel.Crisis:
                return Crisis(state, EscalationReasons.Crisis, text, verdict);
            case SafetyLevel.CheckIn when state.Escalation?.Reason is EscalationReasons.Crisis or EscalationReasons.Emergency && HandoffMachine.IsWithHumans(state.Handoff):
                // Already a crisis: distress again gets the complete crisis response, not a question.
                return Crisis(state, state.Escalation.Reason, text, verdict);
            case SafetyLevel.CheckIn when checkInPending && verdict.Rule?.Contains("lowered by: negation", StringComparison.Ordinal) == true
                                          && safety.ReadCheckInAnswer(text) == CheckInAnswer.Safe:
                // "I'm ok, I'm not going to hurt myself": a negated statement that answers "are you safe?".
                return new TurnResult(state with { Pending = null }, [Say(Replies.CheckInSafe(clinic.Value))], Outcomes.Smalltalk);
            case SafetyLevel.CheckIn when checkInPending:
                // Distress again, right after "are you safe?": treat it as the crisis it may be.
                return Crisis(state, EscalationReasons.Crisis, text, verdict with { Rule = $"{verdict.Rule} after a check-in" });
            case SafetyLevel.CheckIn:
                return CheckIn(state, text, verdict);
        }

        if (!checkInPending)
        {
            return null;
        }

        // The answer to "Are you safe right now?".
        var cleared = state with { Pending = null };
        return safety.ReadCheckInAnswer(text) switch
        {
            CheckInAnswer.NotSafe => Crisis(cleared, EscalationReasons.Crisis, text, new SafetyVerdict(SafetyLevel.Crisis, "check-in answer: not safe") { Layer = "check-in" }),
            CheckInAnswer.Safe => new TurnResult(cleared, [Say(Replies.CheckInSafe(clinic.Value))], Outcomes.Smalltalk),
            _ => null, // another question: the turn goes on as usual

        };
    }

    private TurnResult Crisis(ConversationState state, string reason, string text, SafetyVerdict verdict)
    {
        var now = time.GetUtcNow();
        var next = Escalated(state, reason, text, now, verdict.Rule, ask: null);
        var watched = Watched(state, now);
        var message = reason == EscalationReasons.Emergency
            ? Replies.Emergency(clinic.Value, watched)
            : Replies.Crisis(clinic.Value, watched, verdict.Poisoning);
        var card = CrisisCard(reason == EscalationReasons.Emergency ? Replies.EmergencyHeading : Replies.CrisisHeading, verdict.Poisoning);
        var replies = new List<Activity> { Say(message) with { Attachments = [card] } };
        if (state.Handoff is not HandoffState.Queued and not HandoffState.WithStaff || next.Escalation != state.Escalation)
        {
            replies.Add(HandoffEvents.Initiate(next.Escalation!));
        }

        return new TurnResult(next, replies, Outcomes.Crisis) { Reason = reason, SafetyRule = verdict.Rule };
    }

    private TurnResult CheckIn(ConversationState state, string text, SafetyVerdict verdict)
    {
        var now = time.GetUtcNow();
        var next = Escalated(state, EscalationReasons.CheckIn, text, now, verdict.Rule, PendingPrompts.SafetyCheckIn);
        var message = Replies.CheckIn(clinic.Value, Watched(state, now));
        var reply = Say(message) with
        {
            Attachments = [CrisisCard(Replies.CheckInHeading, verdict.Poisoning)],
            InputHint = InputHints.ExpectingInput,
            SuggestedActions = new SuggestedActions([
                new CardAction(ActionTypes.ImBack, Replies.CheckInYes, Replies.CheckInYes),
                new CardAction(ActionTypes.ImBack, Replies.CheckInNo, Replies.CheckInNo)]),
        };
        var replies = new List<Activity> { reply };
        if (state.Handoff is not HandoffState.Queued and not HandoffState.WithStaff || next.Escalation != state.Escalation)
        {
            replies.Add(HandoffEvents.Initiate(next.Escalation!));
        }

        return new TurnResult(next, replies, CheckInOutcome) { Reason = EscalationReasons.CheckIn, SafetyRule = verdict.Rule };
    }

    /// <summary>Queued (or kept with its staff member) at the higher of the old and new priority; a
    /// callback dialogue in progress is dropped (see <see cref="HandoffMachine"/>).</summary>
    private ConversationState Escalated(ConversationState state, string reason, string text, DateTimeOffset now, string? rule, PendingPrompt? ask) =>
        HandoffMachine.Apply(
            state with { FirstQuestion = state.FirstQuestion ?? text },
            new HandoffCommand.SafetyEscalate(reasons.Get(reason), now, rule, ask)).State;

    /// <summary>Who watches the chat now: a staff member in it, staff on duty, or nobody.</summary>
    private ChatWatch Watched(ConversationState state, DateTimeOffset now)
    {
        if (state.Handoff == HandoffState.WithStaff)
        {
            return new ChatWatch(ChatWatchKind.StaffInChat, state.Owner?.Name, null);
        }

        var check = availability?.Check(now);
        return check is null or { Available: true }
            ? new ChatWatch(ChatWatchKind.StaffOnDuty, null, null)
            : new ChatWatch(ChatWatchKind.Nobody, null, check.NextAvailable is { } next && next > now ? next : null);
    }

    /// <summary>A hero card Web Chat renders with a heading and tap targets: call or text 988, call 911,
    /// call the clinic, and Poison Control when it is an overdose or poisoning.</summary>
    public Attachment CrisisCard(string heading, bool poisoning)
    {
        var buttons = new System.Text.Json.Nodes.JsonArray
        {
            Button("Call 988", "tel:988"),
            Button("Text 988", "sms:988"),
            Button("Call 911", "tel:911"),
        };
        if (poisoning)
        {
            buttons.Add(Button("Call Poison Control", "tel:18002221222"));
        }

        buttons.Add(Button($"Call {clinic.Value.Name}", $"tel:{ClinicDial(clinic.Value.Phone)}"));
        return new Attachment(HeroCardType, new System.Text.Json.Nodes.JsonObject
        {
            ["title"] = heading,
            ["text"] = poisoning ? Replies.CardLeadPoisoning : Replies.CardLead,
            ["buttons"] = buttons,
        });
    }

    /// <summary>The clinic's phone number as a dial string: digits and a leading +.</summary>
    public static string ClinicDial(string phone) => new([.. (phone ?? "").Where(c => char.IsAsciiDigit(c) || c == '+')]);

    // openUrl with tel:/sms: rather than "call": Web Chat turns a hero card's "call" value into
    // tel:{value} (so "tel:988" would become tel:tel:988) and has no action type for a text message.
    private static System.Text.Json.Nodes.JsonObject Button(string title, string url) =>
        new() { ["type"] = ActionTypes.OpenUrl, ["title"] = title, ["value"] = url };

    private static Activity Say(string text) => new()
    {
        Type = ActivityTypes.Message,
        Text = text,
        TextFormat = "markdown",
        InputHint = InputHints.AcceptingInput,
    };
}

public enum ChatWatchKind { StaffOnDuty, StaffInChat, Nobody }

/// <summary>Who is watching the chat when a crisis reply is written.</summary>
public sealed record ChatWatch(ChatWatchKind Kind, string? StaffName, DateTimeOffset? NextAvailable);
