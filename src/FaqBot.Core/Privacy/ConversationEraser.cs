using FaqBot.Conversation;
using FaqBot.Schema;
using System.ComponentModel.DataAnnotations;

namespace FaqBot.Privacy;

/// <summary>The "Privacy" section of appsettings.json.</summary>
public sealed class PrivacyOptions
{
    public const string Section = "Privacy";

    /// <summary>Conversations (with their messages, callbacks and feedback) untouched for this many days are deleted.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>How often the retention job looks for expired conversations.</summary>
    [Range(1, 24 * 60)]
    public int SweepMinutes { get; set; } = 60;
}

/// <summary>
/// Deletes a conversation everywhere it is kept: its messages, state, feedback, turn outcomes, callback requests (names
/// and phone numbers), internal notes and Bot Connector references, in one transaction; and the retention sweep's reads.
/// </summary>
public interface IConversationEraser
{
    public const string ErasedEventName = "faqbot.erased";

    /// <summary>The event left in place of an erased transcript, at the sequence of its last activity (so clients' watermarks stay valid).</summary>
    public static Activity ErasedMarker(string conversationId, long sequence, DateTimeOffset at) => new()
    {
        Type = ActivityTypes.Event,
        Name = ErasedEventName,
        Id = ActivityIds.Of(conversationId, sequence),
        Timestamp = at,
        From = ConversationService.Bot,
        Conversation = new ConversationAccount(conversationId),
    };

    /// <summary>
    /// Erases a conversation. With <paramref name="keepOpen"/> (the patient's own "delete my chat") the
    /// conversation goes on, empty: its state starts again and one content-free event keeps the sequence,
    /// so the patient's stream and watermarks stay valid. False when it did not exist.
    /// </summary>
    Task<bool> EraseAsync(string conversationId, bool keepOpen, CancellationToken ct = default);

    /// <summary>The conversations not updated since <paramref name="cutoff"/>.</summary>
    Task<IReadOnlyList<string>> ExpiredAsync(DateTimeOffset cutoff, CancellationToken ct = default);

    /// <summary>Deletes callback requests and feedback older than <paramref name="cutoff"/>, whatever their conversation.</summary>
    Task DeleteOldRecordsAsync(DateTimeOffset cutoff, CancellationToken ct = default);
}
