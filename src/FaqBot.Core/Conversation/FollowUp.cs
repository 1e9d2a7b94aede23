using FaqBot.Search.Analysis;

namespace FaqBot.Conversation;

public enum FollowUpCue
{
    None,
    /// <summary>A pronoun that may point back ("is it safe?"): a follow-up only if it cannot stand alone.</summary>
    Weak,
    /// <summary>Clearly leans on the last question ("and after that?", "why?", "how long does that last?").</summary>
    Strong,
}

/// <summary>Recognises short questions that lean on the previous one.</summary>
public static class FollowUp
{
    private static readonly string[] StrongOpenings = ["and ", "what about", "how about", "then ", "after that", "what else", "and then", "why", "so what", "what if"];
    private static readonly HashSet<string> Pointers = new(StringComparer.Ordinal) { "that", "it", "this", "those", "these", "them", "then", "there" };

    public static FollowUpCue Cue(string text)
    {
        var words = TextAnalysis.Words(text);
        var content = TextAnalysis.Terms(text).Count;
        if (words.Count == 0 || words.Count > 8)
        {
            return FollowUpCue.None;
        }

        var lower = string.Join(' ', words);
        if (content <= 2 && (StrongOpenings.Any(o => lower.StartsWith(o, StringComparison.Ordinal)) || (words.Count <= 5 && words.Any(Pointers.Contains))))
        {
            return FollowUpCue.Strong;
        }

        return words.Any(Pointers.Contains) ? FollowUpCue.Weak : FollowUpCue.None;
    }
}
