using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Staff;

/// <summary>What a patient is told about people: one honest "what happens next", and a callback dialogue that listens.</summary>
public sealed class WhatHappensNextTests
{
    [Fact]
    public async Task With_nobody_signed_in_asking_for_a_person_gets_exactly_one_what_happens_next_message()
    {
        await using var server = new FaqBotServer(); // duty hours "always", but nobody has the console open
        var id = await StartAsync(server);

        await StaffKit.PatientSaysAsync(server, id, "Can I talk to a real person?");

        var replies = BotMessagesAfter(await StaffKit.LogAsync(server, id), "Can I talk to a real person?");
        var reply = Assert.Single(replies);
        Assert.Contains("No one from our care team is free to chat right now", reply.Text, StringComparison.Ordinal);
        Assert.Contains("what name should we ask for", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("join this chat", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("keep waiting", reply.Text, StringComparison.Ordinal);
        Assert.EndsWith(HandoffTexts.SafetyFooter, reply.Text, StringComparison.Ordinal);
        Assert.Equal(HandoffTexts.Decline, Assert.Single(reply.SuggestedActions!.Actions).Title);
    }

    [Fact]
    public async Task Asking_for_a_person_during_the_name_step_is_understood_and_cancel_stops_the_dialogue()
    {
        await using var server = new FaqBotServer();
        var id = await StartAsync(server);
        await StaffKit.PatientSaysAsync(server, id, "I want to speak to a human");

        await StaffKit.PatientSaysAsync(server, id, "actually I want to talk to someone now");

        var reply = Assert.Single(BotMessagesAfter(await StaffKit.LogAsync(server, id), "actually I want to talk to someone now"));
        Assert.StartsWith(HandoffTexts.PersonNotAvailableNow, reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("just the name", reply.Text, StringComparison.Ordinal);
        var state = (await StaffKit.StateAsync(server, id))!;
        Assert.Equal((HandoffState.Queued, PendingPrompts.CallbackName), (state.Handoff, state.Pending));

        // The contact step understands it too, and "stop" ends the dialogue without filing anything.
        await StaffKit.PatientSaysAsync(server, id, "Jordan");
        await StaffKit.PatientSaysAsync(server, id, "can I just talk to a person");
        Assert.StartsWith(HandoffTexts.PersonNotAvailableNow, Assert.Single(BotMessagesAfter(await StaffKit.LogAsync(server, id), "can I just talk to a person")).Text, StringComparison.Ordinal);
        await StaffKit.PatientSaysAsync(server, id, "stop");
        state = (await StaffKit.StateAsync(server, id))!;
        Assert.Equal((HandoffState.Queued, null), (state.Handoff, state.Pending));
        Assert.Empty(await server.Services.GetRequiredService<ICallbackStore>().ListAsync());
    }

    [Fact]
    public async Task A_callback_confirmation_says_when_to_expect_the_call_from_the_duty_hours()
    {
        var saturdayEvening = new DateTimeOffset(2025, 3, 1, 23, 0, 0, TimeSpan.Zero); // 18:00 in New York
        var time = new ManualTime(saturdayEvening);
        await using var server = new FaqBotServer(
            new Dictionary<string, string?> { ["Staff:DutyHours"] = "Mon-Fri 09:00-17:00", ["Clinic:TimeZone"] = "America/New_York" },
            services: s => s.AddSingleton<TimeProvider>(time));
        var id = await StartAsync(server);

        foreach (var text in new[] { "I want to talk to a real person", "Jordan", "jordan@example.org", "yes" })
        {
            await StaffKit.PatientSaysAsync(server, id, text);
        }

        var confirmation = Assert.Single(BotMessagesAfter(await StaffKit.LogAsync(server, id), "yes"));
        Assert.Contains("jordan@example.org", confirmation.Text, StringComparison.Ordinal);
        Assert.Contains("after they are back on duty, Monday at 9:00 AM (New York time)", confirmation.Text, StringComparison.Ordinal);
        Assert.EndsWith(HandoffTexts.SafetyFooter, confirmation.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_staff_signed_in_the_patient_hears_the_typical_wait_of_recent_claims()
    {
        var time = new ManualTime(new DateTimeOffset(2025, 3, 3, 15, 0, 0, TimeSpan.Zero));
        await using var server = new FaqBotServer(services: s => s.AddSingleton<TimeProvider>(time));
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        await using var feed = await FeedReader.OpenAsync(sam);

        // Before any claim there is no figure; after one claimed 4 minutes in, the typical wait is about 4 minutes.
        var first = await StartAsync(server);
        await StaffKit.PatientSaysAsync(server, first, "Can I talk to a real person?");
        Assert.Equal($"{Replies.ConnectingYou}\n\n{HandoffTexts.Connecting(null)}", Assert.Single(BotMessagesAfter(await StaffKit.LogAsync(server, first), "Can I talk to a real person?")).Text);
        time.Now += TimeSpan.FromMinutes(4);
        Assert.True((await sam.PostAsync($"/api/staff/conversations/{first}/claim")).IsSuccessStatusCode);

        var second = await StartAsync(server);
        await StaffKit.PatientSaysAsync(server, second, "Can I talk to a real person?");
        var reply = Assert.Single(BotMessagesAfter(await StaffKit.LogAsync(server, second), "Can I talk to a real person?"));
        Assert.Contains("Connecting you with our care team; typical wait about 4 minutes.", reply.Text, StringComparison.Ordinal);
    }

    private static async Task<string> StartAsync(FaqBotServer server)
    {
        var id = $"conv{Guid.NewGuid():N}"[..20];
        Assert.True(await server.Services.GetRequiredService<ConversationService>().StartAsync(id, StaffKit.Patient, "directline", "en-US"));
        return id;
    }

    /// <summary>The bot's messages after the patient's last message with that text.</summary>
    private static List<Activity> BotMessagesAfter(IReadOnlyList<Activity> log, string patientText)
    {
        var at = log.ToList().FindLastIndex(a => a.From?.Role == RoleTypes.User && a.Text == patientText);
        Assert.True(at >= 0, $"The patient never said '{patientText}'.");
        return [.. log.Skip(at + 1).TakeWhile(a => a.From?.Role != RoleTypes.User).Where(a => a.Type == ActivityTypes.Message)];
    }
}
