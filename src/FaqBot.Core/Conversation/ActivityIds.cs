using System.Globalization;

namespace FaqBot.Conversation;

/// <summary>A recorded activity's id: <c>{conversationId}|{sequence:D7}</c>, its place in the conversation's log.</summary>
public static class ActivityIds
{
    public static string Of(string conversationId, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{conversationId}|{sequence:D7}");

    /// <summary>The sequence inside a recorded activity's id, or null when the id is not one.</summary>
    public static long? SequenceOf(string? activityId)
    {
        if (activityId is null)
        {
            return null;
        }

        var bar = activityId.LastIndexOf('|');
        return bar >= 0 && long.TryParse(activityId.AsSpan(bar + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            ? sequence
            : null;
    }
}
