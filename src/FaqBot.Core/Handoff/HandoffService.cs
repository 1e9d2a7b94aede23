using FaqBot.Audit;
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
/// Staff actions on a conversation: claim, reply, transfer, hand back, close, reopen, and the callback offers.
/// Each sends one command to <see cref="HandoffMachine"/> through <see cref="ConversationService.UpdateAsync"/>,
/// under the conversation's lock, so two staff members cannot both own a chat and a reply cannot slip in after a
/// hand-back. Every action is recorded in the audit log (who, what, which conversation; never text).
/// </summary>
public sealed partial class HandoffService(
    ConversationService conversations,
    ICallbackStore callbacks,
    IStaffAvailability availability,
    IOptions<StaffOptions> options,
    IOptions<ClinicOptions> clinic,
    TimeProvider time,
    ILogger<HandoffService> logger,
    ClaimHistory? claims = null,
    IAuditLog? audit = null,
    StaffPresence? presence = null,
    IStaffNoteStore? notes = null)
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
        var now = time.GetUtcNow();
        var result = await ApplyAsync(conversationId, new HandoffCommand.Claim(staff, now), ct);
        if (result.Events.OfType<HandoffEvent.Claimed>().FirstOrDefault() is { } claimed)
        {
            LogClaimed(logger, new Privacy.ConversationRef(conversationId), staff.Id);
            if (claimed.WaitedSince is { } since)
            {
                claims?.Record(now, now - since); // for the typical wait patients are told
            }

            await AuditAsync(staff, AuditActions.Claim, conversationId, ct);
        }

        return result.Result;
    }

    public async Task<HandoffResult> SendAsync(string conversationId, StaffRef staff, string? text, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(staff);
        var body = text?.Trim() ?? "";
        if (body.Length == 0 || body.Length > MaxMessageLength)
        {
            return new HandoffResult(HandoffOutcome.Invalid, $"The message must have between 1 and {MaxMessageLength} characters.");
        }

        var result = await ChangeAsync(conversationId, state => HandoffMachine.IsOwner(state, staff)
            ? (state, [], [new Activity { Text = body, TextFormat = "plain", From = StaffAccount(staff) }])
            : (state, [new HandoffEvent.Refused("Only the staff member who claimed this conversation can reply in it. Claim it first.")], []), ct);
        if (result.Result.Outcome == HandoffOutcome.Done)
        {
            await AuditAsync(staff, AuditActions.Reply, conversationId, ct);
        }

        return result.Result;
    }

    /// <summary>Passes a claimed chat to a colleague who has the console open (the owner or an admin may).</summary>
    public async Task<HandoffResult> TransferAsync(string conversationId, StaffRef staff, bool isAdmin, StaffRef to, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(staff);
        ArgumentNullException.ThrowIfNull(to);
        var signedIn = presence?.IsOnline(to.Id) ?? false;
        var result = await ApplyAsync(conversationId, new HandoffCommand.Transfer(staff, to, isAdmin, signedIn, time.GetUtcNow()), ct);
        if (result.Result.Outcome == HandoffOutcome.Done && result.Events.Count > 0)
        {
            LogTransferred(logger, new Privacy.ConversationRef(conversationId), staff.Id, to.Id);
            await AuditAsync(staff, AuditActions.Transfer, conversationId, ct, $"to {to.Id}");
        }

        return result.Result;
    }

    public async Task<HandoffResult> HandBackAsync(string conversationId, StaffRef staff, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(staff);
        var result = await ApplyAsync(conversationId, new HandoffCommand.HandBack(staff, time.GetUtcNow()), ct);
        if (result.Result.Outcome == HandoffOutcome.Done)
        {
            LogHandedBack(logger, new Privacy.ConversationRef(conversationId), staff.Id);
            await AuditAsync(staff, AuditActions.HandBack, conversationId, ct);
        }

        return result.Result;
    }

    /// <summary>Ends the conversation with an outcome. The owner may close it; anyone may close an unclaimed one; an admin any.</summary>
    public async Task<HandoffResult> CloseAsync(string conversationId, StaffRef staff, bool isAdmin, string outcome = CloseOutcomes.Resolved, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(staff);
        if (!CloseOutcomes.IsValid(outcome))
        {
            return new HandoffResult(HandoffOutcome.Invalid, $"The outcome must be one of: {string.Join(", ", CloseOutcomes.All)}.");
        }

        var result = await ApplyAsync(conversationId, new HandoffCommand.Close(staff, isAdmin, outcome, time.GetUtcNow()), ct);
        if (result.Result.Outcome == HandoffOutcome.Done && result.Events.Count > 0)
        {
            LogClosed(logger, new Privacy.ConversationRef(conversationId), staff.Id);
            await AuditAsync(staff, AuditActions.Close, conversationId, ct, outcome);
        }

        return result.Result;
    }

    /// <summary>Reopens a closed chat; the staff member who reopens it owns it.</summary>
    public async Task<HandoffResult> ReopenAsync(string conversationId, StaffRef staff, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(staff);
        var result = await ApplyAsync(conversationId, new HandoffCommand.Reopen(staff, time.GetUtcNow()), ct);
        if (result.Result.Outcome == HandoffOutcome.Done)
        {
            await AuditAsync(staff, AuditActions.Reopen, conversationId, ct);
        }

        return result.Result;
    }

    /// <summary>
    /// Marks a callback request done, with an optional note (kept as an internal note on the conversation); its
    /// conversation leaves the queue, closed as "callback arranged". <see cref="UndoCallbackAsync"/> takes it back.
    /// </summary>
    public async Task<HandoffResult> CompleteCallbackAsync(string callbackId, StaffRef staff, string? note = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(staff);
        if (await callbacks.GetAsync(callbackId, ct) is not { } request)
        {
            return new HandoffResult(HandoffOutcome.NotFound, "No such callback request.");
        }

        var now = time.GetUtcNow();
        await callbacks.MarkDoneAsync(callbackId, staff.Name, now, ct);
        if (!string.IsNullOrWhiteSpace(note) && notes is not null)
        {
            await notes.AddAsync(request.ConversationId, staff, $"Callback done: {note.Trim()}", ct);
        }

        await ApplyAsync(request.ConversationId, new HandoffCommand.CompleteCallback(staff, now), ct);
        await AuditAsync(staff, AuditActions.CallbackDone, request.ConversationId, ct);
        return new HandoffResult(HandoffOutcome.Done);
    }

    /// <summary>Undoes "Mark done": the request is open again and its conversation waits for the callback again.</summary>
    public async Task<HandoffResult> UndoCallbackAsync(string callbackId, StaffRef staff, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(staff);
        if (await callbacks.GetAsync(callbackId, ct) is not { } request)
        {
            return new HandoffResult(HandoffOutcome.NotFound, "No such callback request.");
        }

        if (!await callbacks.MarkOpenAsync(callbackId, ct))
        {
            return new HandoffResult(HandoffOutcome.Conflict, "This callback request is not marked done.");
        }

        await ApplyAsync(request.ConversationId, new HandoffCommand.UndoCompleteCallback(staff, time.GetUtcNow()), ct);
        await AuditAsync(staff, AuditActions.CallbackDone, request.ConversationId, ct, "undone");
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
            await conversations.UpdateAsync(waiting.ConversationId, state =>
            {
                offer = false; // decided again on each attempt (another instance may have offered meanwhile)
                if (!Due(state))
                {
                    return null;
                }

                offer = true;
                var (next, reply) = CallbackFlow.Offer(state, availability.Check(now), _zone, now, longWait: true);
                return (next, [reply]);
            }, ct);
            offered += offer ? 1 : 0;
        }

        return offered;
    }

    /// <summary>What the patient is told when a staff action changes who is with them.</summary>
    public static Activity? Announcement(HandoffEvent happened) => happened switch
    {
        HandoffEvent.Claimed c => Say(HandoffTexts.Joined(c.Staff.Name)),
        HandoffEvent.Transferred t => Say(HandoffTexts.Transferred(t.From.Name, t.To.Name)),
        HandoffEvent.HandedBack => Say(HandoffTexts.HandedBack),
        HandoffEvent.Closed => Say(HandoffTexts.Closed),
        HandoffEvent.Reopened r => Say(HandoffTexts.Reopened(r.Staff.Name)),
        _ => null,
    };

    private Task<Applied> ApplyAsync(string conversationId, HandoffCommand command, CancellationToken ct) =>
        ChangeAsync(conversationId, state =>
        {
            var transition = HandoffMachine.Apply(state, command);
            return (transition.State, transition.Events, [.. transition.Events.Select(Announcement).OfType<Activity>()]);
        }, ct);

    private async Task<Applied> ChangeAsync(
        string conversationId,
        Func<ConversationState, (ConversationState State, IReadOnlyList<HandoffEvent> Events, IReadOnlyList<Activity> Announce)> decide,
        CancellationToken ct)
    {
        IReadOnlyList<HandoffEvent> events = [];
        string? problem = null;
        var state = await conversations.UpdateAsync(conversationId, current =>
        {
            var (next, happened, announce) = decide(current);
            events = happened;
            problem = happened.OfType<HandoffEvent.Refused>().FirstOrDefault()?.Problem;
            return problem is null && (happened.Count > 0 || announce.Count > 0) ? (next, announce) : null;
        }, ct);
        var result = state is null
            ? new HandoffResult(HandoffOutcome.NotFound, "No such conversation.")
            : new HandoffResult(problem is null ? HandoffOutcome.Done : HandoffOutcome.Conflict, problem, state);
        return new Applied(result, problem is null ? events : []);
    }

    private async Task AuditAsync(StaffRef staff, string action, string conversationId, CancellationToken ct, string outcome = "done")
    {
        if (audit is not null)
        {
            await audit.AppendAsync(new AuditRecord(staff.Id, action, outcome, conversationId), ct);
        }
    }

    private static Activity Say(string text) => new() { Text = text, TextFormat = "plain", InputHint = InputHints.AcceptingInput };

    private sealed record Applied(HandoffResult Result, IReadOnlyList<HandoffEvent> Events);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} claimed by staff {StaffId}")]
    private static partial void LogClaimed(ILogger logger, Privacy.ConversationRef conversationId, string staffId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} transferred by staff {StaffId} to staff {ToStaffId}")]
    private static partial void LogTransferred(ILogger logger, Privacy.ConversationRef conversationId, string staffId, string toStaffId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} handed back to the assistant by staff {StaffId}")]
    private static partial void LogHandedBack(ILogger logger, Privacy.ConversationRef conversationId, string staffId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} closed by staff {StaffId}")]
    private static partial void LogClosed(ILogger logger, Privacy.ConversationRef conversationId, string staffId);
}
