namespace FaqBot.Safety;

/// <summary>The bands of the safety screen, lowest first.</summary>
public enum SafetyLevel
{
    /// <summary>Nothing alarming: carry on.</summary>
    None,

    /// <summary>A question about suicide, overdose, seizures... in general, with no sign that it is
    /// about the writer or someone they know: answer it, with the crisis line in a short footer.</summary>
    InformationalTopic,

    /// <summary>Ambiguous distress, or crisis language lowered by a modifier (negation, past, third
    /// person, hypothetical, idiom): ask "Are you safe right now?" with the crisis numbers, and
    /// escalate at raised priority.</summary>
    CheckIn,

    /// <summary>Suicidal thoughts or intent, self-harm, overdose: crisis response and urgent handoff.</summary>
    Crisis,

    /// <summary>A medical emergency (chest pain, cannot breathe, seizure, fainting, severe reaction):
    /// emergency response (911) and urgent handoff.</summary>
    Emergency,
}

/// <summary>What the patient answered to "Are you safe right now?".</summary>
public enum CheckInAnswer { Unclear, Safe, NotSafe }

/// <param name="Level">What the message is.</param>
/// <param name="Rule">What decided it, for staff and logs, never the patient's words: the phrases.yaml
/// entry as "list: phrase" (with "lowered by: modifier" when a modifier moved it down a band), or the
/// exemplar category as "exemplar: category"; null for <see cref="SafetyLevel.None"/>.</param>
public sealed record SafetyVerdict(SafetyLevel Level, string? Rule)
{
    public static SafetyVerdict Safe { get; } = new(SafetyLevel.None, null);

    /// <summary>"lexical" (phrases.yaml) or "semantic" (crisis-exemplars.yaml); null when nothing matched.</summary>
    public string? Layer { get; init; }

    /// <summary>An overdose or poisoning: the crisis response adds Poison Control.</summary>
    public bool Poisoning { get; init; }
}

/// <summary>
/// Screens every message, before anything else, in two layers:
/// <list type="number">
/// <item><b>Lexical</b> (phrases.yaml, always wins). <c>emergency</c> and <c>crisis</c> statements
/// count wherever they appear, also inside a question ("should I kill myself?"). <c>emergency-topics</c>
/// and <c>crisis-topics</c> (seizure, suicide...) are looked for after blanking out idioms
/// (<c>ignore</c>); a topic is <see cref="SafetyLevel.InformationalTopic"/> only in a general
/// question (an <c>informational</c> form opens the message and no <c>personal</c> word appears), or
/// in a question about what to expect (an <c>expectation</c> form such as "will I" opens it) about an
/// emergency topic or about the treatment. <b>Modifiers</b> move a match down ONE band, to
/// <see cref="SafetyLevel.CheckIn"/>, never out: a <c>negation</c> just before it ("not thinking of
/// hurting myself"; <c>not-negation</c> such as "can't promise I won't" does not count), a
/// <c>past</c> time with no <c>present</c> one, a <c>third-person</c> subject (crisis only: someone
/// else's emergency stays an emergency, and so does someone else's crisis when an <c>urgent</c> phrase
/// says it is happening now or a <c>plea</c> asks what to do; an <c>urgent</c> phrase, not a plea, also keeps
/// a past time from lowering), <c>hypothetical</c> or academic talk, and <c>idiom</c> or
/// gaming context, and <c>laughter</c> for a bare topic word only ("gonna kill me lol"; never for a statement, "lol i
/// just tried to hang myself"); none of these when an <c>earnest</c> phrase takes the joke back: "no but seriously".
/// Precedence: emergency statement, personal emergency topic, crisis statement, personal crisis topic;
/// the first match that no modifier lowers decides.</item>
/// <item><b>Semantic</b> (<see cref="SemanticSafetyNet"/>, optional): when the lexical layer found
/// nothing, a message close to the crisis exemplars (and not to the near misses) gets a check-in,
/// unless a modifier other than negation lowers it back to none. It never clears a lexical verdict.</item>
/// </list>
/// Immutable and thread-safe.
/// </summary>
public sealed partial class SafetyScreen(PhraseBook phrases, SemanticSafetyNet? semantic = null)
{
    /// <summary>A question form counts only when it starts the message: within its first words
    /// ("hi, quick question: can ketamine...") and before the topic.</summary>
    private const int QuestionStartsWithin = 4;

