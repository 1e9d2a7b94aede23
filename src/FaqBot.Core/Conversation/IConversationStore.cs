using FaqBot.Handoff;
using FaqBot.Schema;

namespace FaqBot.Conversation;

/// <summary>An activity as recorded: its position in the conversation log and the stamped activity.</summary>
public sealed record StoredActivity(long Sequence, Activity Activity);

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
/// The conversation aggregate: its state and its append-only activity log.
/// SQLite is the embedded default (<see cref="SqliteConversationStore"/>).
/// </summary>
public interface IConversationStore
{
    Task InitializeAsync(CancellationToken ct = default);

    /// <summary>Creates the conversation; returns false when the id already exists.</summary>
    Task<bool> CreateAsync(ConversationState state, CancellationToken ct = default);

    Task<ConversationState?> GetAsync(string conversationId, CancellationToken ct = default);

    Task SaveAsync(ConversationState state, CancellationToken ct = default);

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
    /// for feedback or an event). Either all of it is stored or none. Returns the stored replies, in order.
    /// </summary>
    Task<IReadOnlyList<StoredActivity>> CompleteTurnAsync(ConversationState state, IReadOnlyList<Activity> replies, long? processedSequence, FeedbackRecord? feedback, TurnOutcome? outcome = null, CancellationToken ct = default);

    /// <summary>The bot's turn on this incoming activity has been completed (its replies are stored), with what came of it.</summary>
    Task MarkProcessedAsync(string conversationId, long sequence, TurnOutcome? outcome = null, CancellationToken ct = default);

    /// <summary>Incoming activities whose turn never completed, oldest first.</summary>
    Task<IReadOnlyList<StoredActivity>> ListUnprocessedAsync(CancellationToken ct = default);

    /// <summary>Activities with a sequence greater than <paramref name="afterSequence"/>, in order.</summary>
    Task<IReadOnlyList<StoredActivity>> GetActivitiesAsync(string conversationId, long afterSequence, int limit = 500, CancellationToken ct = default);

    Task<IReadOnlyList<ConversationState>> ListByHandoffAsync(IReadOnlyCollection<HandoffState> states, CancellationToken ct = default);

    Task AddFeedbackAsync(FeedbackRecord feedback, CancellationToken ct = default);

    Task<IReadOnlyList<FeedbackRecord>> GetFeedbackAsync(string conversationId, CancellationToken ct = default);
}
