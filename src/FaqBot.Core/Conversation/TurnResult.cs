using FaqBot.Answering;
using FaqBot.Schema;

namespace FaqBot.Conversation;

/// <summary>What one turn produced: replies to record and send, the new state, and what happened.</summary>
public sealed record TurnResult(ConversationState State, IReadOnlyList<Activity> Replies, string Outcome)
{
    /// <summary>Escalation reason when <see cref="Outcome"/> is handoff or crisis.</summary>
    public string? Reason { get; init; }
    public double Confidence { get; init; }
    public IReadOnlyList<Citation> Citations { get; init; } = [];
    public FeedbackRecord? Feedback { get; init; }
    /// <summary>The safety rule or exemplar category behind a crisis or check-in (never the patient's words).</summary>
    public string? SafetyRule { get; init; }

    /// <summary>The patient confirmed "delete my chat": erase the conversation, then send <see cref="Replies"/>.</summary>
    public bool Erase { get; init; }
}
