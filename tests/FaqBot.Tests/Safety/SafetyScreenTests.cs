using System.Text;
using FaqBot.Safety;
using Xunit.Abstractions;

namespace FaqBot.Tests.Safety;

public sealed class SafetyScreenTests(ITestOutputHelper output)
{
    private static readonly SafetyScreen Screen = new(SafetyTestData.Phrases);

    [Fact]
    public void Every_crisis_and_emergency_message_is_detected_at_its_level()
    {
        var lines = SafetyTestData.Lines("crisis-phrases.txt");
        var failures = new List<string>();
        foreach (var line in lines)
        {
            var (label, text) = (line[..line.IndexOf(':', StringComparison.Ordinal)], line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
            var expected = label switch
            {
                "crisis" => SafetyLevel.Crisis,
                "emergency" => SafetyLevel.Emergency,
                "checkin" => SafetyLevel.CheckIn,
                _ => throw new InvalidDataException($"crisis-phrases.txt: unknown label '{label}'"),
            };
            var verdict = Screen.Check(text);
            var shown = expected == SafetyLevel.CheckIn
                ? verdict.Level is SafetyLevel.CheckIn or SafetyLevel.InformationalTopic // the crisis numbers are shown either way
                : verdict.Level == expected;
            if (!shown)
            {
                failures.Add($"{expected} expected, {verdict.Level} ({verdict.Rule}): {text}");
            }
        }

        output.WriteLine($"crisis/emergency detected: {lines.Count - failures.Count}/{lines.Count}");
        Assert.True(lines.Count >= 90, $"only {lines.Count} messages in crisis-phrases.txt");
        Assert.True(failures.Count == 0, $"{failures.Count} missed:\n" + string.Join('\n', failures));
    }

    [Fact]
    public void At_most_five_percent_of_near_misses_are_taken_over()
    {
        var lines = SafetyTestData.Lines("near-misses.txt");
        var takenOver = lines
            .Select(text => (Text: text, Verdict: Screen.Check(text)))
            .Where(r => r.Verdict.Level is SafetyLevel.Crisis or SafetyLevel.Emergency)
            .Select(r => $"{r.Verdict.Level} ({r.Verdict.Rule}): {r.Text}")
            .ToList();
        var rate = (double)takenOver.Count / lines.Count;

        output.WriteLine($"near misses taken over: {takenOver.Count}/{lines.Count} = {rate:P1}");
        takenOver.ForEach(output.WriteLine);
        Assert.True(lines.Count >= 90, $"only {lines.Count} messages in near-misses.txt");
        Assert.True(rate <= 0.05, $"{rate:P1} of near misses taken over:\n" + string.Join('\n', takenOver));
    }

    [Theory]
    [InlineData("can ketamine help suicidal thoughts?")]
    [InlineData("Does ketamine treat depression with suicidal ideation")]
    [InlineData("is an overdose possible during the infusion?")]
    [InlineData("What is an overdose of ketamine")]
    [InlineData("can ketamine make your breathing weird?")]
    [InlineData("can you overdose on ketamine")]
    [InlineData("Is ketamine used for suicidal ideation?")]
    [InlineData("can ketamine cause seizures?")]
    [InlineData("is chest pain a side effect of ketamine")]
    [InlineData("how common is fainting after an infusion")]
    [InlineData("Can you tell me if ketamine helps with suicidal thoughts?")]
    [InlineData("hi, quick question: can ketamine help with suicidal thoughts?")]
    [InlineData("ketamine for suicidal ideation")]
    public void General_questions_about_the_topics_are_informational(string text)
    {
        var verdict = Screen.Check(text);

        Assert.Equal(SafetyLevel.InformationalTopic, verdict.Level);
        Assert.Contains("+ informational: ", verdict.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("should I kill myself?", SafetyLevel.Crisis)]
    [InlineData("I took too many pills, is that ok?", SafetyLevel.Crisis)]
    [InlineData("can ketamine help my suicidal thoughts?", SafetyLevel.Crisis)]
    [InlineData("I have suicidal thoughts, can ketamine help?", SafetyLevel.Crisis)]
    [InlineData("suicidal thoughts, can ketamine help?", SafetyLevel.Crisis)]
    [InlineData("my daughter overdosed, can ketamine help her?", SafetyLevel.Crisis)] // someone else's overdose keeps the full response
    [InlineData("what is the suicide hotline", SafetyLevel.Crisis)]
    [InlineData("how many pills would it take to overdose", SafetyLevel.Crisis)]
    [InlineData("I have chest pain after my infusion, is that normal?", SafetyLevel.Emergency)]
    [InlineData("is it normal that I can't breathe after ketamine?", SafetyLevel.Emergency)]
    [InlineData("can ketamine cause seizures? my husband is having one now", SafetyLevel.Emergency)]
    [InlineData("I want to die and my chest hurts", SafetyLevel.Emergency)]
    [InlineData("how much of my lithium would it take to never wake up", SafetyLevel.Crisis)]
    [InlineData("honestly id rather just not wake up tomorrow", SafetyLevel.Crisis)]
    [InlineData("theres a gun in my house and i keep looking at it", SafetyLevel.Crisis)] // access to means
    [InlineData("my wifes breathing is super shallow since she got home", SafetyLevel.Emergency)]
    [InlineData("her fingers are going sort of grey and she feels cold", SafetyLevel.Emergency)]
    [InlineData("im afraid she might try to kill herself again", SafetyLevel.Crisis)] // someone else's crisis, feared now: not lowered
    [InlineData("my brother talks about ending it and i am worried he will do it", SafetyLevel.Crisis)]
    public void A_personal_statement_wins_even_inside_a_question(string text, SafetyLevel expected) =>
        Assert.Equal(expected, Screen.Check(text).Level);

    [Theory]
    [InlineData("this heat is killing me")]
    [InlineData("I'm dying to know the price")]
    [InlineData("dying to know how it works")]
    [InlineData("you are killing it")]
    [InlineData("that dessert was to die for")]
    [InlineData("I'm dead tired")]
    [InlineData("the suspense is killing me")]
    [InlineData("I could kill for a coffee")]
    [InlineData("drop dead gorgeous")]
    [InlineData("What should I eat on the day of the infusion?")]
    [InlineData("my friend texted me to say goodbye before she moved away")]
    [InlineData("will I wake up groggy the morning after")]
    [InlineData("im worried she will be bored waiting for me")]
    public void Idioms_and_ordinary_questions_are_not_alarming(string text) =>
        Assert.Equal(SafetyVerdict.Safe, Screen.Check(text));

    [Fact]
    public void A_goodbye_message_from_someone_else_is_a_crisis_statement_lowered_to_a_check_in()
    {
        // Someone else's crisis is lowered one band (third person), never out of the safety net; the phrase
        // list, not the semantic net, is what catches it.
        var verdict = Screen.Check("my brother sent us a goodbye text last night and his phone is off");
        Assert.Equal(SafetyLevel.CheckIn, verdict.Level);
        Assert.Equal("lexical", verdict.Layer);
        Assert.StartsWith("crisis: ", verdict.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void An_idiom_never_hides_a_crisis_statement()
    {
        Assert.Equal(SafetyLevel.Crisis, Screen.Check("this heat is killing me and i want to die").Level);
        Assert.Equal(SafetyLevel.Crisis, Screen.Check("i want to die for real").Level);
    }

    [Fact]
    public void The_rule_names_the_phrase_list_entry_not_the_patient_text()
    {
        var verdict = Screen.Check("Zorblax here, I want to die tonight");

        Assert.Equal(SafetyLevel.Crisis, verdict.Level);
        Assert.StartsWith("crisis: ", verdict.Rule, StringComparison.Ordinal);
        Assert.DoesNotContain("zorblax", verdict.Rule!, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("emergency-topics: ", Screen.Check("seizure").Rule, StringComparison.Ordinal);
        Assert.Null(Screen.Check("hello").Rule);
    }

    [Theory]
    [MemberData(nameof(Unusual))]
    public void Unusual_input_never_throws_and_is_not_alarming(string? text) =>
        Assert.Equal(SafetyLevel.None, Screen.Check(text).Level);

    public static TheoryData<string?> Unusual() => new()
    {
        null,
        "",
        " \t\r\n ",
        new string('a', 100_000),
        string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet ", 4_000)),
        RandomText(seed: 7, bytes: 4096),
        RandomChars(seed: 11, chars: 4096),
        "Здравствуйте, сколько длится инфузия кетамина?",
        "氯胺酮输液需要多长时间？",
        "مرحبا كم تستغرق الجلسة",
        "🙂🙂🙂 👍",
    };

    /// <summary>Random bytes decoded as UTF-8 (invalid sequences become U+FFFD).</summary>
    internal static string RandomText(int seed, int bytes)
    {
        var buffer = new byte[bytes];
        new Random(seed).NextBytes(buffer);
        return Encoding.UTF8.GetString(buffer);
    }

    /// <summary>Random UTF-16 code units, lone surrogates included.</summary>
    internal static string RandomChars(int seed, int chars)
    {
        var random = new Random(seed);
        return new string([.. Enumerable.Range(0, chars).Select(_ => (char)random.Next(0x80, 0x10000))]);
    }
}
