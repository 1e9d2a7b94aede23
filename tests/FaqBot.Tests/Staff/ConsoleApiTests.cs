using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FaqBot.Audit;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Staff;
using FaqBot.Tests.Channels.DirectLine;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using DirectLineStream = FaqBot.Tests.Channels.DirectLine.StreamReader;

namespace FaqBot.Tests.Staff;

/// <summary>The console's routes for a working day, over real HTTP: transfer, notes, typing, close and reopen, history, saved replies.</summary>
public sealed class ConsoleApiTests
{
    [Fact]
    public async Task Every_new_route_needs_a_signed_in_staff_member_and_posts_need_the_csrf_token()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var anonymous = server.CreateHttpClient();
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        var id = await StaffKit.QueueAsync(server);

        foreach (var path in new[] { "/api/staff/colleagues", "/api/staff/members", "/api/staff/history", "/api/staff/reasons", "/api/staff/saved-replies", "/api/staff/admin/accounts" })
        {
            using var response = await anonymous.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        foreach (var action in new[] { "transfer", "notes", "typing", "reopen" })
        {
            using var noCookie = await anonymous.PostAsJsonAsync($"/api/staff/conversations/{id}/{action}", new { });
            using var noCsrf = await sam.PostAsync($"/api/staff/conversations/{id}/{action}", new { text = "x", staffId = "x" }, csrf: "wrong");
            Assert.Equal(HttpStatusCode.Unauthorized, noCookie.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, noCsrf.StatusCode);
        }
    }

    [Fact]
    public async Task The_queue_says_why_with_a_label_a_short_reference_the_start_and_the_message_that_escalated()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        var crisis = await StaffKit.QueueAsync(server, "I don't want to be alive anymore", EscalationReasons.Crisis);
        await StaffKit.PatientWroteAsync(server, crisis, "Yes");

        var item = Assert.Single(await sam.QueueAsync());

