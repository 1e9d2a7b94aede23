using FaqBot.Handoff;
using FaqBot.Schema;

namespace FaqBot.Conversation;

/// <summary>An activity as recorded: its position in the conversation log and the stamped activity.</summary>
public sealed record StoredActivity(long Sequence, Activity Activity);

/// <summary>How long a transcript is: its messages (not events) and the sequence of its last activity (0 when empty).</summary>
public readonly record struct TranscriptSize(int Messages, long LastSequence);

/// <summary>What came of a patient's message: one of <c>Outcomes</c> and, for a handoff or crisis, the escalation reason.</summary>
public sealed record TurnOutcome(string Outcome, string? Reason);

/// <summary>Feedback on one bot answer (thumbs up/down), with what was asked and cited.</summary>
public sealed record FeedbackRecord(
    string ConversationId,
    string ActivityId,
    string Reaction,
    string? Question,
    string? Outcome,
    IReadOnlyList<string> CitedPassages,
    DateTimeOffset At);

/// <summary>
/// The conversation aggregate: its state and its append-only activity log. SQLite (the embedded default) and PostgreSQL
/// implement it in <c>Storage/</c>. The database enforces the order and the ownership: sequence numbers are unique per
/// conversation and assigned inside the appending transaction, and a state is saved only over the version it was read
/// at (<see cref="ConversationState.Version"/>), so two instances can never both claim a chat or both answer a message.
/// </summary>
public interface IConversationStore
{
    /// <summary>Creates the conversation; returns false when the id already exists.</summary>
    Task<bool> CreateAsync(ConversationState state, CancellationToken ct = default);

    Task<ConversationState?> GetAsync(string conversationId, CancellationToken ct = default);

    /// <summary>The conversation's user id, or null when it does not exist: a check on every message, without reading its state.</summary>
    Task<string?> GetUserIdAsync(string conversationId, CancellationToken ct = default);

    /// <summary>
    /// Saves the state if nobody saved the conversation since it was read (same <see cref="ConversationState.Version"/>);
    /// returns it with its new version. Throws <see cref="Storage.ConcurrencyConflictException"/> otherwise: the caller
    /// reloads and applies its change again (or reports "already claimed").
    /// </summary>
    Task<ConversationState> SaveAsync(ConversationState state, CancellationToken ct = default);

    /// <summary>
    /// Records an activity: assigns <c>id</c> = <c>{conversationId}|{sequence:D7}</c>, a server
    /// <c>timestamp</c> (UTC, ms, strictly increasing per conversation), <c>conversation.id</c>,
    /// and stores it durably before returning.
    /// </summary>
    Task<StoredActivity> AppendAsync(string conversationId, Activity activity, CancellationToken ct = default);

    /// <summary>
    /// Records what a patient (or channel) sent, like <see cref="AppendAsync"/>, and in the same
    /// transaction marks it as awaiting the bot's turn, so that a turn the process never finished is
    /// found again at the next start (<see cref="ListUnprocessedAsync"/>).
    /// </summary>
    Task<StoredActivity> AppendIncomingAsync(string conversationId, Activity activity, CancellationToken ct = default);

    /// <summary>
    /// Ends a turn in ONE transaction: saves the state, records the feedback (if any), appends the replies (each
    /// stamped as by <see cref="AppendAsync"/>) and, with <paramref name="processedSequence"/>, marks that incoming
    /// activity processed, with <paramref name="outcome"/> (what came of a patient's message, for the insights; null
    /// for feedback or an event). Either all of it is stored or none. Returns the stored replies, in order. The state is
    /// saved as by <see cref="SaveAsync"/> (a conflict throws and stores nothing); when the incoming activity was
    /// processed already (by another instance that took up its lease), nothing is stored and the list is empty.
    /// </summary>
    Task<IReadOnlyList<StoredActivity>> CompleteTurnAsync(ConversationState state, IReadOnlyList<Activity> replies, long? processedSequence, FeedbackRecord? feedback, TurnOutcome? outcome = null, CancellationToken ct = default);

    /// <summary>The bot's turn on this incoming activity has been completed (its replies are stored), with what came of it.</summary>
    Task MarkProcessedAsync(string conversationId, long sequence, TurnOutcome? outcome = null, CancellationToken ct = default);

    /// <summary>Incoming activities whose turn never completed, oldest first.</summary>
    Task<IReadOnlyList<StoredActivity>> ListUnprocessedAsync(CancellationToken ct = default);

    /// <summary>
    /// Takes up, for this instance, incoming activities whose turn never completed and whose lease expired (with
    /// <paramref name="includeLeased"/> also leased ones: one SQLite process at start-up owns every lease); each is
    /// leased to this instance for <see cref="Storage.StorageOptions.LeaseSeconds"/>. Two instances never get the same
    /// one while its lease runs. Oldest first. (<see cref="AppendIncomingAsync"/> leases a message to its own instance.)
    /// </summary>
    Task<IReadOnlyList<StoredActivity>> ClaimUnprocessedAsync(bool includeLeased = false, int limit = 100, CancellationToken ct = default);

    /// <summary>Counts the transcript's messages in the database (a handoff names the transcript it hands over, on the
    /// crisis path too: no activity is read into memory for it).</summary>
    Task<TranscriptSize> GetTranscriptSizeAsync(string conversationId, CancellationToken ct = default);

    /// <summary>Activities with a sequence greater than <paramref name="afterSequence"/>, in order.</summary>
    Task<IReadOnlyList<StoredActivity>> GetActivitiesAsync(string conversationId, long afterSequence, int limit = 500, CancellationToken ct = default);

    Task<IReadOnlyList<ConversationState>> ListByHandoffAsync(IReadOnlyCollection<HandoffState> states, CancellationToken ct = default);

    Task AddFeedbackAsync(FeedbackRecord feedback, CancellationToken ct = default);

    Task<IReadOnlyList<FeedbackRecord>> GetFeedbackAsync(string conversationId, CancellationToken ct = default);
}
