using System.Text.Json.Nodes;
using FaqBot.Answering;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Conversation;

public sealed class TurnHandlerTests : IDisposable
{
    private readonly TurnHarness _bot = new();

    public void Dispose() => _bot.Dispose();

    [Fact]
    public async Task Welcome_says_what_it_is_names_emergency_numbers_and_offers_starters()
    {
        var result = await _bot.SendAsync(new Activity
        {
            Type = ActivityTypes.ConversationUpdate,
            Recipient = ConversationService.Bot,
            MembersAdded = [ConversationService.Bot, new ChannelAccount("dl_patient", Role: RoleTypes.User)],
        });

        var welcome = TurnHarness.Message(result);
        Assert.Equal(Outcomes.Smalltalk, result.Outcome);
        Assert.Contains("988", welcome.Text, StringComparison.Ordinal);
        Assert.Contains("911", welcome.Text, StringComparison.Ordinal);
        Assert.Contains(_bot.Clinic.Name, welcome.Text, StringComparison.Ordinal);
        Assert.InRange(TurnHarness.Buttons(result).Count, 3, 4);
        Assert.All(TurnHarness.Buttons(result), b => Assert.Equal(ActionTypes.ImBack, b.Type));
    }

    [Fact]
    public async Task Starter_questions_are_all_answered_from_the_articles()
    {
        var welcome = await _bot.SendAsync(new Activity { Type = ActivityTypes.ConversationUpdate, MembersAdded = [new ChannelAccount("dl_patient", Role: RoleTypes.User)] });
        foreach (var button in TurnHarness.Buttons(welcome))
        {
            var answer = await _bot.SayAsync(button.Value);
            Assert.True(answer.Outcome == Outcomes.Answer, $"starter '{button.Value}' -> {answer.Outcome}");
        }
    }

    [Fact]
    public async Task An_answer_is_a_markdown_activity_with_citations_feedback_and_an_input_hint()
    {
        var result = await _bot.SayAsync("can I drive afterward?");

        Assert.Equal(Outcomes.Answer, result.Outcome);
        var reply = TurnHarness.Message(result);
        Assert.Equal("markdown", reply.TextFormat);
        Assert.Equal(InputHints.AcceptingInput, reply.InputHint);
        Assert.Contains("[1]: cite:1 ", reply.Text, StringComparison.Ordinal);
        var entity = Assert.Single(reply.Entities!);
        Assert.Equal("https://schema.org/Message", entity["type"]!.GetValue<string>());
        Assert.Equal("", entity["@id"]!.GetValue<string>());
        var claim = entity["citation"]![0]!;
        Assert.Equal(1, claim["position"]!.GetValue<int>());
        Assert.Equal(result.Citations[0].Passage, claim["text"]!.GetValue<string>());
        Assert.Contains($"**{result.Citations[0].Passage.Replace("\n", " ", StringComparison.Ordinal)}**", claim["appearance"]!["text"]!.GetValue<string>(), StringComparison.Ordinal); // the popup: the passage inside its paragraph
        var actions = entity["potentialAction"]!.AsArray().Select(a => a!["@type"]!.GetValue<string>()).ToList();
        Assert.Equal(["LikeAction", "DislikeAction"], actions);
    }

    [Theory]
    [InlineData("I feel like ending it all tonight", EscalationReasons.Crisis)]
    [InlineData("i took a whole bottle of my pills", EscalationReasons.Crisis)]
    [InlineData("my chest hurts and i cant breathe after the infusion", EscalationReasons.Emergency)]
    public async Task Crisis_gets_the_crisis_lines_the_clinic_number_and_an_urgent_escalation(string text, string reason)
    {
        var result = await _bot.SayAsync(text);

        Assert.Equal(Outcomes.Crisis, result.Outcome);
        Assert.Equal(reason, result.Reason);
        var reply = TurnHarness.Message(result);
        Assert.Contains("988", reply.Text, StringComparison.Ordinal);
        Assert.Contains("911", reply.Text, StringComparison.Ordinal);
        Assert.Contains(TurnHarness.ClinicPhone, reply.Text, StringComparison.Ordinal);
        Assert.Equal(HandoffState.Queued, result.State.Handoff);
        Assert.Equal(TestPaths.Reasons.Get(EscalationReasons.Crisis).Priority, result.State.Escalation!.Priority);
        Assert.Contains(result.Replies, r => r.Type == ActivityTypes.Event && r.Name == HandoffEvents.InitiateName);
        Assert.Contains(TurnHarness.CardButtons(result), b => b.Url == "tel:988");
        Assert.Contains(TurnHarness.CardButtons(result), b => b.Url == "sms:988");
        Assert.Contains(TurnHarness.CardButtons(result), b => b.Url == "tel:911");
        Assert.Contains(TurnHarness.CardButtons(result), b => b.Url == "tel:5553217788");
    }

