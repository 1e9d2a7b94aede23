using FaqBot.Safety;

namespace FaqBot.Conversation.Intents;

public enum IntentKind { None, Greeting, Thanks, Goodbye, Help, AskForPerson, StaffOnly, OutOfScope, Affirm, Deny, DeleteChat }

/// <param name="Kind">What the message asks for; <see cref="IntentKind.None"/> = a question to search.</param>
/// <param name="Reason">The handoff reason: the staff-only reason code (cost, booking,
/// personal-medical...) or "ask-for-person"; null for the other kinds.</param>
public sealed record Intent(IntentKind Kind, string? Reason = null)
{
    public const string AskForPersonReason = "ask-for-person";

    public static Intent None { get; } = new(IntentKind.None);
}

/// <summary>
/// Classifies a message with the <c>intents</c> lists of phrases.yaml, in this order:
/// <list type="number">
/// <item>Small talk, only when the WHOLE message is small talk (plus <c>filler</c> words):
/// "thanks so much" is Thanks, "hi, can I drive afterward?" is not. When a message mixes kinds,
/// the first of Help, Goodbye, Deny, Affirm, Thanks, Greeting wins ("no thanks" is one Deny phrase).</item>
/// <item><c>ask-for-person</c> anywhere ("can I talk to a nurse about my dose").</item>
/// <item><c>staff-only</c> anywhere; the first reason code in the file that matches wins.</item>
/// <item><c>out-of-scope</c> anywhere (weather, sports, jokes, politics).</item>
/// <item>Otherwise None: a question for the articles.</item>
/// </list>
/// Run the <see cref="SafetyScreen"/> first; this classifier knows nothing about crises.
/// </summary>
public sealed partial class IntentClassifier(PhraseBook phrases)
{
    /// <summary>"delete my chat", "please erase this conversation", "remove my messages": the patient's right to erasure (always confirmed with a button).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\b(delete|erase|remove|wipe|clear)\b( (all|everything))?( of)? (my|this|the|our)( whole| entire)? (chat|chats|conversation|conversations|messages|chat history|history|transcript|data)\b")]
    private static partial System.Text.RegularExpressions.Regex DeleteChatPattern();

    private readonly PhraseBook _phrases = phrases;
    private readonly PhraseList _filler = phrases["filler"];
    private readonly PhraseList _askForPerson = phrases["ask-for-person"];
    private readonly PhraseList _outOfScope = phrases["out-of-scope"];

    // Small talk in priority order: when a message holds several kinds, the first listed wins.
    private readonly (PhraseList List, IntentKind Kind)[] _smallTalk =
    [
        (phrases["help"], IntentKind.Help),
        (phrases["goodbye"], IntentKind.Goodbye),
        (phrases["deny"], IntentKind.Deny),
        (phrases["affirm"], IntentKind.Affirm),
        (phrases["thanks"], IntentKind.Thanks),
        (phrases["greeting"], IntentKind.Greeting),
    ];

    public Intent Classify(string? text)
    {
        var words = _phrases.Words(text);
        if (words.Length == 0)
        {
            return Intent.None;
        }
        if (DeleteChatPattern().IsMatch(string.Join(' ', words)))
        {
            return new Intent(IntentKind.DeleteChat);
        }
        if (SmallTalk(words) is { } smallTalk)
        {
            return new Intent(smallTalk);
        }
        if (_askForPerson.FindFirst(words) is not null)
        {
            return new Intent(IntentKind.AskForPerson, Intent.AskForPersonReason);
        }
        if (_outOfScope.FindFirst(words) is not null)
        {
            return new Intent(IntentKind.OutOfScope);
        }
        foreach (var topic in _phrases.StaffOnly)
        {
            if (topic.FindFirst(words) is not null)
            {
                return new Intent(IntentKind.StaffOnly, topic.Name);
            }
        }
        return Intent.None;
    }

    /// <summary>The small-talk kind when every word is covered by small-talk phrases or filler
    /// (longest phrase first, left to right); otherwise null.</summary>
    private IntentKind? SmallTalk(string[] words)
    {
        var best = int.MaxValue;
        var at = 0;
        while (at < words.Length)
        {
            var end = at;
            var kind = -1;
            for (var k = 0; k < _smallTalk.Length; k++)
            {
                if (_smallTalk[k].List.LongestAt(words, at) is { } match && match.End > end)
                {
                    end = match.End;
                    kind = k;
                }
            }
            if (kind >= 0)
            {
                best = Math.Min(best, kind);
            }
            else if (_filler.LongestAt(words, at) is { } filler)
            {
                end = filler.End;
            }
            else
            {
                return null;
            }
            at = end;
        }
        return best == int.MaxValue ? null : _smallTalk[best].Kind;
    }
}
