using System.Text.Json;
using System.Text.Json.Serialization;
using FaqBot.Handoff;

namespace FaqBot.Conversation;

/// <summary>Everything the bot and the handoff remember about one conversation between turns.</summary>
public sealed record ConversationState
{
    public required string ConversationId { get; init; }
    public required string UserId { get; init; }
    /// <summary>The stored version this state was read at (a column, not part of the document); see <see cref="IConversationStore.SaveAsync"/>.</summary>
    [JsonIgnore]
    public long Version { get; init; }
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
    /// <summary>What the bot asked and waits for (see <see cref="PendingPrompt"/>), or null.</summary>
    public PendingPrompt? Pending { get; init; }
    public CallbackDraft? Callback { get; init; }
    /// <summary>When the patient was last offered a callback while queued (so it is offered once per escalation).</summary>
    public DateTimeOffset? CallbackOfferedAt { get; init; }
    /// <summary>The last answers given (newest last, at most 10), so feedback can name what it rates.</summary>
    public IReadOnlyList<AnswerRecord> Answers { get; init; } = [];
    /// <summary>Every handoff transition, oldest first (written only by <see cref="HandoffMachine"/>): the history staff search.</summary>
    public IReadOnlyList<HandoffLogEntry> HandoffLog { get; init; } = [];
    /// <summary>When the on-call webhook was called for this escalation (urgent and unclaimed too long), so it is called once.</summary>
    public DateTimeOffset? UrgentPagedAt { get; init; }
}

/// <summary>
/// What one bot answer was: the key its feedback buttons carry, the question, the outcome and the id of the message it
/// answered (<paramref name="ReplyTo"/>). Its quotes are not kept here: feedback reads them from the stored reply (see
/// <see cref="CitationEntity.QuotesOf"/>), which keeps the state rewritten at every turn small. States saved before
/// this kept a <c>passages</c> list; it is ignored when read.
/// </summary>
public sealed record AnswerRecord(string Key, string Question, string Outcome, string? ReplyTo = null);

public sealed record TopicContext(string Question, string Source, string Section);

/// <summary>Contact details collected for a callback request, step by step.</summary>
public sealed record CallbackDraft(string? Name = null, string? Contact = null, bool Consent = false);

/// <summary>
/// What the bot asked and waits for. Stored as its short code (<c>offer-person:thumbs-down</c>, <c>callback-name</c>),
/// so conversations saved before the prompts were typed read the same; in code it is always one of these records.
/// </summary>
[JsonConverter(typeof(PendingPromptJsonConverter))]
public abstract record PendingPrompt
{
    private protected PendingPrompt()
    {
    }

    public abstract string Code { get; }

    /// <summary>The bot offered a person; a yes escalates for <paramref name="Reason"/>.</summary>
    public sealed record OfferPerson(string Reason) : PendingPrompt
    {
        public override string Code => $"offer-person:{Reason}";
    }

    public sealed record ConfirmDelete : PendingPrompt
    {
        public override string Code => "confirm-delete";
    }

    public sealed record CallbackName : PendingPrompt
    {
        public override string Code => "callback-name";
    }

    public sealed record CallbackContact : PendingPrompt
    {
        public override string Code => "callback-contact";
    }

    public sealed record CallbackConsent : PendingPrompt
    {
        public override string Code => "callback-consent";
    }

    /// <summary>The bot asked "Are you safe right now?"; the next message is read as the answer.</summary>
    public sealed record SafetyCheckIn : PendingPrompt
    {
        public override string Code => "safety-checkin";
    }

    /// <summary>A stored code back as its record; an unknown code (from a newer version) is no prompt.</summary>
    public static PendingPrompt? Parse(string? code) => code switch
    {
        null or "" => null,
        "confirm-delete" => PendingPrompts.ConfirmDelete,
        "callback-name" => PendingPrompts.CallbackName,
        "callback-contact" => PendingPrompts.CallbackContact,
        "callback-consent" => PendingPrompts.CallbackConsent,
        "safety-checkin" => PendingPrompts.SafetyCheckIn,
        "offer-person" => new OfferPerson(EscalationReasons.AskForPerson),
        _ when code.StartsWith("offer-person:", StringComparison.Ordinal) => new OfferPerson(code["offer-person:".Length..]),
        _ => null,
    };

    public bool IsCallbackDialogue => this is CallbackName or CallbackContact or CallbackConsent;
}

/// <summary>The prompts without parameters, one instance each.</summary>
public static class PendingPrompts
{
    public static readonly PendingPrompt ConfirmDelete = new PendingPrompt.ConfirmDelete();
    public static readonly PendingPrompt CallbackName = new PendingPrompt.CallbackName();
    public static readonly PendingPrompt CallbackContact = new PendingPrompt.CallbackContact();
    public static readonly PendingPrompt CallbackConsent = new PendingPrompt.CallbackConsent();
    public static readonly PendingPrompt SafetyCheckIn = new PendingPrompt.SafetyCheckIn();
}

internal sealed class PendingPromptJsonConverter : JsonConverter<PendingPrompt>
{
    public override PendingPrompt? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? PendingPrompt.Parse(reader.GetString()) : SkipAndNull(ref reader);

    public override void Write(Utf8JsonWriter writer, PendingPrompt value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.Code);
    }

    private static PendingPrompt? SkipAndNull(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }
}
