using FaqBot.Handoff;

namespace FaqBot.Conversation;

/// <summary>Everything the bot and the handoff remember about one conversation between turns.</summary>
public sealed record ConversationState
{
    public required string ConversationId { get; init; }
    public required string UserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public HandoffState Handoff { get; init; } = HandoffState.Bot;
    public Escalation? Escalation { get; init; }
    public StaffRef? Owner { get; init; }
    /// <summary>The first question the patient asked (shown in the staff queue).</summary>
    public string? FirstQuestion { get; init; }
    public int ConsecutiveMisses { get; init; }
    /// <summary>The last answered topic, so "and after that?" is read in its context.</summary>
    public TopicContext? LastTopic { get; init; }
    /// <summary>What the bot asked and waits for (see <see cref="PendingPrompts"/>), or null.</summary>
    public string? Pending { get; init; }
    public CallbackDraft? Callback { get; init; }
    /// <summary>When the patient was last offered a callback while queued (so it is offered once per escalation).</summary>
    public DateTimeOffset? CallbackOfferedAt { get; init; }
    /// <summary>The last answers given (newest last, at most 10), so feedback can name what it rates.</summary>
    public IReadOnlyList<AnswerRecord> Answers { get; init; } = [];
}

/// <summary>What one bot answer was: the key its feedback buttons carry, the question, outcome and quoted passages.</summary>
public sealed record AnswerRecord(string Key, string Question, string Outcome, IReadOnlyList<string> Passages);

public sealed record TopicContext(string Question, string Source, string Section);

/// <summary>Contact details collected for a callback request, step by step.</summary>
public sealed record CallbackDraft(string? Name = null, string? Contact = null, bool Consent = false);

public static class PendingPrompts
{
    public const string OfferPerson = "offer-person";
    public const string ConfirmDelete = "confirm-delete";
    public const string CallbackName = "callback-name";
    public const string CallbackContact = "callback-contact";
    public const string CallbackConsent = "callback-consent";
    /// <summary>The bot asked "Are you safe right now?"; the next message is read as the answer.</summary>
    public const string SafetyCheckIn = "safety-checkin";
}
