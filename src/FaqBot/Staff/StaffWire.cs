using System.Text.Json.Nodes;

namespace FaqBot.Staff;

public sealed record LoginRequest(string? Email, string? Password);

public sealed record ClearThrottleRequest(string? Key);

public sealed record SignedInStaff(string Id, string Name, string Role, string CsrfToken);

public sealed record StaffMessageRequest(string? Text);

public sealed record OwnerView(string Id, string Name);

/// <summary>One line of the staff queue.</summary>
public sealed record QueueItem(
    string ConversationId,
    string State,
    string? Reason,
    int Priority,
    long WaitingSeconds,
    DateTimeOffset? EscalatedAt,
    string? FirstQuestion,
    string? LastMessage,
    OwnerView? Owner,
    bool CallbackOffered,
    string ShortId = "",
    string ReasonLabel = "",
    bool Urgent = false,
    DateTimeOffset? StartedAt = null,
    string? EscalatedBy = null,
    string? Outcome = null);

/// <summary>A passage the assistant quoted in an answer (from the answer's schema.org Message entity).</summary>
public sealed record CitedPassage(string? Position, string? Title, string? Text);

/// <summary>One activity as the console shows it. <see cref="Sender"/>: patient, assistant, staff or system.</summary>
public sealed record TranscriptEntry(
    string ConversationId,
    string? Id,
    DateTimeOffset? Timestamp,
    string Type,
    string Sender,
    string? SenderName,
    string? Text,
    string? EventName,
    JsonNode? EventValue,
    IReadOnlyList<CitedPassage> Citations);

public sealed record FeedbackView(string ActivityId, string Reaction, string? Question, string? Outcome, IReadOnlyList<string> CitedPassages, DateTimeOffset At);

/// <param name="Brief">A few factual lines for the staff member who picks the chat up (built from the stored record, never invented).</param>
/// <param name="History">Every handoff transition (escalated, claimed, transferred, closed ...), oldest first.</param>
public sealed record ConversationDetail(QueueItem Summary, IReadOnlyList<TranscriptEntry> Transcript, IReadOnlyList<FeedbackView> Feedback, IReadOnlyList<string> Brief, IReadOnlyList<FaqBot.Handoff.HandoffLogEntry>? History = null);

public sealed record CloseRequest(string? Outcome);

public sealed record CallbackDoneRequest(string? Note);

public sealed record TransferRequest(string? StaffId);

public sealed record NoteRequest(string? Text);

public sealed record SavedReplyRequest(string? Title, string? Text);

public sealed record ColleagueView(string Id, string Name, bool Me);

public sealed record AccountView(string Id, string Email, string Name, string Role, bool Disabled, DateTimeOffset CreatedAt);

public sealed record AddAccountRequest(string? Email, string? Name, string? Role, string? Password);

public sealed record PasswordRequest(string? Password);

public sealed record RoleRequest(string? Role);

public sealed record CallbackView(string Id, string ConversationId, string Name, string Contact, bool Consent, DateTimeOffset CreatedAt, DateTimeOffset? DoneAt, string? DoneBy);

/// <summary>What the live feed pushes: <c>queue</c> (something in the queue changed) or <c>activity</c>.</summary>
public sealed record FeedEvent(string? ConversationId, TranscriptEntry? Activity, string? Typing = null);
