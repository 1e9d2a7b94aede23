using System.Text.RegularExpressions;

namespace FaqBot.Search;

/// <summary>
/// What kind of answer a question asks for and what kind of statement a passage makes: a duration, an onset,
/// a definition, an explanation, a list; and passages that make a poor quote on their own.
/// </summary>
internal static partial class AnswerShapes
{
    internal static bool StartsMidThought(string text)
    {
        var first = text.AsSpan(0, Math.Min(12, text.Length)).ToString();
        return first.StartsWith("This ", StringComparison.Ordinal) || first.StartsWith("These ", StringComparison.Ordinal)
            || first.StartsWith("It ", StringComparison.Ordinal) || first.StartsWith("They ", StringComparison.Ordinal)
            || first.StartsWith("However", StringComparison.Ordinal) || first.StartsWith("But ", StringComparison.Ordinal)
            || first.StartsWith("Their ", StringComparison.Ordinal) || first.StartsWith("Others ", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\b(\d+(-\d+)?|an|one|two|a few|few|several)\s+(minutes?|hours?|days?|weeks?|months?)\b", RegexOptions.IgnoreCase)]
    internal static partial Regex Duration();

    [GeneratedRegex(@"\b(within (hours|minutes|days)|hours to days|almost immediately|within just a few hours|within the first few days)\b", RegexOptions.IgnoreCase)]
    internal static partial Regex Speed();

    [GeneratedRegex(@"^\W*(what\s*(is|are|'s|s)\b(?!.*\b(like|best|happen))|what (kind|type|sort) of|what does .* mean|define\b|meaning of)", RegexOptions.IgnoreCase)]
    internal static partial Regex DefinitionQuestion();

    [GeneratedRegex(@"\b(is|are) (a|an|classified as|known as|primarily|traditionally|originally)\b|\b(refers to|is called|a process known as|—the)\b|—the ", RegexOptions.IgnoreCase)]
    internal static partial Regex Definition();

    [GeneratedRegex(@"\b(what else|what other|which other|besides|other than|apart from|as well as what|the (main|key|top|biggest|most common|common|different))\b", RegexOptions.IgnoreCase)]
    internal static partial Regex ListQuestion();

    [GeneratedRegex(@"^\W*(why|how (does|do|can|could|would) .*\b(work|help|affect)|what makes)", RegexOptions.IgnoreCase)]
    internal static partial Regex ReasonQuestion();

    [GeneratedRegex(@"\b(because|due to|works by|by targeting|by blocking|which plays|which allows|allows (the|for)|so that|this causes|this allows|plays a crucial role|contributes to)\b", RegexOptions.IgnoreCase)]
    internal static partial Regex Reason();

    [GeneratedRegex(@"\b(this (article|guide|blog post|post) (aims|will|explains)|we[’']ll (explore|delve|walk|address|look)|we will (explore|delve|address)|keep reading|let[’']s walk through|by the end, you[’']ll|this guide aims)", RegexOptions.IgnoreCase)]
    internal static partial Regex AboutTheArticle();
}