    [Fact]
    public async Task Crisis_while_queued_raises_priority_and_still_gets_the_crisis_response()
    {
        await _bot.SayAsync("I want to talk to a real person");
        Assert.Equal(HandoffState.Queued, _bot.State.Handoff);
        var before = _bot.State.Escalation!.Priority;

        var result = await _bot.SayAsync("honestly i dont want to be alive anymore");

        Assert.Equal(Outcomes.Crisis, result.Outcome);
        Assert.Equal(HandoffState.Queued, result.State.Handoff);
        Assert.True(result.State.Escalation!.Priority > before);
        Assert.Equal(EscalationReasons.Crisis, result.State.Escalation.Reason);
    }

    [Fact]
    public async Task With_staff_the_bot_is_quiet_but_the_safety_screen_still_runs()
    {
        _bot.State = _bot.State with
        {
            Handoff = HandoffState.WithStaff,
            Owner = new StaffRef("staff-1", "Sam"),
            Escalation = new Escalation(EscalationReasons.AskForPerson, TestPaths.Reasons.Get(EscalationReasons.AskForPerson).Priority, DateTimeOffset.UtcNow),
        };

        var ordinary = await _bot.SayAsync("can I drive afterward?");
        Assert.Empty(ordinary.Replies);
        Assert.Equal(Outcomes.None, ordinary.Outcome);

        var crisis = await _bot.SayAsync("i want to kill myself");
        Assert.Equal(Outcomes.Crisis, crisis.Outcome);
        Assert.Contains("988", TurnHarness.Message(crisis).Text, StringComparison.Ordinal);
        Assert.Equal(HandoffState.WithStaff, crisis.State.Handoff);
        Assert.Equal(new StaffRef("staff-1", "Sam"), crisis.State.Owner);
        Assert.Equal(TestPaths.Reasons.Get(EscalationReasons.Crisis).Priority, crisis.State.Escalation!.Priority);
    }

