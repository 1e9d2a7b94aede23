using FaqBot.Answering;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Tests.Conversation;

using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Safety;

/// <summary>The middle band: "Are you safe right now?" with the crisis numbers, a raised-priority
/// escalation, and the answer read on the next turn.</summary>
public sealed class CheckInTests : IDisposable
{
    private const string Distress = "everything feels pointless lately";

    private readonly TurnHarness _bot = new();

    [Fact]
    public async Task Ambiguous_distress_gets_a_check_in_with_the_crisis_numbers_and_a_raised_priority_escalation()
    {
        var result = await _bot.SayAsync(Distress);

        Assert.Equal(SafetyResponder.CheckInOutcome, result.Outcome);
        Assert.Equal(EscalationReasons.CheckIn, result.Reason);
        Assert.StartsWith("exemplar: ", result.SafetyRule, StringComparison.Ordinal);
        Assert.Contains("are you safe right now?", TurnHarness.Message(result).Text, StringComparison.Ordinal);
        Assert.Contains(TurnHarness.CardButtons(result), b => b.Url == "tel:988");
        Assert.Contains(TurnHarness.CardButtons(result), b => b.Url == "sms:988");
        Assert.Contains(TurnHarness.CardButtons(result), b => b.Url == "tel:911");
        Assert.Equal([Replies.CheckInYes, Replies.CheckInNo], TurnHarness.Buttons(result).Select(b => b.Title));
        Assert.Equal((HandoffState.Queued, PendingPrompts.SafetyCheckIn), (result.State.Handoff, result.State.Pending));
        Assert.Equal(result.SafetyRule, result.State.Escalation!.Rule); // what staff see: the category, not the words
        var priority = result.State.Escalation!.Priority;
        Assert.True(priority > TestPaths.Reasons.Get("personal-medical").Priority && priority < TestPaths.Reasons.Get(EscalationReasons.Crisis).Priority);
    }

    [Theory]
    [InlineData("no")]
    [InlineData("not really")]
    [InlineData("i don't know")]
    [InlineData(Replies.CheckInNo)]
    [InlineData("i just want it to be over")]
    public async Task A_no_or_more_distress_after_the_check_in_is_a_crisis(string answer)
    {
        await _bot.SayAsync(Distress);

        var result = await _bot.SayAsync(answer);

        Assert.Equal(Outcomes.Crisis, result.Outcome);
        Assert.Equal(TestPaths.Reasons.Get(EscalationReasons.Crisis).Priority, result.State.Escalation!.Priority);
        Assert.Null(result.State.Pending);
        Assert.Contains(TurnHarness.CardButtons(result), b => b.Url == "tel:988");
    }

    [Theory]
    [InlineData("yes")]
    [InlineData(Replies.CheckInYes)]
    [InlineData("i'm ok, i'm not going to hurt myself")]
    public async Task A_yes_is_thanked_and_the_care_team_still_checks_in(string answer)
    {
        await _bot.SayAsync(Distress);

        var result = await _bot.SayAsync(answer);

        Assert.Equal(Outcomes.Smalltalk, result.Outcome);
        Assert.Null(result.State.Pending);
        Assert.Equal(EscalationReasons.CheckIn, result.State.Escalation!.Reason);
        Assert.Contains("988", TurnHarness.Message(result).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_question_after_the_check_in_goes_on_as_usual()
    {
        await _bot.SayAsync(Distress);

        var result = await _bot.SayAsync("how long does an infusion take?");

        Assert.NotEqual(Outcomes.Crisis, result.Outcome);
        Assert.Null(result.State.Pending);
    }

    [Fact]
    public async Task With_nobody_on_duty_the_check_in_says_the_chat_is_not_watched()
    {
        using var bot = new TurnHarness(availability: new NobodyOnDuty());

        var checkIn = await bot.SayAsync(Distress);
        var crisis = await bot.SayAsync("no");

        Assert.Contains("not watched by a person right now", TurnHarness.Message(checkIn).Text, StringComparison.Ordinal);
        Assert.Contains("not watched by a person right now", TurnHarness.Message(crisis).Text, StringComparison.Ordinal);
        Assert.DoesNotContain("alerted our care team", TurnHarness.Message(crisis).Text, StringComparison.Ordinal);
    }

    public void Dispose() => _bot.Dispose();

    private sealed class NobodyOnDuty : IStaffAvailability
    {
        public StaffAvailability Check(DateTimeOffset now) => new(false, null);
    }
}