    /// <summary>One or two words carry too little meaning for the sentence model ("bye", "ok thanks"):
    /// the semantic layer reads messages of at least this many words; explicit short forms ("kms",
    /// "suicidal") are the lexical layer's.</summary>
    private const int SemanticMinWords = 3;

    /// <summary>A negation counts when it ends at most this many words before the match ("no way would I ever").</summary>
    private const int NegationWindow = 3;

    /// <summary>A third-person subject counts when it stands at most this many words before the match.</summary>
    private const int SubjectWindow = 4;

    private static readonly string[] FirstPerson = ["i", "me", "my", "myself", "mine"];
    private static readonly string[] ThirdPersonReflexive = ["himself", "herself", "themselves", "themself"];

    private readonly PhraseBook _phrases = phrases;
    private readonly PhraseList _emergency = phrases["emergency"];
    private readonly PhraseList _crisis = phrases["crisis"];
    private readonly PhraseList _ignore = phrases["ignore"];
    private readonly PhraseList _emergencyTopics = phrases["emergency-topics"];
    private readonly PhraseList _crisisTopics = phrases["crisis-topics"];
    private readonly PhraseList _informational = phrases["informational"];
    private readonly PhraseList _personal = phrases["personal"];
    private readonly PhraseList _notPersonal = phrases["not-personal"];
    private readonly PhraseList _poisoning = phrases["poisoning"];
    private readonly PhraseList _notCrisis = phrases["not-crisis"];
    private readonly PhraseList _negation = phrases["negation"];
    private readonly PhraseList _notNegation = phrases["not-negation"];
    private readonly PhraseList _past = phrases["past"];
    private readonly PhraseList _present = phrases["present"];
    private readonly PhraseList _urgent = phrases["urgent"];
    private readonly PhraseList _plea = phrases["plea"];
    private readonly PhraseList _thirdPerson = phrases["third-person"];
    private readonly PhraseList _hypothetical = phrases["hypothetical"];
    private readonly PhraseList _idiom = phrases["idiom"];
    private readonly PhraseList _earnest = phrases["earnest"];
    private readonly PhraseList _laughter = phrases["laughter"];
    private readonly PhraseList _expectation = phrases["expectation"];
    private readonly PhraseList _treatment = phrases["treatment"];
    private readonly PhraseList _safeAnswer = phrases["checkin-safe"];
    private readonly PhraseList _unsafeAnswer = phrases["checkin-unsafe"];

    /// <summary>The semantic layer, when configured.</summary>
    public SemanticSafetyNet? Semantic { get; } = semantic;

    /// <summary>
    /// Both layers: the lexical verdict, or when it found nothing, the semantic one. When the sentence model finds nothing
    /// in the whole of a long message, it also reads each of its sentences, and the first that it finds close to the
    /// crisis exemplars gives the check-in: a crisis told in one clause of a question about prices or parking is not
    /// drowned in the reading of the whole. It can add a check-in, never a takeover.
    /// </summary>
    public SafetyVerdict Check(string? text)
    {
        var words = _phrases.Words(text);
        var lexical = Lexical(words);
        if (lexical.Level != SafetyLevel.None || Semantic is null || words.Length < SemanticMinWords)
        {
            return lexical;
        }

        var semantic = SemanticVerdict(text!, words);
        if (semantic.Level != SafetyLevel.None)
        {
            return semantic;
        }

        // A long message is read by the sentence model sentence by sentence too: one clause of distress inside a
        // question about prices or parking is lost in the reading of the whole. A short question with a line of
        // context ("will i throw up? i have a super sensitive stomach") is a question: its context is not read alone.
        if (words.Length < QuestionReadBySentenceWords && _informational.LongestAt(words, 0) is { Start: 0 })
        {
            return semantic;
        }

        foreach (var sentence in SentenceEnds().Split(text!).Take(MaxSentencesRead))
        {
            var sentenceWords = _phrases.Words(sentence);
            if (sentenceWords.Length >= SentenceMinWords && sentenceWords.Length < words.Length
                && SemanticVerdict(sentence, sentenceWords) is { Level: not SafetyLevel.None } found)
            {
                return found;
            }
        }

        return semantic;
    }

