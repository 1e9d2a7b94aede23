using System.Security.Cryptography;
using System.Text;
using FaqBot.Conversation;

namespace FaqBot.Handoff;

/// <summary>A staff member's internal note on a conversation: kept apart from the conversation's activities, so it can
/// never reach the patient's stream.</summary>
public sealed record StaffNote(long Id, string ConversationId, string StaffId, string StaffName, string Text, DateTimeOffset At);

/// <summary>A reply staff insert with a keystroke; admins edit the list.</summary>
public sealed record SavedReply(string Id, string Title, string Text, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>A readable reference staff can say aloud ("K7Q-2MX"): derived from the conversation id, so nothing is stored.</summary>
public static class ShortId
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // Crockford base 32: no I, L, O, U

    public static string Of(string conversationId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(conversationId ?? ""));
        var bits = BitConverter.ToUInt64(hash, 0);
        var chars = new char[6];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[(int)(bits & 31)];
            bits >>= 5;
        }

        return $"{new string(chars, 0, 3)}-{new string(chars, 3, 3)}";
    }
}

/// <summary>Internal notes (table <c>staff_notes</c>; erased with their conversation).</summary>
public interface IStaffNoteStore
{
    Task<StaffNote> AddAsync(string conversationId, StaffRef staff, string text, CancellationToken ct = default);

    Task<IReadOnlyList<StaffNote>> ListAsync(string conversationId, CancellationToken ct = default);
}

/// <summary>Saved replies (table <c>saved_replies</c>).</summary>
public interface ISavedReplyStore
{
    Task<IReadOnlyList<SavedReply>> ListAsync(CancellationToken ct = default);

    /// <summary>Adds a reply (no id) or changes one; null when the id does not exist.</summary>
    Task<SavedReply?> SaveAsync(string? id, string title, string text, string staffId, CancellationToken ct = default);

    Task<bool> DeleteAsync(string id, CancellationToken ct = default);
}

/// <summary>The limits of notes and saved replies.</summary>
public static class StaffTextLimits
{
    public const int Note = 4000;
    public const int SavedReplyTitle = 80;
    public const int SavedReplyText = 4000;
}

/// <summary>What the history search filters on; every filter is optional.</summary>
public sealed record HistoryQuery(string? Text = null, DateTimeOffset? From = null, DateTimeOffset? To = null, string? Reason = null, string? Outcome = null, string? StaffId = null, int Limit = 100);

/// <summary>
/// Every conversation that was ever handed to staff (its state has a handoff log), newest first, searchable by
/// what was written (patient, assistant, staff, and internal notes), date, reason, outcome and staff member.
/// </summary>
public interface IConversationHistory
{
    Task<IReadOnlyList<ConversationState>> SearchAsync(HistoryQuery query, CancellationToken ct = default);
}

/// <summary>The part of the history search that reads the conversation's state (the same for every provider).</summary>
public static class ConversationHistory
{
    /// <summary>The outcome of the last close, if the conversation was closed.</summary>
    public static string? OutcomeOf(ConversationState state) =>
        state?.HandoffLog.LastOrDefault(e => e.Kind == "closed")?.Outcome;

    public static bool Matches(ConversationState state, HistoryQuery query)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(query);
        var log = state.HandoffLog;
        var first = log[0].At;
        return (query.From is not { } from || log[^1].At >= from)
            && (query.To is not { } to || first <= to)
            && (query.Reason is null || log.Any(e => e.Reason == query.Reason))
            && (query.Outcome is null || OutcomeOf(state) == query.Outcome)
            && (query.StaffId is null || log.Any(e => e.StaffId == query.StaffId || e.ToStaffId == query.StaffId));
    }

    /// <summary>The text as a LIKE pattern with <c>\</c> as the escape character.</summary>
    public static string LikePattern(string text) =>
        "%" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
}