        Assert.Equal(("Crisis", true, ShortId.Of(crisis)), (item.ReasonLabel, item.Urgent, item.ShortId));
        Assert.Matches("^[0-9A-Z]{3}-[0-9A-Z]{3}$", item.ShortId);
        Assert.Equal("I don't want to be alive anymore", item.EscalatedBy);
        Assert.Equal("Yes", item.LastMessage);
        Assert.NotNull(item.StartedAt);
        var reasons = await sam.GetAsync<JsonElement>("/api/staff/reasons");
        Assert.Contains(reasons.EnumerateArray(), r => r.GetProperty("code").GetString() == "booking" && r.GetProperty("label").GetString() == "Booking");
    }

    [Fact]
    public async Task Transfer_to_a_colleague_who_is_not_signed_in_is_refused_and_to_one_who_is_moves_the_chat()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        var lee = await StaffKit.AddStaffAsync(server, "lee@clinic.example", "Lee");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        using var leeClient = await StaffKit.SignInAsync(server, "lee@clinic.example");
        var id = await StaffKit.QueueAsync(server);
        using (var claim = await sam.PostAsync($"/api/staff/conversations/{id}/claim"))
        {
            Assert.Equal(HttpStatusCode.OK, claim.StatusCode);
        }

        // Lee has an account and a session but not the console open: refused, nothing changes.
        using (var refused = await sam.PostAsync($"/api/staff/conversations/{id}/transfer", new { staffId = lee.Id }))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("not signed in", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var unknown = await sam.PostAsync($"/api/staff/conversations/{id}/transfer", new { staffId = "st_nobody" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        }

        Assert.Equal("Sam", (await StaffKit.StateAsync(server, id))!.Owner!.Name);

        await using var leeFeed = await FeedReader.OpenAsync(leeClient);
        var colleagues = await sam.GetAsync<IReadOnlyList<ColleagueView>>("/api/staff/colleagues");
        Assert.Contains(colleagues, c => c.Id == lee.Id && !c.Me);
        using (var moved = await sam.PostAsync($"/api/staff/conversations/{id}/transfer", new { staffId = lee.Id }))
        {
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
            Assert.Equal("Lee", (await moved.Content.ReadFromJsonAsync<QueueItem>())!.Owner!.Name);
        }

        using var samReplies = await sam.PostAsync($"/api/staff/conversations/{id}/messages", new { text = "still me?" });
        using var leeReplies = await leeClient.PostAsync($"/api/staff/conversations/{id}/messages", new { text = "Hi, I'm Lee." });
        Assert.Equal(HttpStatusCode.Conflict, samReplies.StatusCode);
        Assert.Equal(HttpStatusCode.OK, leeReplies.StatusCode);
        var log = await StaffKit.LogAsync(server, id);
        Assert.Contains(log, a => a.Text == HandoffTexts.Transferred("Sam", "Lee"));
        Assert.Equal(["accepted", "accepted"], log.Events(HandoffEvents.StatusName).Select(e => e.StatusState()));
        var audit = await server.Services.GetRequiredService<IAuditLog>().ListAsync();
        Assert.Contains(audit, e => e.Action == AuditActions.Transfer && e.Target == id && e.Outcome == $"to {lee.Id}");
    }

    [Fact]
    public async Task Notes_are_shown_to_staff_and_never_reach_the_patients_direct_line_stream()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        await using var feed = await FeedReader.OpenAsync(sam);
        using var patient = new DirectLineTestClient(server);
        var chat = await patient.StartAsync();
        await using var stream = await DirectLineStream.OpenAsync(chat.StreamUrl!);
        await patient.PostMessageAsync(chat.Token, chat.ConversationId, "Can I talk to a real person?", "c1");
        await feed.NextAsync("queue");
        using (var claim = await sam.PostAsync($"/api/staff/conversations/{chat.ConversationId}/claim"))
        {
            Assert.Equal(HttpStatusCode.OK, claim.StatusCode);
        }

        const string Secret = "Internal: patient sounded tired, check in about sleep";
        using (var note = await sam.PostAsync($"/api/staff/conversations/{chat.ConversationId}/notes", new { text = Secret }))
        {
            Assert.Equal(HttpStatusCode.OK, note.StatusCode);
            Assert.Equal("note", (await note.Content.ReadFromJsonAsync<TranscriptEntry>())!.Type);
        }

        using (var empty = await sam.PostAsync($"/api/staff/conversations/{chat.ConversationId}/notes", new { text = " " }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        }

        using (var reply = await sam.PostAsync($"/api/staff/conversations/{chat.ConversationId}/messages", new { text = "Hello from Sam" }))
        {
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        }

        // The stream delivers everything in order up to the staff reply: the note is not among it; nor in the REST log.
        var streamed = await stream.ReadUntilAsync(a => a.Text == "Hello from Sam");
        Assert.DoesNotContain(streamed, s => s.Activity.Text?.Contains("sounded tired", StringComparison.Ordinal) == true);
        var polled = await patient.GetActivitiesAsync(chat.Token, chat.ConversationId);
        Assert.DoesNotContain(polled.Activities, a => JsonSerializer.Serialize(a, ActivityJson.Options).Contains("sounded tired", StringComparison.Ordinal));
        Assert.Contains(polled.Activities, a => a.Text == "Hello from Sam");

        var detail = await sam.GetAsync<ConversationDetail>($"/api/staff/conversations/{chat.ConversationId}");
        var shown = Assert.Single(detail.Transcript, e => e.Type == "note");
        Assert.Equal((Secret, "Sam", "staff"), (shown.Text, shown.SenderName, shown.Sender));
        Assert.True(detail.Transcript.ToList().IndexOf(shown) < detail.Transcript.ToList().FindIndex(e => e.Text == "Hello from Sam"));
    }

    [Fact]
    public async Task Typing_goes_both_ways_and_only_the_owner_is_shown_typing()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        await StaffKit.AddStaffAsync(server, "lee@clinic.example", "Lee");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        using var lee = await StaffKit.SignInAsync(server, "lee@clinic.example");
        await using var feed = await FeedReader.OpenAsync(sam);
        using var patient = new DirectLineTestClient(server);
        var chat = await patient.StartAsync();
        await using var stream = await DirectLineStream.OpenAsync(chat.StreamUrl!);
        await patient.PostMessageAsync(chat.Token, chat.ConversationId, "Can I talk to a real person?", "c1");
        using (var claim = await sam.PostAsync($"/api/staff/conversations/{chat.ConversationId}/claim"))
        {
            Assert.Equal(HttpStatusCode.OK, claim.StatusCode);
        }

        using var notOwner = await lee.PostAsync($"/api/staff/conversations/{chat.ConversationId}/typing");
        using var owner = await sam.PostAsync($"/api/staff/conversations/{chat.ConversationId}/typing");
        Assert.Equal(HttpStatusCode.Conflict, notOwner.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, owner.StatusCode);
        var typing = (await stream.ReadUntilAsync(a => a.Type == ActivityTypes.Typing && a.From?.Name == "Sam"))[^1].Activity;
        Assert.Equal(RoleTypes.Bot, typing.From!.Role);

        using (var patientTyping = await patient.SendAsync(HttpMethod.Post, $"conversations/{chat.ConversationId}/activities", chat.Token, """{"type":"typing","from":{"id":"x"}}"""))
        {
            Assert.Equal(HttpStatusCode.NoContent, patientTyping.StatusCode);
        }

        var seen = await feed.NextAsync("typing", e => e.GetProperty("conversationId").GetString() == chat.ConversationId);
        Assert.Equal("patient", seen.GetProperty("typing").GetString());
        Assert.DoesNotContain((await patient.GetActivitiesAsync(chat.Token, chat.ConversationId)).Activities, a => a.Type == ActivityTypes.Typing);
    }

    [Fact]
    public async Task Close_takes_an_outcome_the_history_finds_it_and_a_colleague_can_reopen_it()
    {
        await using var server = new FaqBotServer();
        var sam = await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        var lee = await StaffKit.AddStaffAsync(server, "lee@clinic.example", "Lee");
        using var samClient = await StaffKit.SignInAsync(server, "sam@clinic.example");
        using var leeClient = await StaffKit.SignInAsync(server, "lee@clinic.example");
        var booking = await StaffKit.QueueAsync(server, "I need to move my Tuesday appointment", "booking");
        var asked = await StaffKit.QueueAsync(server, "Can I talk to a real person?");
        var neverEscalated = await StaffKit.StartAsync(server);
        await StaffKit.PatientWroteAsync(server, neverEscalated, "I need to move my Tuesday appointment");
        Assert.Equal(HttpStatusCode.OK, (await samClient.PostAsync($"/api/staff/conversations/{booking}/claim")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await samClient.PostAsync($"/api/staff/conversations/{booking}/notes", new { text = "rebooked for Thursday" })).StatusCode);

        using (var bad = await samClient.PostAsync($"/api/staff/conversations/{booking}/close", new { outcome = "done-ish" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        using (var closed = await samClient.PostAsync($"/api/staff/conversations/{booking}/close", new { outcome = CloseOutcomes.Referred }))
        {
            Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
            var item = (await closed.Content.ReadFromJsonAsync<QueueItem>())!;
            Assert.Equal(("closed", CloseOutcomes.Referred), (item.State, item.Outcome));
        }

        // History: every escalated conversation (not the one that never was), searchable.
        async Task<IReadOnlyList<string>> Find(string query) =>
            [.. (await samClient.GetAsync<IReadOnlyList<QueueItem>>($"/api/staff/history{query}")).Select(i => i.ConversationId)];

        Assert.Equal(new[] { booking, asked }.Order(StringComparer.Ordinal), (await Find("")).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(neverEscalated, await Find(""));
        Assert.Equal([booking], await Find("?q=tuesday"));
        Assert.Equal([booking], await Find("?q=Thursday")); // notes are searched too
        Assert.Equal([booking], await Find("?reason=booking"));
        Assert.Equal([booking], await Find($"?outcome={CloseOutcomes.Referred}"));
        Assert.Equal([booking], await Find($"?staff={sam.Id}"));
        Assert.Empty(await Find($"?staff={lee.Id}"));
        Assert.Empty(await Find("?from=2999-01-01T00:00:00Z"));
        Assert.Equal(2, (await Find("?to=2999-01-01T00:00:00Z")).Count);
        using (var invalid = await samClient.Http.GetAsync(new Uri("/api/staff/history?outcome=whatever", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }

        var detail = await samClient.GetAsync<ConversationDetail>($"/api/staff/conversations/{booking}");
        Assert.Equal(["escalated", "claimed", "closed"], detail.History!.Select(h => h.Kind));
        Assert.Contains(detail.Transcript, e => e.Type == "note" && e.Text == "rebooked for Thursday");

        // Reopen: only a closed chat; the colleague who reopens it owns it; the patient is told.
        using (var notClosed = await leeClient.PostAsync($"/api/staff/conversations/{asked}/reopen"))
        {
            Assert.Equal(HttpStatusCode.Conflict, notClosed.StatusCode);
        }

        using (var reopened = await leeClient.PostAsync($"/api/staff/conversations/{booking}/reopen"))
        {
            Assert.Equal(HttpStatusCode.OK, reopened.StatusCode);
            var item = (await reopened.Content.ReadFromJsonAsync<QueueItem>())!;
            Assert.Equal(("withStaff", "Lee"), (item.State, item.Owner!.Name));
        }

        Assert.Contains(await StaffKit.LogAsync(server, booking), a => a.Text == HandoffTexts.Reopened("Lee"));
        Assert.Equal([booking], await Find($"?staff={lee.Id}"));
        var actions = (await server.Services.GetRequiredService<IAuditLog>().ListAsync()).Where(e => e.Target == booking).Select(e => e.Action).Reverse().ToList();
        Assert.Equal([AuditActions.Claim, AuditActions.Note, AuditActions.Close, AuditActions.Reopen], actions);
    }

    [Fact]
    public async Task A_callback_is_marked_done_with_a_note_and_a_mistaken_done_can_be_undone()
    {
        await using var server = new FaqBotServer(new Dictionary<string, string?> { ["Staff:DutyHours"] = "never" });
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        var id = await StaffKit.QueueAsync(server, "Please call me about booking", "booking");
        var conversations = server.Services.GetRequiredService<FaqBot.Conversation.ConversationService>();
        foreach (var answer in new[] { "Jordan", "jordan@example.org", "yes" })
        {
            await conversations.UpdateAsync(id, s => CallbackFlow.Handle(s, answer) is var step ? (step.State, [step.ToActivity()]) : null);
        }

        var callback = Assert.Single(await sam.GetAsync<IReadOnlyList<CallbackView>>("/api/staff/callbacks"));
        using (var done = await sam.PostAsync($"/api/staff/callbacks/{callback.Id}/done", new { note = "Called, booked Thursday 10:00" }))
        {
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }

        var closed = await sam.GetAsync<ConversationDetail>($"/api/staff/conversations/{id}");
        Assert.Equal(("closed", CloseOutcomes.CallbackArranged), (closed.Summary.State, closed.Summary.Outcome));
        Assert.Contains(closed.Transcript, e => e.Type == "note" && e.Text == "Callback done: Called, booked Thursday 10:00");
        Assert.Empty(await sam.QueueAsync());

        using (var undo = await sam.PostAsync($"/api/staff/callbacks/{callback.Id}/undo"))
        using (var again = await sam.PostAsync($"/api/staff/callbacks/{callback.Id}/undo"))
        using (var unknown = await sam.PostAsync("/api/staff/callbacks/cb_nope/undo"))
        {
            Assert.Equal(HttpStatusCode.OK, undo.StatusCode);
            Assert.Null((await undo.Content.ReadFromJsonAsync<CallbackView>())!.DoneAt);
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        Assert.Equal(HandoffState.CallbackRequested, (await StaffKit.StateAsync(server, id))!.Handoff);
        Assert.Equal("callbackRequested", Assert.Single(await sam.QueueAsync()).State);
        var audit = await server.Services.GetRequiredService<IAuditLog>().ListAsync();
        Assert.Equal(["done", "undone"], audit.Where(e => e.Action == AuditActions.CallbackDone).Select(e => e.Outcome).Reverse());
    }

    [Fact]
    public async Task Admins_edit_saved_replies_and_staff_read_them()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "ada@clinic.example", "Ada", StaffRoles.Admin);
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var ada = await StaffKit.SignInAsync(server, "ada@clinic.example");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");

        using var byStaff = await sam.PostAsync("/api/staff/admin/saved-replies", new { title = "Hi", text = "Hello" });
        using var noCsrf = await ada.PostAsync("/api/staff/admin/saved-replies", new { title = "Hi", text = "Hello" }, csrf: "nope");
        using var invalid = await ada.PostAsync("/api/staff/admin/saved-replies", new { title = "", text = "Hello" });
        using var added = await ada.PostAsync("/api/staff/admin/saved-replies", new { title = "Greeting", text = "Hi, this is the care team. How can we help?" });
        Assert.Equal(HttpStatusCode.Forbidden, byStaff.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, noCsrf.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var reply = (await added.Content.ReadFromJsonAsync<SavedReply>())!;

        using var changed = await ada.PostAsync($"/api/staff/admin/saved-replies/{reply.Id}", new { title = "Greeting", text = "Hello, the care team here." });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("Hello, the care team here.", Assert.Single(await sam.GetAsync<IReadOnlyList<SavedReply>>("/api/staff/saved-replies")).Text);

        using var deleted = await ada.PostAsync($"/api/staff/admin/saved-replies/{reply.Id}/delete");
        using var again = await ada.PostAsync($"/api/staff/admin/saved-replies/{reply.Id}/delete");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Empty(await sam.GetAsync<IReadOnlyList<SavedReply>>("/api/staff/saved-replies"));
    }
}
