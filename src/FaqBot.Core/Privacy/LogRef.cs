using System.Security.Cryptography;
using System.Text;

namespace FaqBot.Privacy;

/// <summary>
/// What logs say instead of a conversation id (which, for SMS-like channels, is derived from a phone
/// number): a keyed hash, stable for the life of the process so log lines of one conversation can be
/// followed, meaningless outside it.
/// </summary>
/// <summary>A conversation id as logs may show it; formatted (hashed) only if the line is written.</summary>
public readonly record struct ConversationRef(string? Id)
{
    public override string ToString() => LogRef.Conversation(Id);
}

/// <summary>An activity id as logs may show it; formatted only if the line is written.</summary>
public readonly record struct ActivityRef(string? Id)
{
    public override string ToString() => LogRef.Activity(Id);
}

public static class LogRef
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    public static string Conversation(string? conversationId) =>
        conversationId is null ? "-" : "c_" + Convert.ToHexStringLower(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(conversationId)))[..12];

    /// <summary>An activity id <c>{conversationId}|{sequence}</c> as <c>c_…#sequence</c>.</summary>
    public static string Activity(string? activityId)
    {
        if (activityId is null)
        {
            return "-";
        }

        var bar = activityId.LastIndexOf('|');
        return bar < 0 ? Conversation(activityId) : $"{Conversation(activityId[..bar])}#{activityId[(bar + 1)..]}";
    }
}