    /// <summary>At most this many sentences of one message are read one by one (each is one inference of the sentence
    /// model), so a message of hundreds of tiny sentences costs no more than a long letter.</summary>
    private const int MaxSentencesRead = 16;

    /// <summary>A message that opens as a question is read sentence by sentence only from this many words on.</summary>
    private const int QuestionReadBySentenceWords = 20;

    /// <summary>A sentence read on its own has at least this many words: shorter ones ("i worry about my bp") carry
    /// too little for the sentence model, which then finds distress in plain worry.</summary>
    private const int SentenceMinWords = 6;

    /// <summary>Sentence ends: '.', '!', '?' or ';' before a space, or a line break.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=[.!?;])\s+|[\r\n]+")]
    private static partial System.Text.RegularExpressions.Regex SentenceEnds();

    /// <summary>The lexical layer alone (phrases.yaml and its modifiers).</summary>
    public SafetyVerdict CheckLexical(string? text) => Lexical(_phrases.Words(text));

    /// <summary>The semantic layer alone (no lexical verdict; its own modifiers still apply).</summary>
    public SafetyVerdict CheckSemantic(string? text)
    {
        var words = _phrases.Words(text);
        return Semantic is null || words.Length < SemanticMinWords ? SafetyVerdict.Safe : SemanticVerdict(text!, words);
    }

    /// <summary>Reads the answer to "Are you safe right now?": the list whose phrase comes first wins
    /// ("yes I'm safe, no worries" is safe; "no, not really" is not), a tie goes to not safe.</summary>
    public CheckInAnswer ReadCheckInAnswer(string? text)
    {
        var words = _phrases.Words(text);
        var notSafe = _unsafeAnswer.FindFirst(words);
        var safe = _safeAnswer.FindFirst(words);
        return (notSafe, safe) switch
        {
            (null, null) => CheckInAnswer.Unclear,
            (not null, null) => CheckInAnswer.NotSafe,
            (null, not null) => CheckInAnswer.Safe,
            _ => notSafe!.Start <= safe!.Start ? CheckInAnswer.NotSafe : CheckInAnswer.Safe,
        };
    }

    private SafetyVerdict SemanticVerdict(string text, string[] words)
    {
        // A message that opens as a question ("do people find it life changing", "is a glass of wine
        // ok") asks about the treatment: its topic may be near the exemplars', but it is not distress.
        // Questions that are a crisis say so in words the lexical layer knows.
        if (_informational.LongestAt(words, 0) is { Start: 0 })
        {
            return SafetyVerdict.Safe;
        }
        if (Semantic!.Match(text) is not { } match)
        {
            return SafetyVerdict.Safe;
        }

        // One band down from a check-in is none. Negation is left out: it needs a match to sit next to.
        var modifier = MessageModifier(words, SafetyLevel.CheckIn, statement: false);
        return modifier is not null
            ? SafetyVerdict.Safe
            : new SafetyVerdict(SafetyLevel.CheckIn, $"exemplar: {match.Category}")
            {
                Layer = "semantic",
                Poisoning = match.Category == SemanticSafetyNet.PoisoningCategory || _poisoning.FindFirst(words) is not null,
            };
    }

