using System.Net;
using System.Net.Http.Json;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Staff;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Staff;

/// <summary>Duty hours, callbacks, restarts, and the bot's silence while staff own the chat.</summary>
public sealed class HandoffFlowTests
{
    // Saturday 1 March 2025, 20:00 in New York (EST, UTC-5).
    private static readonly DateTimeOffset SaturdayEvening = new(2025, 3, 2, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Outside_duty_hours_the_patient_hears_when_staff_are_back_and_is_offered_a_callback()
    {
        var time = new ManualTime(SaturdayEvening);
        await using var server = new FaqBotServer(
            new Dictionary<string, string?> { ["Staff:DutyHours"] = "Mon-Fri 09:00-17:00", ["Clinic:TimeZone"] = "America/New_York" },
            services: s => s.AddSingleton<TimeProvider>(time));
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        await using var feed = await FeedReader.OpenAsync(sam); // someone is signed in, but it is outside duty hours

        var id = await StaffKit.QueueAsync(server);

        var state = (await StaffKit.StateAsync(server, id))!;
        Assert.Equal((HandoffState.Queued, PendingPrompts.CallbackName), (state.Handoff, state.Pending));
        Assert.Equal(SaturdayEvening, state.CallbackOfferedAt);
        var offer = (await StaffKit.LogAsync(server, id)).Last(a => a.Type == ActivityTypes.Message); // one message: the turn's words and the offer
        Assert.Equal(ActivityTypes.Message, offer.Type);
        Assert.Contains("Monday at 9:00 AM", offer.Text, StringComparison.Ordinal);
        Assert.Contains("no thanks", offer.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HandoffTexts.Decline, Assert.Single(offer.SuggestedActions!.Actions).Value);
    }

    [Fact]
    public async Task Within_duty_hours_with_a_console_open_there_is_no_callback_offer_and_with_none_open_there_is()
    {
        var time = new ManualTime(new DateTimeOffset(2025, 3, 3, 20, 0, 0, TimeSpan.Zero)); // Monday 15:00 in New York
        await using var server = new FaqBotServer(
            new Dictionary<string, string?> { ["Staff:DutyHours"] = "Mon-Fri 09:00-17:00" },
            services: s => s.AddSingleton<TimeProvider>(time));
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");

        var nobodyWatching = await StaffKit.QueueAsync(server);
        string watched;
        await using (var feed = await FeedReader.OpenAsync(sam))
        {
            watched = await StaffKit.QueueAsync(server);
        }

        Assert.Equal(PendingPrompts.CallbackName, (await StaffKit.StateAsync(server, nobodyWatching))!.Pending);
        Assert.Contains("No one from our care team is free", (await StaffKit.LogAsync(server, nobodyWatching)).Last(a => a.Type == ActivityTypes.Message).Text, StringComparison.Ordinal);
        var watchedState = (await StaffKit.StateAsync(server, watched))!;
        Assert.Equal((HandoffState.Queued, null, null), (watchedState.Handoff, watchedState.Pending, watchedState.CallbackOfferedAt));
        var connecting = (await StaffKit.LogAsync(server, watched)).Last(a => a.Type == ActivityTypes.Message).Text;
        Assert.Equal($"{Replies.ConnectingYou}\n\n{HandoffTexts.Connecting(null)}", connecting); // no claims yet: no wait figure
    }

    [Fact]
    public async Task A_conversation_queued_too_long_is_offered_a_callback_once()
    {
        var time = new ManualTime(SaturdayEvening);
        await using var server = new FaqBotServer(
            new Dictionary<string, string?> { ["Staff:MaxQueueWaitMinutes"] = "10" },
            services: s => s.AddSingleton<TimeProvider>(time));
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        await using var feed = await FeedReader.OpenAsync(sam);
        var id = await StaffKit.QueueAsync(server);
        var handoff = server.Services.GetRequiredService<HandoffService>();

        var early = await handoff.OfferLongWaitCallbacksAsync(time.Now.AddMinutes(9));
        time.Now = time.Now.AddMinutes(10);
        var due = await handoff.OfferLongWaitCallbacksAsync(time.Now);
        var again = await handoff.OfferLongWaitCallbacksAsync(time.Now.AddMinutes(30));

        Assert.Equal((0, 1, 0), (early, due, again));
        var log = await StaffKit.LogAsync(server, id);
        Assert.Single(log, a => a.Text?.StartsWith(HandoffTexts.LongWait, StringComparison.Ordinal) == true);
        Assert.True((await sam.QueueAsync())[0].CallbackOffered);
    }

    [Fact]
    public async Task The_queue_watcher_offers_the_callback_on_its_own_once_the_wait_is_too_long()
    {
        var time = new ManualTime(SaturdayEvening);
        await using var server = new FaqBotServer(
            new Dictionary<string, string?> { ["Staff:MaxQueueWaitMinutes"] = "10", ["Staff:QueueCheckSeconds"] = "60" },
            services: s => s.AddSingleton<TimeProvider>(time));
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        await using var feed = await FeedReader.OpenAsync(sam);
        var id = await StaffKit.QueueAsync(server);

        time.Advance(TimeSpan.FromMinutes(10)); // the watcher's timer comes due and it checks the queue

        var offer = await feed.NextAsync("activity", e => e.GetProperty("activity").GetProperty("text").GetString()?.StartsWith(HandoffTexts.LongWait, StringComparison.Ordinal) == true);
        Assert.Equal(id, offer.GetProperty("conversationId").GetString());
        Assert.Equal(PendingPrompts.CallbackName, (await StaffKit.StateAsync(server, id))!.Pending);
    }

    [Fact]
    public async Task The_callback_dialogue_files_a_request_staff_see_and_mark_done()
    {
        await using var server = new FaqBotServer(new Dictionary<string, string?> { ["Staff:DutyHours"] = "never" });
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        var id = await StaffKit.QueueAsync(server, "Can I get a call back about pricing?", "cost");
        var conversations = server.Services.GetRequiredService<ConversationService>();

        // What the turn handler does with each patient answer while the callback dialogue is active.
        async Task<CallbackStep> AnswerAsync(string text)
        {
            CallbackStep? step = null;
            await StaffKit.PatientWroteAsync(server, id, text);
            await conversations.UpdateAsync(id, s =>
            {
                step = CallbackFlow.Handle(s, text);
                return (step.State, [step.ToActivity()]);
            });
            return step!;
        }

        Assert.Equal(PendingPrompts.CallbackName, (await StaffKit.StateAsync(server, id))!.Pending);
        var name = await AnswerAsync("My name is Jordan Lee");
        var badContact = await AnswerAsync("tomorrow afternoon");
        var contact = await AnswerAsync("you can reach me at (555) 201-3344");
        var consent = await AnswerAsync("yes");

        Assert.Equal(PendingPrompts.CallbackContact, name.State.Pending);
        Assert.Equal(PendingPrompts.CallbackContact, badContact.State.Pending);
        Assert.Equal("(555) 201-3344", contact.State.Callback!.Contact);
        Assert.True(consent.Filed);
        var state = (await StaffKit.StateAsync(server, id))!;
        Assert.Equal((HandoffState.CallbackRequested, null), (state.Handoff, state.Pending));
        Assert.Equal(HandoffEvents.Failed, (await StaffKit.LogAsync(server, id)).Events(HandoffEvents.StatusName).Last().StatusState());

        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        var filed = Assert.Single(await sam.GetAsync<IReadOnlyList<CallbackView>>("/api/staff/callbacks"));
        Assert.Equal((id, "Jordan Lee", "(555) 201-3344", true, null), (filed.ConversationId, filed.Name, filed.Contact, filed.Consent, filed.DoneAt));
        Assert.Equal("callbackRequested", Assert.Single(await sam.QueueAsync()).State);

        using var done = await sam.PostAsync($"/api/staff/callbacks/{filed.Id}/done");
        using var unknown = await sam.PostAsync("/api/staff/callbacks/cb_nope/done");
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var marked = (await done.Content.ReadFromJsonAsync<CallbackView>())!;
        Assert.Equal("Sam", marked.DoneBy);
        Assert.NotNull(marked.DoneAt);
        await StaffApiTests.AssertProblemAsync(unknown, HttpStatusCode.NotFound);
        Assert.Empty(await sam.QueueAsync());
        Assert.Equal(HandoffState.Closed, (await StaffKit.StateAsync(server, id))!.Handoff);
    }

    [Fact]
    public async Task A_patient_who_asks_for_a_person_when_nobody_is_on_duty_can_leave_a_callback_in_the_chat()
    {
        await using var server = new FaqBotServer(new Dictionary<string, string?> { ["Staff:DutyHours"] = "never" });
        var conversations = server.Services.GetRequiredService<ConversationService>();
        var id = $"conv{Guid.NewGuid():N}"[..20];
        await conversations.StartAsync(id, StaffKit.Patient, "directline", "en-US");

        // Everything through the bot's turns, as Web Chat would send it.
        foreach (var text in new[] { "I want to talk to a real person", "Jordan", "jordan@example.org", "yes" })
        {
            await StaffKit.PatientSaysAsync(server, id, text);
        }

        var state = (await StaffKit.StateAsync(server, id))!;
        Assert.Equal((HandoffState.CallbackRequested, null), (state.Handoff, state.Pending));
        var filed = Assert.Single(await server.Services.GetRequiredService<ICallbackStore>().ListAsync());
        Assert.Equal((id, "Jordan", "jordan@example.org"), (filed.ConversationId, filed.Name, filed.Contact));
        var log = await StaffKit.LogAsync(server, id);
        Assert.Single(log.Events(HandoffEvents.InitiateName));
        Assert.Equal(HandoffEvents.Failed, Assert.Single(log.Events(HandoffEvents.StatusName)).StatusState());
    }

    [Fact]
    public async Task A_patient_who_declines_the_callback_stays_in_the_queue_and_nothing_is_filed()
    {
        await using var server = new FaqBotServer(new Dictionary<string, string?> { ["Staff:DutyHours"] = "never" });
        var id = await StaffKit.QueueAsync(server);
        var conversations = server.Services.GetRequiredService<ConversationService>();

        await conversations.UpdateAsync(id, s => CallbackFlow.Handle(s, "No thanks") is var step ? (step.State, [step.ToActivity()]) : null);

        var state = (await StaffKit.StateAsync(server, id))!;
        Assert.Equal((HandoffState.Queued, null, null), (state.Handoff, state.Pending, state.Callback));
        Assert.Empty(await server.Services.GetRequiredService<ICallbackStore>().ListAsync());
        Assert.Equal(0, await server.Services.GetRequiredService<HandoffService>().OfferLongWaitCallbacksAsync(DateTimeOffset.UtcNow.AddHours(2)));
    }

    [Fact]
    public async Task After_a_restart_in_the_middle_of_a_staffed_chat_the_queue_owner_and_transcript_come_back()
    {
        string id, database;
        StaffAccount samAccount;
        System.Net.Cookie cookie;
        string csrf;
        await using (var before = new FaqBotServer())
        {
            database = before.DatabasePath;
            samAccount = await StaffKit.AddStaffAsync(before, "sam@clinic.example", "Sam");
            id = await StaffKit.QueueAsync(before, "I need to talk to someone");
            var waiting = await StaffKit.QueueAsync(before, "Can a nurse call me?");
            using var sam = await StaffKit.SignInAsync(before, "sam@clinic.example");
            (await sam.PostAsync($"/api/staff/conversations/{id}/claim")).Dispose();
            (await sam.PostAsync($"/api/staff/conversations/{id}/messages", new { text = "I'm here. What's on your mind?" })).Dispose();
            await StaffKit.PatientSaysAsync(before, id, "I feel nervous about Thursday");
            cookie = sam.Cookies.GetAllCookies().Single();
            csrf = sam.Me.CsrfToken;
            Assert.Equal(2, (await sam.QueueAsync()).Count);
        }

        await using var after = new FaqBotServer(databasePath: database);
        using var again = new StaffClient(after);
        again.Cookies.Add(new Uri(after.BaseAddress, "/api/staff/"), new System.Net.Cookie(cookie.Name, cookie.Value, cookie.Path, "127.0.0.1"));
        again.Me = await again.GetAsync<SignedInStaff>("/api/staff/me");

        var queue = await again.QueueAsync();
        var detail = await again.GetAsync<ConversationDetail>($"/api/staff/conversations/{id}");
        using var reply = await again.PostAsync($"/api/staff/conversations/{id}/messages", new { text = "That's understandable." });

        Assert.Equal(csrf, again.Me.CsrfToken); // the session itself survived the restart
        Assert.Equal(2, queue.Count);
        var staffed = Assert.Single(queue, q => q.ConversationId == id);
        Assert.Equal(("withStaff", new OwnerView(samAccount.Id, "Sam")), (staffed.State, staffed.Owner));
        string[] expected = ["I need to talk to someone", "Sam from the care team has joined the chat.", "I'm here. What's on your mind?", "I feel nervous about Thursday"];
        Assert.Equal(expected, detail.Transcript
            .Where(e => (e.Type == ActivityTypes.Message && e.Sender is "patient" or "staff") || e.Text?.Contains("joined", StringComparison.Ordinal) == true)
            .Select(e => e.Text ?? "").ToArray());
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
    }

    [Fact]
    public async Task While_staff_own_the_chat_the_bot_is_quiet_and_after_hand_back_it_answers_again()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        var id = await StaffKit.QueueAsync(server);
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        (await sam.PostAsync($"/api/staff/conversations/{id}/claim")).Dispose();

        var duringStaff = await StaffKit.PatientSaysAsync(server, id, "How long does an infusion take?");
        var botRepliesDuring = (await StaffKit.LogAsync(server, id)).SkipWhile(a => a.Id != duringStaff.Activity.Id).Skip(1)
            .Where(a => a.Type == ActivityTypes.Message && a.From?.Id == ConversationService.Bot.Id).ToList();
        (await sam.PostAsync($"/api/staff/conversations/{id}/handback")).Dispose();
        var afterHandBack = await StaffKit.PatientSaysAsync(server, id, "Can I drive afterward?");
        var botRepliesAfter = (await StaffKit.LogAsync(server, id)).SkipWhile(a => a.Id != afterHandBack.Activity.Id).Skip(1)
            .Where(a => a.Type == ActivityTypes.Message && a.From?.Id == ConversationService.Bot.Id).ToList();

        Assert.Empty(botRepliesDuring);
        var answer = Assert.Single(botRepliesAfter);
        Assert.Equal(afterHandBack.Activity.Id, answer.ReplyToId);
        Assert.NotEmpty(StaffViews.Citations(answer)); // the bot's answer quotes an article again
    }
}
