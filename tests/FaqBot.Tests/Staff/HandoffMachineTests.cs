using System.Text.Json;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Staff;

/// <summary>The state machine alone: every transition, and every refusal, with the reasons appsettings.json configures.</summary>
public sealed class HandoffMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);
    private static readonly StaffRef Sam = new("st_sam", "Sam");
    private static readonly StaffRef Lee = new("st_lee", "Lee");

    private static ConversationState Fresh() => new() { ConversationId = "c1", UserId = "dl_1", CreatedAt = T0, UpdatedAt = T0 };

    private static ConversationState Queued(string reason = EscalationReasons.AskForPerson) =>
        HandoffMachine.Apply(Fresh(), new HandoffCommand.Escalate(TestPaths.Reasons.Get(reason), T0)).State;

    private static ConversationState WithSam() => HandoffMachine.Apply(Queued(), new HandoffCommand.Claim(Sam, T0.AddMinutes(1))).State;

    [Fact]
    public void Escalating_queues_the_chat_at_the_configured_priority_and_logs_it_once()
    {
        var booking = TestPaths.Reasons.Get("booking");

        var first = HandoffMachine.Apply(Fresh() with { Pending = new PendingPrompt.OfferPerson(EscalationReasons.ThumbsDown) }, new HandoffCommand.Escalate(booking, T0));
        var again = HandoffMachine.Apply(first.State, new HandoffCommand.Escalate(TestPaths.Reasons.Get(EscalationReasons.AskForPerson), T0.AddMinutes(1)));

        Assert.Equal(HandoffState.Queued, first.State.Handoff);
        Assert.Equal(new Escalation("booking", booking.Priority, T0), first.State.Escalation);
        Assert.Null(first.State.Pending);
        Assert.IsType<HandoffEvent.Escalated>(Assert.Single(first.Events));
        Assert.Equal(new HandoffEvent.StillQueued("booking"), Assert.Single(again.Events));
        Assert.Equal(first.State, again.State);
        Assert.Equal(("escalated", "booking"), (Assert.Single(again.State.HandoffLog).Kind, again.State.HandoffLog[0].Reason));
    }

    [Fact]
    public void A_crisis_raises_the_priority_of_a_claimed_chat_and_keeps_its_owner()
    {
        var crisis = TestPaths.Reasons.Get(EscalationReasons.Crisis);

        var result = HandoffMachine.Apply(WithSam(), new HandoffCommand.SafetyEscalate(crisis, T0.AddMinutes(2), "rule: intent", null));

        Assert.Equal((HandoffState.WithStaff, Sam), (result.State.Handoff, result.State.Owner));
        Assert.Equal(crisis.Priority, result.State.Escalation!.Priority);
        Assert.Equal(T0, result.State.Escalation.At); // still waiting since the first escalation
        Assert.Equal("rule: intent", result.State.Escalation.Rule);
    }

    [Fact]
    public void A_check_in_never_lowers_a_crisis_and_a_crisis_drops_a_callback_dialogue()
    {
        var crisis = HandoffMachine.Apply(Fresh(), new HandoffCommand.SafetyEscalate(TestPaths.Reasons.Get(EscalationReasons.Crisis), T0, "r", null)).State;
        var checkIn = HandoffMachine.Apply(crisis, new HandoffCommand.SafetyEscalate(TestPaths.Reasons.Get(EscalationReasons.CheckIn), T0.AddMinutes(1), "r2", PendingPrompts.SafetyCheckIn));
        var offered = HandoffMachine.Apply(Queued(), new HandoffCommand.OfferCallback(T0)).State;
        var dropped = HandoffMachine.Apply(offered, new HandoffCommand.SafetyEscalate(TestPaths.Reasons.Get(EscalationReasons.Crisis), T0, "r", null)).State;

        Assert.Equal(EscalationReasons.Crisis, checkIn.State.Escalation!.Reason);
        Assert.Equal(PendingPrompts.CallbackName, offered.Pending);
        Assert.Equal((null, null), (dropped.Pending, dropped.Callback));
        Assert.Equal(EscalationReasons.Crisis, dropped.Escalation!.Reason);
    }

    [Fact]
    public void One_owner_at_a_time()
    {
        var claimed = HandoffMachine.Apply(Queued(), new HandoffCommand.Claim(Sam, T0.AddMinutes(3)));
        var stolen = HandoffMachine.Apply(claimed.State, new HandoffCommand.Claim(Lee, T0.AddMinutes(4)));
        var again = HandoffMachine.Apply(claimed.State, new HandoffCommand.Claim(Sam, T0.AddMinutes(4)));
        var fromBot = HandoffMachine.Apply(Fresh(), new HandoffCommand.Claim(Sam, T0));

        Assert.Equal(new HandoffEvent.Claimed(Sam, T0), Assert.Single(claimed.Events));
        Assert.Contains("Sam is already talking", stolen.Problem, StringComparison.Ordinal);
        Assert.Equal(Sam, stolen.State.Owner);
        Assert.Empty(again.Events);
        Assert.NotNull(fromBot.Problem);
    }

    [Fact]
    public void Transfer_goes_only_to_a_signed_in_colleague_from_the_owner_or_an_admin()
    {
        var chat = WithSam();

        var notSignedIn = HandoffMachine.Apply(chat, new HandoffCommand.Transfer(Sam, Lee, false, TargetSignedIn: false, T0));
        var notOwner = HandoffMachine.Apply(chat, new HandoffCommand.Transfer(Lee, Lee, false, true, T0));
        var toSelf = HandoffMachine.Apply(chat, new HandoffCommand.Transfer(Sam, Sam, false, true, T0));
        var queued = HandoffMachine.Apply(Queued(), new HandoffCommand.Transfer(Sam, Lee, true, true, T0));
        var done = HandoffMachine.Apply(chat, new HandoffCommand.Transfer(Sam, Lee, false, true, T0.AddMinutes(5)));
        var byAdmin = HandoffMachine.Apply(chat, new HandoffCommand.Transfer(new StaffRef("st_ada", "Ada"), Lee, true, true, T0));

        Assert.Contains("not signed in", notSignedIn.Problem, StringComparison.Ordinal);
        Assert.Equal(Sam, notSignedIn.State.Owner);
        Assert.NotNull(notOwner.Problem);
        Assert.NotNull(toSelf.Problem);
        Assert.NotNull(queued.Problem);
        Assert.Equal(new HandoffEvent.Transferred(Sam, Lee), Assert.Single(done.Events));
        Assert.Equal((HandoffState.WithStaff, Lee), (done.State.Handoff, done.State.Owner));
        var logged = done.State.HandoffLog[^1];
        Assert.Equal(("transferred", "st_sam", "st_lee"), (logged.Kind, logged.StaffId, logged.ToStaffId));
        Assert.Equal(Lee, byAdmin.State.Owner);
    }

    [Fact]
    public void Close_takes_an_outcome_and_a_closed_chat_can_be_reopened()
    {
        var chat = WithSam();

        var badOutcome = HandoffMachine.Apply(chat, new HandoffCommand.Close(Sam, false, "fixed", T0));
        var notOwner = HandoffMachine.Apply(chat, new HandoffCommand.Close(Lee, false, CloseOutcomes.Resolved, T0));
        var closed = HandoffMachine.Apply(chat, new HandoffCommand.Close(Sam, false, CloseOutcomes.Referred, T0.AddMinutes(9)));
        var reopened = HandoffMachine.Apply(closed.State, new HandoffCommand.Reopen(Lee, T0.AddDays(1)));
        var reopenOpen = HandoffMachine.Apply(chat, new HandoffCommand.Reopen(Lee, T0));

        Assert.NotNull(badOutcome.Problem);
        Assert.NotNull(notOwner.Problem);
        Assert.Equal(HandoffState.Closed, closed.State.Handoff);
        Assert.Equal(CloseOutcomes.Referred, ConversationHistory.OutcomeOf(closed.State));
        Assert.Equal((HandoffState.WithStaff, Lee), (reopened.State.Handoff, reopened.State.Owner));
        Assert.Equal(new HandoffEvent.Reopened(Lee), Assert.Single(reopened.Events));
        Assert.NotNull(reopenOpen.Problem);
        Assert.Equal(["escalated", "claimed", "closed", "reopened"], reopened.State.HandoffLog.Select(e => e.Kind));
    }

    [Fact]
    public void Hand_back_is_for_the_owner_and_clears_the_escalation()
    {
        var byLee = HandoffMachine.Apply(WithSam(), new HandoffCommand.HandBack(Lee, T0));
        var bySam = HandoffMachine.Apply(WithSam(), new HandoffCommand.HandBack(Sam, T0));

        Assert.NotNull(byLee.Problem);
        Assert.Equal((HandoffState.Bot, null, null), (bySam.State.Handoff, bySam.State.Owner, bySam.State.Escalation));
    }

    [Fact]
    public void The_callback_dialogue_files_declines_and_completes_through_the_machine()
    {
        var offered = HandoffMachine.Apply(Queued(), new HandoffCommand.OfferCallback(T0)).State;
        var filed = HandoffMachine.Apply(offered, new HandoffCommand.FileCallback(new CallbackDraft("Jo", "jo@example.org"), T0));
        var declined = HandoffMachine.Apply(filed.State, new HandoffCommand.DeclineCallback(T0));
        var completed = HandoffMachine.Apply(filed.State, new HandoffCommand.CompleteCallback(Sam, T0));

        Assert.Equal((HandoffState.CallbackRequested, true), (filed.State.Handoff, filed.State.Callback!.Consent));
        Assert.Equal((HandoffState.Queued, null), (declined.State.Handoff, declined.State.Callback));
        Assert.Equal(HandoffState.Closed, completed.State.Handoff);
        Assert.Equal(CloseOutcomes.CallbackArranged, ConversationHistory.OutcomeOf(completed.State));

        var undone = HandoffMachine.Apply(completed.State, new HandoffCommand.UndoCompleteCallback(Sam, T0));
        var closedOtherwise = HandoffMachine.Apply(WithSam(), new HandoffCommand.Close(Sam, false, CloseOutcomes.Resolved, T0)).State;
        Assert.Equal(HandoffState.CallbackRequested, undone.State.Handoff);
        Assert.Empty(HandoffMachine.Apply(closedOtherwise, new HandoffCommand.UndoCompleteCallback(Sam, T0)).Events);
    }

    [Fact]
    public void Pending_prompts_are_typed_in_code_and_stored_as_their_codes_so_older_states_still_read()
    {
        var state = Fresh() with { Pending = new PendingPrompt.OfferPerson(EscalationReasons.ThumbsDown) };

        var json = JsonSerializer.Serialize(state, ActivityJson.Options);
        var back = JsonSerializer.Deserialize<ConversationState>(json, ActivityJson.Options)!;
        var legacy = JsonSerializer.Deserialize<ConversationState>("""{"conversationId":"c","userId":"u","pending":"offer-person:repeated-miss"}""", ActivityJson.Options)!;
        var checkIn = JsonSerializer.Deserialize<ConversationState>("""{"conversationId":"c","userId":"u","pending":"safety-checkin"}""", ActivityJson.Options)!;

        Assert.Contains("\"pending\":\"offer-person:thumbs-down\"", json, StringComparison.Ordinal);
        Assert.Equal(state.Pending, back.Pending);
        Assert.Equal(new PendingPrompt.OfferPerson(EscalationReasons.RepeatedMiss), legacy.Pending);
        Assert.Equal(PendingPrompts.SafetyCheckIn, checkIn.Pending);
    }
}
