using FaqBot.Answering;
using FaqBot.Audit;
using FaqBot.Privacy;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaqBot.Conversation;

/// <summary>
/// The one path of a conversation: record an activity, publish it to listeners, run the bot's turn,
/// record and publish the replies. Every channel and the staff console go through here, so nothing
/// is sent that is not stored and a patient's message is stored before anything else happens.
/// </summary>
public sealed partial class ConversationService(
    IConversationStore store,
    ConversationFeed feed,
    TurnHandler turns,
    TimeProvider time,
    ILogger<ConversationService> logger,
    HandoffRecorder? handoff = null,
    IConversationEraser? eraser = null,
    IAuditLog? audit = null,
    IOptions<ConversationOptions>? options = null)
{
    private readonly TimeSpan _typingDelay = options?.Value.TypingDelay ?? TimeSpan.Zero;

    public static readonly ChannelAccount Bot = new("faqbot", "Clinic assistant", RoleTypes.Bot);

    /// <summary>How often a change or a turn is tried again when another instance saved the conversation first.</summary>
    private const int MaxAttempts = 5;

    /// <summary>Keeps one conversation's turns and changes in order inside this process (entries leave when idle).
    /// Across instances the database keeps them in order (sequences, versioned saves); this only saves conflicts.</summary>
    private readonly KeyedLock _locks = new();

    /// <summary>Conversations whose lock is held or awaited right now (idle ones are not kept).</summary>
    internal int LockedConversations => _locks.Count;

    public IConversationStore Store => store;

    /// <summary>Creates the conversation and records the bot's welcome. False when it already exists.</summary>
    public async Task<bool> StartAsync(string conversationId, ChannelAccount user, string channelId, string? locale, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var created = await store.CreateAsync(new ConversationState
        {
            ConversationId = conversationId,
            UserId = user.Id,
            CreatedAt = now,
            UpdatedAt = now,
        }, ct);
        if (!created)
        {
            return false;
        }

        // Like the Direct Line service, the bot gets a conversationUpdate (not recorded: clients never see it).
        var update = new Activity
        {
            Type = ActivityTypes.ConversationUpdate,
            ChannelId = channelId,
            Conversation = new ConversationAccount(conversationId),
            From = user,
            Recipient = Bot,
            Locale = locale,
            MembersAdded = [Bot, user],
        };
        await RunTurnAsync(conversationId, update, ct);
        return true;
    }

    /// <summary>Records what a patient sent (echoed to listeners), then runs the bot's turn on it.</summary>
    public Task<StoredActivity> ReceiveAsync(string conversationId, Activity incoming, CancellationToken ct = default) =>
        ReceiveAsync(conversationId, incoming, afterStored: null, ct);

    /// <summary>
    /// Like <see cref="ReceiveAsync(string, Activity, CancellationToken)"/>; <paramref name="afterStored"/>
    /// runs once the activity is stored and before the turn (a channel maps its own activity id to ours).
    /// </summary>
    public async Task<StoredActivity> ReceiveAsync(string conversationId, Activity incoming, Func<StoredActivity, Task>? afterStored, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        var stored = await store.AppendIncomingAsync(conversationId, incoming, ct);
        feed.Publish(new FeedItem(conversationId, stored));
        if (afterStored is not null)
        {
            await afterStored(stored);
        }

        if (FaultAfterStoreForTests is { } fault)
        {
            await fault(stored);
        }

        await RunTurnAsync(conversationId, stored.Activity, ct, stored.Sequence);
        return stored;
    }

    /// <summary>Test-only fault point between storing an incoming activity and the bot's turn on it
    /// (a test makes it throw to stand for the process dying there).</summary>
    internal Func<StoredActivity, Task>? FaultAfterStoreForTests { get; set; }

    /// <summary>
    /// Takes up and runs the turns that an instance stored but never completed (it died between storing a patient's
    /// message and the bot's turn): screened, answered or escalated as if just received. Each is leased to this instance
    /// first, so two instances never run the same one; a message that already has its reply is only marked done, so
    /// nothing is said twice. With <paramref name="includeLeased"/> (one SQLite process at start-up) leases are
    /// ignored. Run at start-up and every <c>Storage:RecoverySweepSeconds</c>; returns how many were recovered.
    /// </summary>
    public async Task<int> RecoverUnprocessedAsync(bool includeLeased = false, CancellationToken ct = default)
    {
        var recovered = 0;
        foreach (var pending in await store.ClaimUnprocessedAsync(includeLeased, ct: ct))
        {
            var conversationId = pending.Activity.Conversation?.Id;
            if (conversationId is null)
            {
                continue;
            }

            var later = await store.GetActivitiesAsync(conversationId, pending.Sequence, 500, ct);
            if (later.Any(a => a.Activity.ReplyToId == pending.Activity.Id))
            {
                await store.MarkProcessedAsync(conversationId, pending.Sequence, ct: ct);
                continue;
            }

            await RunTurnAsync(conversationId, pending.Activity, ct, pending.Sequence);
            LogRecovered(logger, new Privacy.ConversationRef(conversationId), pending.Sequence);
            recovered++;
        }

        return recovered;
    }

    /// <summary>Records an activity and publishes it. The single place where anything is "said".</summary>
    public async Task<StoredActivity> AppendAsync(string conversationId, Activity activity, CancellationToken ct = default)
    {
        var stored = await store.AppendAsync(conversationId, activity, ct);
        feed.Publish(new FeedItem(conversationId, stored));
        return stored;
    }

    /// <summary>
    /// Someone is typing (nothing is stored; typing carries no text). A staff member's typing goes to the patient's
    /// stream (Web Chat shows its indicator); the patient's goes only to the staff console.
    /// </summary>
    public void Typing(string conversationId, ChannelAccount from)
    {
        ArgumentNullException.ThrowIfNull(from);
        var typing = TypingOf(conversationId, from, time);
        if (from.Role == RoleTypes.User)
        {
            feed.PublishToStaff(typing);
        }
        else
        {
            feed.Publish(typing);
        }
    }

    /// <summary>Tells the staff consoles that something about the conversation changed (e.g. a note was added).</summary>
    public void Changed(string conversationId) => feed.PublishToStaff(new FeedItem(conversationId, null, QueueChanged: true));

    /// <summary>
    /// Changes a conversation's state under its lock, then records and publishes announcements. When another instance
    /// saved the conversation meanwhile, <paramref name="change"/> runs again on the new state (so it must decide only
    /// from the state it is given, and reset anything it captures).
    /// </summary>
    public async Task<ConversationState?> UpdateAsync(
        string conversationId,
        Func<ConversationState, (ConversationState State, IReadOnlyList<Activity> Announce)?> change,
        CancellationToken ct = default)
    {
        using var held = await _locks.AcquireAsync(conversationId, ct);
        for (var attempt = 1; ; attempt++)
        {
            var state = await store.GetAsync(conversationId, ct);
            if (state is null || change(state) is not { } result)
            {
                return state;
            }

            var (next, announce) = await WithHandoffAsync(state, result.State with { UpdatedAt = time.GetUtcNow() }, result.Announce, ct);
            try
            {
                next = await store.SaveAsync(next, ct);
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                // Another instance changed it meanwhile: read it again and decide again (a claim may now be refused).
                LogConflict(logger, new Privacy.ConversationRef(conversationId), attempt);
                continue;
            }

            return await AnnounceAsync(conversationId, state, next, announce, ct);
        }
    }

    /// <summary>Once a change is saved: records and publishes its announcements and tells the consoles the queue changed.</summary>
    private async Task<ConversationState> AnnounceAsync(string conversationId, ConversationState state, ConversationState next, IReadOnlyList<Activity> announce, CancellationToken ct)
    {
        foreach (var activity in announce)
        {
            await AppendAsync(conversationId, Stamp(activity, conversationId, replyToId: null), ct);
        }

        if (next.Handoff != state.Handoff || next.Escalation != state.Escalation || next.Owner != state.Owner)
        {
            feed.Publish(new FeedItem(conversationId, null, QueueChanged: true));
        }

        return next;
    }

    private async Task RunTurnAsync(string conversationId, Activity incoming, CancellationToken ct, long? incomingSequence = null)
    {
        using var held = await _locks.AcquireAsync(conversationId, ct);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RunTurnLockedAsync(conversationId, incoming, incomingSequence, ct);
                return;
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                // Another instance changed the conversation during the turn (a claim, a hand-back): run it again on
                // the new state; nothing of the first attempt was stored.
                LogConflict(logger, new Privacy.ConversationRef(conversationId), attempt);
            }
        }
    }

    private async Task RunTurnLockedAsync(string conversationId, Activity incoming, long? incomingSequence, CancellationToken ct)
    {
        var state = await store.GetAsync(conversationId, ct)
            ?? throw new InvalidOperationException($"Conversation {conversationId} does not exist.");

        // While a person has the chat the bot stays quiet (a crisis reply still comes): it is never shown typing.
        using var typing = incoming.Type == ActivityTypes.Message && state.Handoff != HandoffState.WithStaff
            ? new BotTyping(feed, conversationId, time, _typingDelay)
            : null;

        TurnResult result;
        try
        {
            result = await turns.HandleAsync(incoming, state, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The patient's message is already stored; say so honestly instead of going silent.
            LogTurnFailed(logger, ex, new Privacy.ConversationRef(conversationId));
            result = new TurnResult(state, [new Activity
            {
                Text = "Sorry, something went wrong on our side. Your message was saved and a member of our care team can follow up. If this is an emergency, call 911.",
                TextFormat = "markdown",
            }], Outcomes.Fallback);
        }

        if (result.Feedback is { } feedback)
        {
            result = result with { Feedback = feedback with { CitedPassages = await QuotedAsync(state, feedback.ActivityId, ct) } };
        }

        if (result.Erase && eraser is not null)
        {
            typing?.Dispose();
            await EraseLockedAsync(conversationId, "patient", keepOpen: true, ct);
            foreach (var reply in result.Replies)
            {
                await AppendAsync(conversationId, Stamp(reply, conversationId, replyToId: null), ct);
            }

            return;
        }

        var (next, replies) = await WithHandoffAsync(state, result.State with { UpdatedAt = time.GetUtcNow() }, result.Replies, ct);

        // State, feedback, replies and the "processed" marker (with the outcome, for the insights) in one transaction; published once stored.
        var stored = await store.CompleteTurnAsync(next, [.. replies.Select(r => Stamp(r, conversationId, incoming.Id))], incomingSequence, result.Feedback, OutcomeOf(incoming, result), ct);
        typing?.Dispose();
        foreach (var reply in stored)
        {
            feed.Publish(new FeedItem(conversationId, reply));
        }

        if (result.SafetyRule is { } rule)
        {
            LogSafety(logger, new Privacy.ConversationRef(conversationId), result.Outcome, rule);
        }

        if (next.Handoff != state.Handoff || next.Escalation != state.Escalation)
        {
            feed.Publish(new FeedItem(conversationId, null, QueueChanged: true));
        }
    }

    /// <summary>
    /// Erases a conversation (an admin's decision): its messages, state, feedback and callback requests.
    /// Recorded in the audit log without content. False when there was no such conversation.
    /// </summary>
    public async Task<bool> EraseAsync(string conversationId, string actor, CancellationToken ct = default)
    {
        using var held = await _locks.AcquireAsync(conversationId, ct);
        return await EraseLockedAsync(conversationId, actor, keepOpen: false, ct);
    }

    private async Task<bool> EraseLockedAsync(string conversationId, string actor, bool keepOpen, CancellationToken ct)
    {
        if (eraser is null)
        {
            throw new InvalidOperationException("No IConversationEraser is registered.");
        }

        var erased = await eraser.EraseAsync(conversationId, keepOpen, ct);
        if (erased && audit is not null)
        {
            await audit.AppendAsync(new AuditRecord(actor, AuditActions.ConversationErased, keepOpen ? "erased, chat kept open" : "erased", conversationId), ct);
        }

        feed.Publish(new FeedItem(conversationId, null, QueueChanged: true));
        return erased;
    }

    /// <summary>
    /// The passages of the answer whose feedback buttons carry <paramref name="answerKey"/>, read from its stored reply:
    /// the first one after the message it answered (or, for an answer remembered without that id, from the start).
    /// Empty when the answer or its reply is gone (forgotten, or the transcript was erased).
    /// </summary>
    private async Task<IReadOnlyList<string>> QuotedAsync(ConversationState state, string answerKey, CancellationToken ct)
    {
        if (state.Answers.FirstOrDefault(a => a.Key == answerKey) is not { } answer)
        {
            return [];
        }

        const int Page = 50;
        var after = ActivityIds.SequenceOf(answer.ReplyTo) ?? 0;
        while (true)
        {
            var activities = await store.GetActivitiesAsync(state.ConversationId, after, Page, ct);
            foreach (var stored in activities)
            {
                if (CitationEntity.QuotesOf(stored.Activity, answerKey) is { } quotes)
                {
                    return quotes;
                }
            }

            if (activities.Count < Page)
            {
                return [];
            }

            after = activities[^1].Sequence;
        }
    }

    /// <summary>Adds what a handoff transition entails: its events, a callback offer or filing (see <see cref="HandoffRecorder"/>).</summary>
    private async Task<(ConversationState State, IReadOnlyList<Activity> Outgoing)> WithHandoffAsync(
        ConversationState before, ConversationState after, IReadOnlyList<Activity> outgoing, CancellationToken ct) =>
        handoff is null ? (after, outgoing) : await handoff.OnChangeAsync(before, after, outgoing, ct);

    /// <summary>What the insights count for a turn: a patient's typed or tapped message, not feedback or events.</summary>
    private static TurnOutcome? OutcomeOf(Activity incoming, TurnResult result) =>
        incoming.Type == ActivityTypes.Message && result.Feedback is null && !string.IsNullOrWhiteSpace(incoming.Text) && result.Outcome != Outcomes.None
            ? new TurnOutcome(result.Outcome, result.Reason)
            : null;

    private static Activity Stamp(Activity reply, string conversationId, string? replyToId) => reply with
    {
        From = reply.From ?? Bot,
        Conversation = new ConversationAccount(conversationId),
        ReplyToId = reply.ReplyToId ?? replyToId,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} was saved by another instance meanwhile (attempt {Attempt}); reading it again")]
    private static partial void LogConflict(ILogger logger, Privacy.ConversationRef conversationId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Turn of conversation {ConversationId} at {Sequence} recovered (its instance never completed it)")]
    private static partial void LogRecovered(ILogger logger, Privacy.ConversationRef conversationId, long sequence);

    /// <summary>The safety verdict: the rule or exemplar category, never the patient's words.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "Safety screen in conversation {ConversationId}: {Outcome} by {Rule}")]
    private static partial void LogSafety(ILogger logger, Privacy.ConversationRef conversationId, string outcome, string rule);

    [LoggerMessage(Level = LogLevel.Error, Message = "Turn failed in conversation {ConversationId}; the patient's message is stored")]
    private static partial void LogTurnFailed(ILogger logger, Exception exception, Privacy.ConversationRef conversationId);

    private static FeedItem TypingOf(string conversationId, ChannelAccount from, TimeProvider time) =>
        new(conversationId, null, new Activity
        {
            Type = ActivityTypes.Typing,
            From = from,
            Conversation = new ConversationAccount(conversationId),
            Timestamp = time.GetUtcNow(),
        });

    /// <summary>
    /// The bot's typing indicator during one turn: published when the turn is still running after the delay (at once
    /// for no delay), never once the turn is over, so it cannot follow the reply it announces.
    /// </summary>
    private sealed class BotTyping : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly ConversationFeed _feed;
        private readonly string _conversationId;
        private readonly TimeProvider _time;
        private readonly ITimer? _timer;
        private bool _over;

        public BotTyping(ConversationFeed feed, string conversationId, TimeProvider time, TimeSpan delay)
        {
            _feed = feed;
            _conversationId = conversationId;
            _time = time;
            if (delay <= TimeSpan.Zero)
            {
                Publish();
            }
            else
            {
                _timer = time.CreateTimer(static typing => ((BotTyping)typing!).Publish(), this, delay, Timeout.InfiniteTimeSpan);
            }
        }

        private void Publish()
        {
            lock (_gate)
            {
                if (!_over)
                {
                    _feed.Publish(TypingOf(_conversationId, Bot, _time));
                }
            }
        }

        /// <summary>The turn is over (its replies are about to be published): no indicator from now on.</summary>
        public void Dispose()
        {
            lock (_gate)
            {
                _over = true;
            }

            _timer?.Dispose();
        }
    }
}
