namespace FaqBot.Safety;

public enum SafetyLevel
{
    /// <summary>Nothing alarming: carry on.</summary>
    None,

    /// <summary>A question about suicide, overdose, seizures... in general, with no sign that it is
    /// about the writer or someone they know: answer it, with the crisis line in a short footer.</summary>
    InformationalTopic,

    /// <summary>Suicidal thoughts or intent, self-harm, overdose: crisis response and urgent handoff.</summary>
    Crisis,

    /// <summary>A medical emergency (chest pain, cannot breathe, seizure, fainting, severe reaction):
    /// emergency response (911) and urgent handoff.</summary>
    Emergency,
}

/// <param name="Level">What the message is.</param>
/// <param name="Rule">The phrases.yaml entry that decided it, as "list: phrase" (never the
/// patient's words); null for <see cref="SafetyLevel.None"/>.</param>
public sealed record SafetyVerdict(SafetyLevel Level, string? Rule)
{
    public static SafetyVerdict Safe { get; } = new(SafetyLevel.None, null);
}

/// <summary>
/// Screens every message, before anything else, for a crisis or a medical emergency, with the
/// <c>safety</c> lists of phrases.yaml:
/// <list type="bullet">
/// <item><c>emergency</c> and <c>crisis</c> are statements that count wherever they appear, also
/// inside a question ("should I kill myself?"); idioms never hide them.</item>
/// <item><c>emergency-topics</c> and <c>crisis-topics</c> (seizure, suicide, overdose...) are looked
/// for after blanking out idioms (<c>ignore</c>: "this heat is killing me"). A topic is
/// <see cref="SafetyLevel.InformationalTopic"/> only in a GENERAL QUESTION: an <c>informational</c>
/// form opens the message (within its first 4 words, before the topic) and no <c>personal</c> word
/// (I, my, she...) appears outside the <c>not-personal</c> phrases ("tell me", "I was wondering").
/// Otherwise the topic is an emergency or a crisis: in doubt, escalate.</item>
/// <item>Precedence: emergency statement, personal emergency topic, crisis statement, personal
/// crisis topic, general question (InformationalTopic), None.</item>
/// </list>
/// </summary>
public sealed class SafetyScreen(PhraseBook phrases)
{
    /// <summary>A question form counts only when it starts the message: within its first words
    /// ("hi, quick question: can ketamine...") and before the topic. "suicidal thoughts, can
    /// ketamine help?" leads with the topic and is read as personal.</summary>
    private const int QuestionStartsWithin = 4;

    private readonly PhraseBook _phrases = phrases;
    private readonly PhraseList _emergency = phrases["emergency"];
    private readonly PhraseList _crisis = phrases["crisis"];
    private readonly PhraseList _ignore = phrases["ignore"];
    private readonly PhraseList _emergencyTopics = phrases["emergency-topics"];
    private readonly PhraseList _crisisTopics = phrases["crisis-topics"];
    private readonly PhraseList _informational = phrases["informational"];
    private readonly PhraseList _personal = phrases["personal"];
    private readonly PhraseList _notPersonal = phrases["not-personal"];

    public SafetyVerdict Check(string? text)
    {
        var words = _phrases.Words(text);
        if (words.Length == 0)
        {
            return SafetyVerdict.Safe;
        }
        if (_emergency.FindFirst(words) is { } emergency)
        {
            return Verdict(SafetyLevel.Emergency, emergency);
        }
        var crisis = _crisis.FindFirst(words);

        var topicWords = (string[])words.Clone();
        _ignore.Mask(topicWords);
        var emergencyTopic = _emergencyTopics.FindFirst(topicWords);
        var crisisTopic = _crisisTopics.FindFirst(topicWords);
        var topicStart = Math.Min(emergencyTopic?.Start ?? int.MaxValue, crisisTopic?.Start ?? int.MaxValue);
        var question = GeneralQuestion(topicWords, topicStart);

        if (emergencyTopic is not null && question is null)
        {
            return Verdict(SafetyLevel.Emergency, emergencyTopic, "-topics");
        }
        if (crisis is not null)
        {
            return Verdict(SafetyLevel.Crisis, crisis);
        }
        if ((emergencyTopic ?? crisisTopic) is not { } topic)
        {
            return SafetyVerdict.Safe;
        }
        var list = emergencyTopic is not null ? "emergency-topics" : "crisis-topics";
        return question is not null
            ? new SafetyVerdict(SafetyLevel.InformationalTopic, $"{list}: {topic.Phrase.Text} + informational: {question.Phrase.Text}")
            : Verdict(SafetyLevel.Crisis, topic, "-topics");
    }

    /// <summary>The question form that makes the topic a general question, or null: it opens the
    /// message before the topic, and no personal word stands outside the not-personal phrases.</summary>
    private PhraseMatch? GeneralQuestion(string[] topicWords, int topicStart)
    {
        if (topicStart == int.MaxValue || _informational.FindFirst(topicWords) is not { } question || question.Start >= topicStart)
        {
            return null;
        }
        var personalWords = (string[])topicWords.Clone();
        _notPersonal.Mask(personalWords);
        return WordsBefore(personalWords, question.Start) < QuestionStartsWithin && _personal.FindFirst(personalWords) is null
            ? question
            : null;
    }

    /// <summary>Words before <paramref name="end"/>, not counting blanked-out ones ("i was wondering").</summary>
    private static int WordsBefore(string[] words, int end) =>
        end - words.AsSpan(0, end).Count(PhraseList.Masked);

    private static SafetyVerdict Verdict(SafetyLevel level, PhraseMatch match, string suffix = "") =>
        new(level, $"{(level == SafetyLevel.Emergency ? "emergency" : "crisis")}{suffix}: {match.Phrase.Text}");
}