    [Fact]
    public async Task A_question_about_suicidal_thoughts_gets_its_answer_and_a_crisis_footer()
    {
        var result = await _bot.SayAsync("can ketamine help with suicidal thoughts?");

        Assert.Equal(Outcomes.Answer, result.Outcome);
        Assert.Equal(HandoffState.Bot, result.State.Handoff);
        Assert.Contains("988", TurnHarness.Message(result).Text, StringComparison.Ordinal);
        Assert.Contains(result.Citations, c => c.Passage.Contains("suicidal", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_question_about_overdose_the_articles_miss_still_gets_the_crisis_lines()
    {
        var result = await _bot.SayAsync("what happens if you overdose on ketamine");

        Assert.Equal(Outcomes.Fallback, result.Outcome);
        Assert.Equal(HandoffState.Bot, result.State.Handoff);
        Assert.Contains("988", TurnHarness.Message(result).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Someone_in_danger_at_home_gets_the_crisis_response()
    {
        var result = await _bot.SayAsync("my husband hit me again last night");

        Assert.Equal(Outcomes.Crisis, result.Outcome);
        Assert.Contains("911", TurnHarness.Message(result).Text, StringComparison.Ordinal);
        Assert.Equal(HandoffState.Queued, result.State.Handoff);
    }

    [Theory]
    [InlineData("hello", Outcomes.Smalltalk)]
    [InlineData("thanks so much!", Outcomes.Smalltalk)]
    [InlineData("bye", Outcomes.Smalltalk)]
    [InlineData("what can you do?", Outcomes.Smalltalk)]
    [InlineData("what's the weather going to be like tomorrow", Outcomes.Fallback)]
    public async Task Smalltalk_and_chatter_get_polite_replies(string text, string outcome)
    {
        var result = await _bot.SayAsync(text);
        Assert.Equal(outcome, result.Outcome);
        Assert.False(string.IsNullOrWhiteSpace(TurnHarness.Message(result).Text));
        Assert.Empty(result.Citations);
    }

    [Theory]
    [InlineData("can I speak to a human please", EscalationReasons.AskForPerson)]
    [InlineData("can someone call me", EscalationReasons.AskForPerson)]
    [InlineData("how much does an infusion cost?", "cost")]
    [InlineData("do you take my insurance", "insurance")]
    [InlineData("I need to reschedule my appointment", "booking")]
    [InlineData("what dose of ketamine should I take", "personal-medical")]
    [InlineData("I'm pregnant, is it safe for me?", "personal-medical")]
    public async Task Asking_for_a_person_and_staff_only_topics_hand_off_with_a_reason(string text, string reason)
    {
        var result = await _bot.SayAsync(text);

        Assert.Equal(Outcomes.Handoff, result.Outcome);
        Assert.Equal(reason, result.Reason);
        Assert.Equal(HandoffState.Queued, result.State.Handoff);
        Assert.Equal(reason, result.State.Escalation!.Reason);
        Assert.Empty(result.Citations);
    }

    [Fact]
    public async Task The_callback_dialogue_takes_the_patients_answers_but_never_before_the_safety_screen()
    {
        _bot.State = _bot.State with
        {
            Handoff = HandoffState.Queued,
            Escalation = new Escalation(EscalationReasons.AskForPerson, TestPaths.Reasons.Get(EscalationReasons.AskForPerson).Priority, DateTimeOffset.UtcNow),
            Pending = PendingPrompts.CallbackName,
            Callback = new CallbackDraft(),
        };

        var name = await _bot.SayAsync("Alex");
        Assert.Equal(Outcomes.Handoff, name.Outcome);
        Assert.Equal("Alex", name.State.Callback!.Name);
        Assert.Equal(PendingPrompts.CallbackContact, name.State.Pending);

        var crisis = await _bot.SayAsync("i want to kill myself");
        Assert.Equal(Outcomes.Crisis, crisis.Outcome);
        Assert.Contains("988", TurnHarness.Message(crisis).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task First_miss_suggests_three_questions_second_miss_offers_a_person_who_is_queued_on_yes()
    {
        var first = await _bot.SayAsync("do you have a recommendation for a good dog groomer");
        Assert.Equal(Outcomes.Fallback, first.Outcome);
        Assert.Equal(3, TurnHarness.Buttons(first).Count);

        var second = await _bot.SayAsync("what is the airspeed velocity of a swallow");
        Assert.Equal(Outcomes.Fallback, second.Outcome);
        Assert.Equal(2, TurnHarness.Buttons(second).Count);
        Assert.Equal(new PendingPrompt.OfferPerson(EscalationReasons.RepeatedMiss), second.State.Pending);

        var yes = await _bot.SayAsync(TurnHarness.Buttons(second)[0].Value);
        Assert.Equal(Outcomes.Handoff, yes.Outcome);
        Assert.Equal(EscalationReasons.RepeatedMiss, yes.State.Escalation!.Reason);
        Assert.Equal(HandoffState.Queued, yes.State.Handoff);
    }

    [Fact]
    public async Task A_hit_resets_the_miss_count_and_no_after_an_offer_keeps_the_bot()
    {
        await _bot.SayAsync("do you have a recommendation for a good dog groomer");
        await _bot.SayAsync("can I drive afterward?");
        Assert.Equal(0, _bot.State.ConsecutiveMisses);

        await _bot.SayAsync("do you have a recommendation for a good dog groomer");
        var offer = await _bot.SayAsync("what is the airspeed velocity of a swallow");
        var no = await _bot.SayAsync(TurnHarness.Buttons(offer)[1].Value);
        Assert.Equal(HandoffState.Bot, no.State.Handoff);
        Assert.Null(no.State.Pending);
    }

    [Fact]
    public async Task A_short_follow_up_is_answered_in_the_context_of_the_previous_question()
    {
        var alone = await new TurnHarness().SayAsync("how long does that last?");
        var first = await _bot.SayAsync("can ketamine make you nauseous?");
        Assert.Equal(Outcomes.Answer, first.Outcome);

        var followUp = await _bot.SayAsync("how long does that last?");

        Assert.Equal(Outcomes.Answer, followUp.Outcome);
        Assert.Contains("nausea", followUp.Citations[0].Passage, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("nausea", alone.Citations.Count > 0 ? alone.Citations[0].Passage : "", StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Thumbs_up_is_stored_quietly_thumbs_down_is_stored_and_offers_a_person()
    {
        var answer = await _bot.SayAsync("can I drive afterward?");
        var reply = TurnHarness.Message(answer);

        var like = await _bot.SendAsync(TurnHarness.FeedbackEvent(reply, "LikeAction"));
        Assert.Empty(like.Replies);
        Assert.Equal("like", like.Feedback!.Reaction);
        Assert.Equal("can I drive afterward?", like.Feedback.Question);
        // What it quoted is read from the stored reply by ConversationService (DirectLineRestTests covers it).
        Assert.Equal(Outcomes.Answer, like.Feedback.Outcome);

        var dislike = await _bot.SendAsync(TurnHarness.FeedbackEvent(reply, "DislikeAction"));
        Assert.Equal("dislike", dislike.Feedback!.Reaction);
        Assert.Equal(2, TurnHarness.Buttons(dislike).Count);

        var yes = await _bot.SayAsync(TurnHarness.Buttons(dislike)[0].Value);
        Assert.Equal(Outcomes.Handoff, yes.Outcome);
        Assert.Equal(EscalationReasons.ThumbsDown, yes.State.Escalation!.Reason);
    }

    [Fact]
    public async Task Feedback_that_is_not_ours_is_ignored()
    {
        var result = await _bot.SendAsync(new Activity
        {
            Type = ActivityTypes.Event,
            Name = TurnHandler.FeedbackEventName,
            Entities = [new JsonObject { ["@type"] = "LikeAction", ["@id"] = "urn:other:thing" }],
        });
        Assert.Empty(result.Replies);
        Assert.Null(result.Feedback);
    }

    [Fact]
    public async Task Two_close_sections_become_did_you_mean_buttons_and_a_choice_answers_from_that_section()
    {
        var folder = Path.Combine(TestPaths.TempRoot, Guid.NewGuid().ToString("N"), "knowledge");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "a.md"), "---\ntitle: \"Garden A\"\nsource: test\nreviewed: 2026-11-01\n---\n\n## Zebras\n\nZebras visit the garden in spring.\n");
        File.WriteAllText(Path.Combine(folder, "b.md"), "---\ntitle: \"Garden B\"\nsource: test\nreviewed: 2026-11-01\n---\n\n## Giraffes\n\nGiraffes visit the garden in autumn.\n");
        // How close is "close" is calibrated on the real articles; this two-sentence corpus widens the band.
        using var bot = new TurnHarness(folder, configureSearch: search => { search.ClarifyMargin = 0.2; search.ClarifyCeiling = 1.0; });

        var result = await bot.SayAsync("do zebras or giraffes visit the garden");

        Assert.Equal(Outcomes.Clarify, result.Outcome);
        var buttons = TurnHarness.Buttons(result);
        Assert.Equal(["Giraffes", "Zebras"], buttons.Select(b => b.Title).Order());
        Assert.All(buttons, b => Assert.Equal(ActionTypes.MessageBack, b.Type));

        var chosen = buttons.Single(b => b.Title == "Giraffes");
        var answer = await bot.SendAsync(new Activity { Type = ActivityTypes.Message, Text = chosen.Text, Value = JsonNode.Parse(chosen.Value) });
        Assert.Equal(Outcomes.Answer, answer.Outcome);
        Assert.Equal("Giraffes visit the garden in autumn.", answer.Citations.Single().Passage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task An_empty_message_gets_a_clear_reply(string text)
    {
        var result = await _bot.SayAsync(text);
        Assert.Equal(Outcomes.Fallback, result.Outcome);
        Assert.False(string.IsNullOrWhiteSpace(TurnHarness.Message(result).Text));
    }

    [Fact]
    public async Task A_very_long_message_is_still_safety_screened_then_asked_to_be_shorter()
    {
        var crisis = await _bot.SayAsync(new string('a', 5000) + " i want to end my life");
        Assert.Equal(Outcomes.Crisis, crisis.Outcome);

        var result = await new TurnHarness().SayAsync(string.Concat(Enumerable.Repeat("what does an infusion feel like ", 400)));
        Assert.Equal(Outcomes.Fallback, result.Outcome);
        Assert.Contains("4,000", TurnHarness.Message(result).Text, StringComparison.Ordinal);
    }
}
