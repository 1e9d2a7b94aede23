using FaqBot.Conversation;
using FaqBot.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaqBot.Handoff;

public enum HandoffOutcome
{
    Done,
    NotFound,
    Conflict,
    Invalid,
}

/// <summary>What a staff action did; <see cref="Problem"/> says why it was refused.</summary>
public sealed record HandoffResult(HandoffOutcome Outcome, string? Problem = null, ConversationState? State = null);

/// <summary>
/// Staff actions on a conversation: claim, reply, hand back, close, and the callback offers. Each is
/// one state change through <see cref="ConversationService.UpdateAsync"/>, under the conversation's
/// lock, so two staff members cannot both own a chat and a reply cannot slip in after a hand-back.
/// </summary>
public sealed partial class HandoffService(
    ConversationService conversations,
    ICallbackStore callbacks,
    IStaffAvailability availability,
    IOptions<StaffOptions> options,
    IOptions<ClinicOptions> clinic,
    TimeProvider time,
    ILogger<HandoffService> logger,
    ClaimHistory? claims = null)
{
    public const int MaxMessageLength = 4000;

    /// <summary>The states the staff queue shows.</summary>
    public static readonly IReadOnlyCollection<HandoffState> QueueStates = [HandoffState.Queued, HandoffState.WithStaff, HandoffState.CallbackRequested];

    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(clinic.Value.TimeZone);

    /// <summary>The staff member a patient sees: on the bot side, under the staff member's name.</summary>
    public static ChannelAccount StaffAccount(StaffRef staff) => new($"staff:{staff?.Id}", staff?.Name, RoleTypes.Bot);

    public async Task<HandoffResult> ClaimAsync(string conversationId, StaffRef staff, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(staff);
        DateTimeOffset? waitedSince = null;
        var result = await ChangeAsync(conversationId, state =>
        {
            waitedSince = state.Handoff == HandoffState.Queued ? state.Escalation?.At : null; // for the typical wait patients are told
            return Claim(state, staff);
        }, ct);
        if (result.Outcome == HandoffOutcome.Done)
        {
            LogClaimed(logger, new Privacy.ConversationRef(conversationId), staff.Id);
            if (waitedSince is { } since)
            {
                claims?.Record(time.GetUtcNow(), time.GetUtcNow() - since);
            }
        }

        return result;
    }

    private static Decision Claim(ConversationState state, StaffRef staff) => state.Handoff switch
        {
            HandoffState.WithStaff when state.Owner?.Id == staff.Id => Unchanged(),
            HandoffState.WithStaff => Refuse($"{state.Owner?.Name ?? "Another staff member"} is already talking with this patient."),
            HandoffState.Queued or HandoffState.CallbackRequested => Change(
                state with
                {
                    Handoff = HandoffState.WithStaff,
                    Owner = staff,
                    Pending = CallbackFlow.IsActive(state) ? null : state.Pending,
                    Callback = state.Handoff == HandoffState.CallbackRequested ? state.Callback : null,
                },
                Say(HandoffTexts.Joined(staff.Name))),
            _ => Refuse("This conversation is not waiting for staff."),
        };

    public async Task<HandoffResult> SendAsync(string conversationId, StaffRef staff, string? text, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(staff);
        var body = text?.Trim() ?? "";
        if (body.Length == 0 || body.Length > MaxMessageLength)
        {
            return new HandoffResult(HandoffOutcome.Invalid, $"The message must have between 1 and {MaxMessageLength} characters.");
        }

        return await ChangeAsync(conversationId, state => IsOwner(state, staff)
            ? Change(state, new Activity { Text = body, TextFormat = "plain", From = StaffAccount(staff) })
            : Refuse("Only the staff member who claimed this conversation can reply in it. Claim it first."), ct);
    }

    public async Task<HandoffResult> HandBackAsync(string conversationId, StaffRef staff, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(staff);
        var result = await ChangeAsync(conversationId, state => IsOwner(state, staff)
            ? Change(state with { Handoff = HandoffState.Bot, Owner = null, Escalation = null, Pending = null, Callback = null }, Say(HandoffTexts.HandedBack))
            : Refuse("Only the staff member who claimed this conversation can hand it back."), ct);
        if (result.Outcome == HandoffOutcome.Done)
        {
            LogHandedBack(logger, new Privacy.ConversationRef(conversationId), staff.Id);
        }

        return result;
    }

    /// <summary>Ends the conversation. The owner may close it; anyone may close an unclaimed one; an admin any.</summary>
    public async Task<HandoffResult> CloseAsync(string conversationId, StaffRef staff, bool isAdmin, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(staff);
        var result = await ChangeAsync(conversationId, state => state switch
        {
            { Handoff: HandoffState.Closed } => Unchanged(),
            { Handoff: HandoffState.WithStaff } when state.Owner?.Id != staff.Id && !isAdmin =>
                Refuse($"{state.Owner?.Name ?? "Another staff member"} owns this conversation; only they or an admin can close it."),
            { Handoff: HandoffState.Bot } => Refuse("This conversation is with the assistant, not with staff."),
            _ => Change(state with { Handoff = HandoffState.Closed, Owner = null, Pending = null }, Say(HandoffTexts.Closed)),
        }, ct);
        if (result.Outcome == HandoffOutcome.Done)
        {
            LogClosed(logger, new Privacy.ConversationRef(conversationId), staff.Id);
        }

        return result;
    }

    /// <summary>Marks a callback request done; its conversation leaves the queue.</summary>
    public async Task<HandoffResult> CompleteCallbackAsync(string callbackId, StaffRef staff, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(staff);
        if (await callbacks.GetAsync(callbackId, ct) is not { } request)
        {
            return new HandoffResult(HandoffOutcome.NotFound, "No such callback request.");
        }

        await callbacks.MarkDoneAsync(callbackId, staff.Name, time.GetUtcNow(), ct);
        await ChangeAsync(request.ConversationId, state => state.Handoff == HandoffState.CallbackRequested
            ? Change(state with { Handoff = HandoffState.Closed, Owner = null })
            : Unchanged(), ct);
        return new HandoffResult(HandoffOutcome.Done);
    }

    /// <summary>
    /// Offers a callback to every conversation queued longer than <see cref="StaffOptions.MaxQueueWaitMinutes"/>
    /// that has not been offered one yet. Called periodically by <see cref="QueueWatcher"/>; returns how many were offered.
    /// </summary>
    public async Task<int> OfferLongWaitCallbacksAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var limit = TimeSpan.FromMinutes(options.Value.MaxQueueWaitMinutes);
        bool Due(ConversationState s) => s.Handoff == HandoffState.Queued && s.CallbackOfferedAt is null
            && !EscalationReasons.IsSafety(s.Escalation?.Reason)
            && !CallbackFlow.IsActive(s) && now - (s.Escalation?.At ?? s.UpdatedAt) >= limit;

        var offered = 0;
        foreach (var waiting in await conversations.Store.ListByHandoffAsync([HandoffState.Queued], ct))
        {
            if (!Due(waiting))
            {
                continue;
            }

            var offer = false;
            await ChangeAsync(waiting.ConversationId, state =>
            {
                if (!Due(state))
                {
                    return Unchanged();
                }

                offer = true;
                var (next, reply) = CallbackFlow.Offer(state, availability.Check(now), _zone, now, longWait: true);
                return Change(next, reply);
            }, ct);
            offered += offer ? 1 : 0;
        }

        return offered;
    }

    private static bool IsOwner(ConversationState state, StaffRef staff) =>
        state.Handoff == HandoffState.WithStaff && state.Owner?.Id == staff.Id;

    private async Task<HandoffResult> ChangeAsync(string conversationId, Func<ConversationState, Decision> decide, CancellationToken ct)
    {
        Decision? decision = null;
        var state = await conversations.UpdateAsync(conversationId, current =>
        {
            decision = decide(current);
            return decision.Next is { } next ? (next, decision.Announce) : null;
        }, ct);
        return state is null || decision is null
            ? new HandoffResult(HandoffOutcome.NotFound, "No such conversation.")
            : new HandoffResult(decision.Problem is null ? HandoffOutcome.Done : HandoffOutcome.Conflict, decision.Problem, state);
    }

    private static Decision Change(ConversationState next, params Activity[] announce) => new(next, announce, null);

    private static Decision Unchanged() => new(null, [], null);

    private static Decision Refuse(string problem) => new(null, [], problem);

    private static Activity Say(string text) => new() { Text = text, TextFormat = "plain", InputHint = InputHints.AcceptingInput };

    private sealed record Decision(ConversationState? Next, IReadOnlyList<Activity> Announce, string? Problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} claimed by staff {StaffId}")]
    private static partial void LogClaimed(ILogger logger, Privacy.ConversationRef conversationId, string staffId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} handed back to the assistant by staff {StaffId}")]
    private static partial void LogHandedBack(ILogger logger, Privacy.ConversationRef conversationId, string staffId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} closed by staff {StaffId}")]
    private static partial void LogClosed(ILogger logger, Privacy.ConversationRef conversationId, string staffId);
}
