using FaqBot.Conversation.Intents;

namespace FaqBot.Tests.Safety;

public sealed class IntentClassifierTests
{
    private static readonly IntentClassifier Classifier = new(SafetyTestData.Phrases);

    [Theory]
    [InlineData("hi", IntentKind.Greeting)]
    [InlineData("hello there!", IntentKind.Greeting)]
    [InlineData("Hey", IntentKind.Greeting)]
    [InlineData("good morning", IntentKind.Greeting)]
    [InlineData("hi, how are you?", IntentKind.Greeting)]
    [InlineData("thanks so much", IntentKind.Thanks)]
    [InlineData("Thank you!", IntentKind.Thanks)]
    [InlineData("thx", IntentKind.Thanks)]
    [InlineData("thanks for the help", IntentKind.Thanks)]
    [InlineData("great, that's helpful", IntentKind.Thanks)]
    [InlineData("ok thanks", IntentKind.Affirm)]
    [InlineData("bye", IntentKind.Goodbye)]
    [InlineData("goodbye!", IntentKind.Goodbye)]
    [InlineData("thanks, bye", IntentKind.Goodbye)]
    [InlineData("see you later", IntentKind.Goodbye)]
    [InlineData("have a nice day", IntentKind.Goodbye)]
    [InlineData("what can you do?", IntentKind.Help)]
    [InlineData("help", IntentKind.Help)]
    [InlineData("hi, what can you help me with?", IntentKind.Help)]
    [InlineData("how does this work", IntentKind.Help)]
    [InlineData("yes", IntentKind.Affirm)]
    [InlineData("Sure", IntentKind.Affirm)]
    [InlineData("yes please", IntentKind.Affirm)]
    [InlineData("ok", IntentKind.Affirm)]
    [InlineData("please", IntentKind.Affirm)]
    [InlineData("yeah sure thanks", IntentKind.Affirm)]
    [InlineData("no", IntentKind.Deny)]
    [InlineData("No thanks", IntentKind.Deny)]
    [InlineData("no thank you", IntentKind.Deny)]
    [InlineData("nope, I'm good", IntentKind.Deny)]
    [InlineData("not now", IntentKind.Deny)]
    public void A_message_that_is_only_small_talk_is_small_talk(string text, IntentKind expected) =>
        Assert.Equal(new Intent(expected), Classifier.Classify(text));

    [Theory]
    [InlineData("hi, can I drive afterward?")]
    [InlineData("hello, what should I eat before the infusion?")]
    [InlineData("thanks! and how long does it last?")]
    [InlineData("yes, and what about nausea?")]
    [InlineData("What will I feel during the infusion?")]
    [InlineData("Is it safe to drive after treatment?")]
    [InlineData("How long is an infusion session?")]
    [InlineData("Can ketamine cause nausea?")]
    [InlineData("What should I eat on the day of the infusion?")]
    [InlineData("How quickly does ketamine work?")]
    [InlineData("What is a maintenance infusion?")]
    [InlineData("What is the NMDA receptor?")]
    [InlineData("What should I bring to my appointment?")]
    [InlineData("Can I have coffee before my infusion?")]
    [InlineData("How will I feel the next day?")]
    [InlineData("Can ketamine treat OCD?")]
    [InlineData("Will my heart rate be checked?")]
    [InlineData("What helps with recovery after treatment?")]
    [InlineData("Does ketamine work faster than SSRIs?")]
    [InlineData("what are the side effects?")]
    [InlineData("how is the dosage calculated?")]
    [InlineData("how many infusions will I need")]
    [InlineData("can I keep my eyes closed during the treatment")]
    [InlineData("what are the success rates of ketamine")]
    [InlineData("should I talk to my doctor before starting ketamine?")]
    [InlineData("is ketamine available as a nasal spray")]
    [InlineData("does a staff member stay with me during the infusion")]
    [InlineData("how are patients treated at the clinic during the infusion")]
    public void Questions_for_the_articles_are_none(string text) =>
        Assert.Equal(Intent.None, Classifier.Classify(text));

    [Theory]
    [InlineData("I need to speak to a nurse")]
    [InlineData("can I talk to a human")]
    [InlineData("real person please")]
    [InlineData("I want to talk to someone")]
    [InlineData("can someone call me?")]
    [InlineData("please call me back")]
    [InlineData("let me speak with one of your doctors")]
    [InlineData("connect me with your staff")]
    [InlineData("I'd like to speak to a representative")]
    [InlineData("is there a person I can chat with")]
    [InlineData("agent please, live agent")]
    [InlineData("can I talk to a nurse about my dose")]
    [InlineData("how much does it cost? I'd rather talk to a person")]
    public void Asking_for_a_person_is_ask_for_person(string text) =>
        Assert.Equal(new Intent(IntentKind.AskForPerson, "ask-for-person"), Classifier.Classify(text));