    private SafetyVerdict Lexical(string[] words)
    {
        if (words.Length == 0)
        {
            return SafetyVerdict.Safe;
        }

        // Everyday uses of the lists' words ("I don't want to live in this apartment") never match.
        words = (string[])words.Clone();
        _notCrisis.Mask(words);

        var topicWords = (string[])words.Clone();
        _ignore.Mask(topicWords);
        var emergencyTopic = _emergencyTopics.FindFirst(topicWords);
        var crisisTopic = _crisisTopics.FindFirst(topicWords);
        var topicStart = Math.Min(emergencyTopic?.Start ?? int.MaxValue, crisisTopic?.Start ?? int.MaxValue);
        var question = GeneralQuestion(topicWords, topicStart);
        var expectation = question is null ? ExpectationQuestion(topicWords, topicStart) : null;

        var candidates = new List<(SafetyLevel Level, string List, PhraseMatch Match)>();
        candidates.AddRange(_emergency.FindAll(words).Select(m => (SafetyLevel.Emergency, "emergency", m)));
        if (question is null && (expectation is null || emergencyTopic is null))
        {
            candidates.AddRange(_emergencyTopics.FindAll(topicWords).Select(m => (SafetyLevel.Emergency, "emergency-topics", m)));
        }
        candidates.AddRange(_crisis.FindAll(words).Select(m => (SafetyLevel.Crisis, "crisis", m)));
        var treatmentQuestion = expectation is not null && _treatment.FindFirst(topicWords) is not null;
        if (question is null && !treatmentQuestion)
        {
            candidates.AddRange(_crisisTopics.FindAll(topicWords).Select(m => (SafetyLevel.Crisis, "crisis-topics", m)));
        }

        var poisoning = _poisoning.FindFirst(words) is not null;
        string? firstModifier = null;
        foreach (var (level, list, match) in candidates)
        {
            var modifier = Modifier(words, match, level, statement: list is "crisis" or "emergency");
            if (modifier is null)
            {
                return new SafetyVerdict(level, $"{list}: {match.Phrase.Text}") { Layer = "lexical", Poisoning = poisoning };
            }
            firstModifier ??= modifier;
        }

        if (candidates.Count > 0)
        {
            // A statement ("kill myself") goes down one band to a check-in; a bare topic word
            // ("suicidal", "overdose"), weaker evidence to begin with, goes down to an answer that
            // still carries the crisis lines in its footer: never out of the safety net.
            var (level, list, match) = candidates.FirstOrDefault(c => c.List is "crisis" or "emergency", candidates[0]);
            var lowered = list is "crisis" or "emergency" ? SafetyLevel.CheckIn : SafetyLevel.InformationalTopic;
            return new SafetyVerdict(lowered, $"{list}: {match.Phrase.Text}, lowered by: {firstModifier}") { Layer = "lexical", Poisoning = poisoning };
        }

        if ((emergencyTopic ?? crisisTopic) is not { } topic)
        {
            return SafetyVerdict.Safe;
        }

        var topicList = emergencyTopic is not null ? "emergency-topics" : "crisis-topics";
        var form = question ?? expectation!;
        return new SafetyVerdict(SafetyLevel.InformationalTopic, $"{topicList}: {topic.Phrase.Text} + {(question is not null ? "informational" : "expectation")}: {form.Phrase.Text}")
        {
            Layer = "lexical",
        };
    }

    /// <summary>The modifier that lowers this match one band, or null. Negation looks just before the
    /// match; the others look at the whole message.</summary>
    private string? Modifier(string[] words, PhraseMatch match, SafetyLevel level, bool statement)
    {
        if (Negated(words, match))
        {
            return "negation";
        }
        // Someone else's overdose is their emergency: it keeps the full response (Poison Control, 911).
        // So is someone else's crisis happening now ("my son says he is going to end it tonight") or one the writer asks
        // what to do about ("my son is suicidal, what do I do").
        if (level == SafetyLevel.Crisis && _poisoning.FindFirst(words) is null && _urgent.FindFirst(words) is null && _plea.FindFirst(words) is null
            && ThirdPerson(words, match) is { } subject)
        {
            return $"third-person: {subject}";
        }
        return MessageModifier(words, level, statement);
    }

