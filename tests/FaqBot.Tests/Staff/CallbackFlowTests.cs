using FaqBot.Conversation;
using FaqBot.Handoff;

namespace FaqBot.Tests.Staff;

public sealed class CallbackFlowTests
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static ConversationState Offered() => CallbackFlow.Offer(
        new ConversationState { ConversationId = "c1", UserId = "u1", Handoff = HandoffState.Queued },
        new StaffAvailability(false, null), Zone, DateTimeOffset.UtcNow, longWait: false).State;

    [Theory]
    [InlineData("Jordan", "Jordan")]
    [InlineData("my name is Jordan Lee.", "Jordan Lee")]
    [InlineData("I'm Mary-Jane O'Neil", "Mary-Jane O'Neil")]
    [InlineData("José", "José")]
    public void Names_are_taken_from_how_people_write_them(string text, string expected) =>
        Assert.Equal(expected, CallbackFlow.CleanName(text));

    [Theory]
    [InlineData("")]
    [InlineData("555-123-4567")]
    [InlineData("me@example.com")]
    [InlineData("how long does an infusion take?")]
    [InlineData("I would really rather not say my name to a bot right now")]
    public void What_is_not_a_name_is_asked_again(string text)
    {
        Assert.Null(CallbackFlow.CleanName(text));
        var step = CallbackFlow.Handle(Offered(), text);
        Assert.Equal(PendingPrompts.CallbackName, step.State.Pending);
        Assert.False(step.Filed);
    }

    [Theory]
    [InlineData("(555) 123-4567", "(555) 123-4567")]
    [InlineData("+1 555 123 4567", "+1 555 123 4567")]
    [InlineData("call me at 555.123.4567 after 5pm", "555.123.4567")]
    [InlineData("Jordan.Lee@Example.org", "jordan.lee@example.org")]
    [InlineData("email me: j@clinic.co.uk please", "j@clinic.co.uk")]
    public void Phone_numbers_and_emails_are_found(string text, string expected) =>
        Assert.Equal(expected, CallbackFlow.FindContact(text));

    [Theory]
    [InlineData("tomorrow")]
    [InlineData("12345")]
    [InlineData("1234567890123456789")]
    [InlineData("jordan@localhost")]
    public void Anything_else_is_not_a_contact(string text) => Assert.Null(CallbackFlow.FindContact(text));

    [Fact]
    public void Name_then_contact_then_consent_files_the_request()
    {
        var name = CallbackFlow.Handle(Offered(), "Jordan");
        var contact = CallbackFlow.Handle(name.State, "jordan@example.org");
        var unclear = CallbackFlow.Handle(contact.State, "maybe later");
        var consent = CallbackFlow.Handle(unclear.State, "Yes please");

        Assert.Equal(PendingPrompts.CallbackConsent, unclear.State.Pending);
        Assert.Equal(["Yes", "No"], unclear.Choices);
        Assert.True(consent.Filed);
        Assert.Equal(HandoffState.CallbackRequested, consent.State.Handoff);
        Assert.Equal(new CallbackDraft("Jordan", "jordan@example.org", true), consent.State.Callback);
        Assert.Null(consent.State.Pending);
        Assert.False(CallbackFlow.IsActive(consent.State));
        Assert.Contains("jordan@example.org", consent.Reply, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "no thanks")]
    [InlineData(1, "No.")]
    [InlineData(2, "no")]
    [InlineData(2, "Don't")]
    public void The_patient_can_decline_at_any_step(int answered, string decline)
    {
        var state = Offered();
        foreach (var answer in new[] { "Jordan", "555 123 4567" }.Take(answered))
        {
            state = CallbackFlow.Handle(state, answer).State;
        }

        var step = CallbackFlow.Handle(state, decline);

        Assert.True(step.Declined);
        Assert.False(step.Filed);
        Assert.Equal((HandoffState.Queued, null, null), (step.State.Handoff, step.State.Pending, step.State.Callback));
    }

    [Fact]
    public void A_name_that_starts_like_no_is_still_a_name() =>
        Assert.Equal("Noah", CallbackFlow.Handle(Offered(), "Noah").State.Callback!.Name);
}