    [Theory]
    [InlineData("how much does an infusion cost?", "cost")]
    [InlineData("What is the price of treatment?", "cost")]
    [InlineData("what are your fees", "cost")]
    [InlineData("is it expensive?", "cost")]
    [InlineData("I'm dying to know the price", "cost")]
    [InlineData("do you take credit cards", "payment")]
    [InlineData("can I pay with my HSA", "payment")]
    [InlineData("do you offer financing", "payment")]
    [InlineData("do you take insurance?", "insurance")]
    [InlineData("is it covered by Medicare", "insurance")]
    [InlineData("are you in network with Aetna", "insurance")]
    [InlineData("I'd like to book an appointment", "booking")]
    [InlineData("can I reschedule my infusion", "booking")]
    [InlineData("I need to cancel tomorrow", "booking")]
    [InlineData("what's your availability next week", "booking")]
    [InlineData("what are your opening hours", "hours")]
    [InlineData("are you open on Saturdays?", "hours")]
    [InlineData("what time do you close today", "hours")]
    [InlineData("what's your address", "location")]
    [InlineData("where are you located?", "location")]
    [InlineData("directions to the clinic please", "location")]
    [InlineData("Is there parking at the clinic?", "parking")]
    [InlineData("where do I park", "parking")]
    [InlineData("what is your phone number", "contact")]
    [InlineData("how do I contact the clinic", "contact")]
    [InlineData("can I email you my records", "contact")]
    [InlineData("can I take ketamine with my antidepressants", "personal-medical")]
    [InlineData("I'm on lithium, is ketamine ok?", "personal-medical")]
    [InlineData("what dose will I get", "personal-medical")]
    [InlineData("can you raise my dose next time, I felt nothing", "personal-medical")]
    [InlineData("would a stronger dose work better for me", "personal-medical")]
    [InlineData("how many milligrams of ketamine is a normal infusion", "personal-medical")]
    [InlineData("is it like 0.5 mg per kilo or more", "personal-medical")]
    [InlineData("which mg amount would my mom get", "personal-medical")]
    [InlineData("do you dose at 1 mg/kg", "personal-medical")]
    [InlineData("could you prescribe me some ketamine nasal spray", "personal-medical")]
    [InlineData("is my 70 year old mother a candidate for this", "personal-medical")]
    [InlineData("my dad has ptsd, could he be seen by your team", "personal-medical")]
    [InlineData("can i get treated at your clinic if i'm 17", "personal-medical")]
    [InlineData("how much ketamine will they give me", "personal-medical")]
    [InlineData("I'm pregnant, is it safe", "personal-medical")]
    [InlineData("is it safe while breastfeeding", "personal-medical")]
    [InlineData("am I a candidate?", "personal-medical")]
    [InlineData("would I be eligible for ketamine", "personal-medical")]
    [InlineData("do I qualify", "personal-medical")]
    [InlineData("can I get ketamine if I have high blood pressure", "personal-medical")]
    [InlineData("should I stop taking my lexapro before the infusion", "personal-medical")]
    [InlineData("I have been having headaches since my last infusion", "personal-medical")]
    [InlineData("I was diagnosed with bipolar, can I still do this", "personal-medical")]
    public void Staff_only_topics_carry_their_reason(string text, string reason) =>
        Assert.Equal(new Intent(IntentKind.StaffOnly, reason), Classifier.Classify(text));

    [Theory]
    [InlineData("what's the weather like tomorrow")]
    [InlineData("tell me a joke")]
    [InlineData("who won the football game last night")]
    [InlineData("what do you think about the election")]
    public void Chatter_is_out_of_scope(string text) =>
        Assert.Equal(new Intent(IntentKind.OutOfScope), Classifier.Classify(text));

    [Theory]
    [MemberData(nameof(SafetyScreenTests.Unusual), MemberType = typeof(SafetyScreenTests))]
    public void Unusual_input_never_throws_and_is_none(string? text) =>
        Assert.Equal(Intent.None, Classifier.Classify(text));

    [Fact]
    public void Every_test_message_classifies_without_error()
    {
        var messages = SafetyTestData.Lines("crisis-phrases.txt").Concat(SafetyTestData.Lines("near-misses.txt"));

        Assert.All(messages, m => Assert.NotNull(Classifier.Classify(m)));
    }
}