    /// <summary>Past time (with no present one), hypothetical or academic talk, idiom or gaming; laughter for a bare
    /// topic word or the sentence model's reading, never for a statement ("lol i just tried to hang myself").</summary>
    private string? MessageModifier(string[] words, SafetyLevel level, bool statement)
    {
        if (_past.FindFirst(words) is { } past && _present.FindFirst(words) is null && _urgent.FindFirst(words) is null)
        {
            return $"past: {past.Phrase.Text}";
        }
        // "kms lol. no but seriously": a joke, a laugh or a story taken back lowers nothing.
        if (_earnest.FindFirst(words) is not null)
        {
            return null;
        }
        if (_hypothetical.FindFirst(words) is { } hypothetical)
        {
            return $"hypothetical: {hypothetical.Phrase.Text}";
        }
        if (level != SafetyLevel.Emergency && _idiom.FindFirst(words) is { } idiom)
        {
            return $"idiom: {idiom.Phrase.Text}";
        }
        if (!statement && level != SafetyLevel.Emergency && _laughter.FindFirst(words) is { } laughter)
        {
            return $"laughter: {laughter.Phrase.Text}";
        }
        return null;
    }

    /// <summary>A negation ends within <see cref="NegationWindow"/> words before the match, once the
    /// <c>not-negation</c> phrases ("can't promise I won't", "can't stop") are blanked out.</summary>
    private bool Negated(string[] words, PhraseMatch match)
    {
        if (match.Start == 0)
        {
            return false;
        }
        var masked = (string[])words.Clone();
        _notNegation.Mask(masked);
        for (var i = Math.Max(0, match.Start - NegationWindow - 4); i < match.Start; i++)
        {
            if (_negation.LongestAt(masked, i) is { } negation && negation.End <= match.Start && negation.End >= match.Start - NegationWindow)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Someone else is the subject: a third-person reflexive in the match ("kill herself"), or a
    /// third-person subject just before it with no first-person word in the match ("my brother wants to die").</summary>
    private string? ThirdPerson(string[] words, PhraseMatch match)
    {
        if (match.End < words.Length && FirstPerson.Contains(words[match.End]))
        {
            return null; // "he'd kill me": the writer is the one in danger
        }
        var span = words.AsSpan(match.Start, match.End - match.Start);
        foreach (var word in span)
        {
            if (ThirdPersonReflexive.Contains(word))
            {
                return word;
            }
        }
        foreach (var word in span)
        {
            if (FirstPerson.Contains(word))
            {
                return null;
            }
        }
        var from = Math.Max(0, match.Start - SubjectWindow);
        for (var i = match.Start - 1; i >= from; i--)
        {
            if (_thirdPerson.LongestAt(words, i) is { } subject && subject.End <= match.Start)
            {
                return subject.Phrase.Text;
            }
            if (FirstPerson.Contains(words[i]))
            {
                return null; // "he says I should die": the writer is in it
            }
        }
        return null;
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

    /// <summary>A question about what to expect ("will I black out during the infusion?"): an
    /// <c>expectation</c> form opens the message, before the topic.</summary>
    private PhraseMatch? ExpectationQuestion(string[] topicWords, int topicStart) =>
        topicStart != int.MaxValue && _expectation.FindFirst(topicWords) is { } form && form.Start < topicStart && WordsBefore(topicWords, form.Start) < QuestionStartsWithin
            ? form
            : null;

    /// <summary>Words before <paramref name="end"/>, not counting blanked-out ones ("i was wondering").</summary>
    private static int WordsBefore(string[] words, int end) =>
        end - words.AsSpan(0, end).Count(PhraseList.Masked);
}
