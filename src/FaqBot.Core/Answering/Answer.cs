using FaqBot.Knowledge;

namespace FaqBot.Answering;

/// <summary>The outcome names reported by <c>ask --json</c> and stored with feedback.</summary>
public static class Outcomes
{
    public const string Answer = "answer";
    public const string Clarify = "clarify";
    public const string Fallback = "fallback";
    public const string Handoff = "handoff";
    public const string Crisis = "crisis";
    public const string Smalltalk = "smalltalk";
    /// <summary>Nothing for the bot to say (staff own the chat, an event, feedback).</summary>
    public const string None = "none";
}

/// <summary>A quoted passage: verbatim text of <see cref="Source"/> between <see cref="Start"/> and <see cref="End"/>.</summary>
/// <param name="Kind">A personal account is labelled as such when quoted.</param>
public sealed record Citation(string Source, string Title, string Section, string Passage, int Start, int End, ContentKind Kind = ContentKind.Guidance);
