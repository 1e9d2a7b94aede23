using FaqBot.Answering;
using FaqBot.Audit;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Insights;
using FaqBot.Knowledge;
using FaqBot.Privacy;
using FaqBot.Schema;
using FaqBot.Storage;
using FaqBot.Tests.Staff;
using static FaqBot.Tests.Storage.StorageKit;

namespace FaqBot.Tests.Storage;

/// <summary>The contracts of the other stores, run on SQLite and on PostgreSQL (the subclasses below).</summary>
public abstract class StoreContracts
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<StorageKit> NewAsync(TimeProvider? time = null);

    [Fact]
    public async Task The_audit_log_is_append_only_newest_first_and_pages_back()
    {
        await using var kit = await NewAsync();
        var audit = kit.Audit();
        for (var i = 0; i < 5; i++)
        {
            await audit.AppendAsync(new AuditRecord("st_1", AuditActions.SignIn, "done", $"t{i}", "127.0.0.1"));
        }

        await audit.AppendAsync(new AuditRecord("st_1", AuditActions.SignIn, new string('x', 1000)));
        var all = await audit.ListAsync(10);
        Assert.Equal(6, all.Count);
        Assert.True(all[0].Id > all[1].Id);
        Assert.Equal(320, all[0].Outcome.Length);
        Assert.Equal(["t1", "t0"], (await audit.ListAsync(2, all[^3].Id)).Select(e => e.Target));

        // The database itself refuses to change or delete an entry.
        var (update, delete) = ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log");
        if (kit.Postgres is { } pg)
        {
            await Assert.ThrowsAnyAsync<Npgsql.PostgresException>(() => pg.ExecuteAsync(update));
            await Assert.ThrowsAnyAsync<Npgsql.PostgresException>(() => pg.ExecuteAsync(delete));
            await Assert.ThrowsAnyAsync<Npgsql.PostgresException>(() => pg.ExecuteAsync("TRUNCATE audit_log"));
        }
        else
        {
            await Assert.ThrowsAnyAsync<Microsoft.Data.Sqlite.SqliteException>(() => kit.Sqlite!.ExecuteAsync(update));
            await Assert.ThrowsAnyAsync<Microsoft.Data.Sqlite.SqliteException>(() => kit.Sqlite!.ExecuteAsync(delete));
        }

        Assert.Equal(6, (await audit.ListAsync(10)).Count(e => e.Actor == "st_1"));
    }

    [Fact]
    public async Task Callback_requests_list_open_ones_first_and_are_marked_done_and_open_once()
    {
        await using var kit = await NewAsync();
        var callbacks = kit.Callbacks();
        await callbacks.AddAsync(new CallbackRequest("cb_1", "c1", "Ann", "555-0100", true, Noon));
        await callbacks.AddAsync(new CallbackRequest("cb_2", "c2", "Bo", "bo@example.com", true, Noon.AddMinutes(5)));

        Assert.True(await callbacks.MarkDoneAsync("cb_1", "st_1", Noon.AddHours(1)));
        Assert.False(await callbacks.MarkDoneAsync("cb_1", "st_2", Noon.AddHours(2)));
        Assert.Equal(["cb_2", "cb_1"], (await callbacks.ListAsync()).Select(c => c.Id));
        var done = (await callbacks.GetAsync("cb_1"))!;
        Assert.Equal(("st_1", Noon.AddHours(1), "555-0100", true), (done.DoneBy, done.DoneAt, done.Contact, done.Consent));
        Assert.True(await callbacks.MarkOpenAsync("cb_1"));
        Assert.False(await callbacks.MarkOpenAsync("cb_1"));
        Assert.Null((await callbacks.GetAsync("cb_1"))!.DoneAt);
        Assert.Null(await callbacks.GetAsync("cb_404"));
    }

    [Fact]
    public async Task A_callback_request_is_filed_once_while_open_and_again_after_it_is_done()
    {
        // A turn retried after another instance saved first files the same request again: it must not be doubled.
        await using var kit = await NewAsync();
        var callbacks = kit.Callbacks();
        Assert.True(await callbacks.AddAsync(new CallbackRequest("cb_1", "c1", "Ann", "555-0100", true, Noon)));
        Assert.False(await callbacks.AddAsync(new CallbackRequest("cb_2", "c1", "Ann", "555-0100", true, Noon.AddSeconds(1))));
        Assert.True(await callbacks.AddAsync(new CallbackRequest("cb_3", "c1", "Ann", "ann@example.com", true, Noon.AddSeconds(2)))); // another contact
        Assert.True(await callbacks.AddAsync(new CallbackRequest("cb_4", "c2", "Ann", "555-0100", true, Noon.AddSeconds(3)))); // another conversation
        Assert.Null(await callbacks.GetAsync("cb_2"));

        Assert.True(await callbacks.MarkDoneAsync("cb_1", "st_1", Noon.AddHours(1)));
        Assert.True(await callbacks.AddAsync(new CallbackRequest("cb_5", "c1", "Ann", "555-0100", true, Noon.AddHours(2)))); // asked again later
        Assert.Equal(["cb_3", "cb_4", "cb_5", "cb_1"], (await callbacks.ListAsync()).Select(c => c.Id));
    }

    [Fact]
    public async Task Staff_accounts_are_unique_by_email_and_sessions_expire_and_end_with_a_disabled_account()
    {
        await using var kit = await NewAsync();
        var staff = kit.Staff();
        Assert.True(await staff.AddAsync(new StaffAccount("st_1", "ann@example.com", "Ann", StaffRoles.Admin, "hash1", false, 0, null, Noon)));
        Assert.False(await staff.AddAsync(new StaffAccount("st_2", "ann@example.com", "Other", StaffRoles.Staff, "hash2", false, 0, null, Noon)));
        Assert.True(await staff.AddAsync(new StaffAccount("st_3", "bo@example.com", "Bo", StaffRoles.Staff, "hash3", false, 0, null, Noon)));
        Assert.Equal(["ann@example.com", "bo@example.com"], (await staff.ListAsync()).Select(a => a.Email));

        await staff.SetRoleAsync("st_3", StaffRoles.Admin);
        await staff.SetPasswordHashAsync("st_3", "hash4");
        var bo = (await staff.FindByIdAsync("st_3"))!;
        Assert.Equal((StaffRoles.Admin, "hash4", Noon), (bo.Role, bo.PasswordHash, bo.CreatedAt));

        await staff.CreateSessionAsync(new StaffSession("tok1", "st_1", "csrf1", Noon, Noon.AddHours(8)));
        var found = await staff.FindSessionAsync("tok1", Noon.AddHours(1));
        Assert.Equal(("st_1", "csrf1", Noon.AddHours(8)), (found!.Value.Account.Id, found.Value.Session.CsrfToken, found.Value.Session.ExpiresAt));
        Assert.Null(await staff.FindSessionAsync("tok1", Noon.AddHours(9)));

        Assert.True(await staff.SetDisabledAsync("ann@example.com", true));
        Assert.Null(await staff.FindSessionAsync("tok1", Noon.AddHours(1)));
        Assert.True((await staff.FindByEmailAsync("ann@example.com"))!.Disabled);
        Assert.False(await staff.SetDisabledAsync("nobody@example.com", true));

        await staff.CreateSessionAsync(new StaffSession("tok2", "st_3", "csrf2", Noon, Noon.AddHours(8)));
        await staff.EndSessionsAsync("st_3");
        Assert.Null(await staff.FindSessionAsync("tok2", Noon.AddHours(1)));
    }

    [Fact]
    public async Task Notes_saved_replies_and_the_history_search()
    {
        var time = new ManualTime(Noon);
        await using var kit = await NewAsync(time);
        var notes = kit.Notes();
        var note = await notes.AddAsync("c1", new StaffRef("st_1", "Ann"), "called back, all fine");
        Assert.Equal([note], await notes.ListAsync("c1"));
        Assert.Empty(await notes.ListAsync("c2"));

        var replies = kit.SavedReplies();
        var reply = (await replies.SaveAsync(null, "hours", "We are open 9-5.", "st_1"))!;
        Assert.Equal("We are open 9-5, Mon-Fri.", (await replies.SaveAsync(reply.Id, "Hours", "We are open 9-5, Mon-Fri.", "st_2"))!.Text);
        Assert.Null(await replies.SaveAsync("sr_missing", "x", "y", "st_1"));
        await replies.SaveAsync(null, "Directions", "Park behind.", "st_1");
        Assert.Equal(["Directions", "Hours"], (await replies.ListAsync()).Select(r => r.Title));
        Assert.True(await replies.DeleteAsync(reply.Id));
        Assert.False(await replies.DeleteAsync(reply.Id));

        var store = kit.Conversations();
        await store.CreateAsync(State("c1", Noon));
        await store.CreateAsync(State("c3", Noon));
        var handed = (await store.GetAsync("c1"))! with { HandoffLog = [new HandoffLogEntry(Noon, "escalated", "cost"), new HandoffLogEntry(Noon.AddMinutes(3), "claimed", StaffId: "st_1")] };
        await store.SaveAsync(handed);
        await store.AppendAsync("c1", new Activity { Text = "How much does 100% of it cost?" });
        await store.AppendAsync("c3", new Activity { Text = "how much" });

        var history = kit.History();
        Assert.Equal(["c1"], (await history.SearchAsync(new HistoryQuery())).Select(s => s.ConversationId));
        Assert.Equal(["c1"], (await history.SearchAsync(new HistoryQuery("100%"))).Select(s => s.ConversationId));
        Assert.Equal(["c1"], (await history.SearchAsync(new HistoryQuery("ALL FINE", StaffId: "st_1"))).Select(s => s.ConversationId));
        Assert.Empty(await history.SearchAsync(new HistoryQuery("50%")));
        Assert.Empty(await history.SearchAsync(new HistoryQuery(Reason: "crisis")));
    }

    [Fact]
    public async Task Taught_questions_and_article_requests_are_added_listed_and_removed()
    {
        await using var kit = await NewAsync(new ManualTime(Noon));
        var teaching = kit.Teaching();
        var passage = new Passage(1, "driving.md", "Driving", "After", "Do not drive until the next day.", 0, 10, 0, 1);
        var taught = await teaching.AddTaughtAsync("can i drive home", passage, "st_1");
        Assert.Equal([taught], await teaching.ListTaughtAsync());
        Assert.Equal(taught, await teaching.RemoveTaughtAsync(taught.Id));
        Assert.Null(await teaching.RemoveTaughtAsync(taught.Id));
        Assert.Empty(await teaching.ListTaughtAsync());

        var request = await teaching.AddArticleRequestAsync("do you take insurance", "st_2");
        Assert.Equal([request], await teaching.ListArticleRequestsAsync());
        Assert.True(await teaching.RemoveArticleRequestAsync(request.Id));
        Assert.False(await teaching.RemoveArticleRequestAsync(request.Id));
    }

    [Fact]
    public async Task The_sign_in_throttle_counts_failures_per_account_and_address_and_forgets_them()
    {
        var time = new ManualTime(Noon);
        await using var kit = await NewAsync(time);
        var throttle = kit.Throttle(new StaffOptions { FreeSignInsPerAccount = 2, FreeSignInsPerAddress = 10, SignInResetMinutes = 15 });
        await throttle.RecordFailureAsync("ann@example.com", "10.0.0.1", counted: true);
        Assert.Null(await throttle.BlockedUntilAsync("ann@example.com", "10.0.0.1"));
        await throttle.RecordFailureAsync("ann@example.com", "10.0.0.1", counted: true);
        Assert.Equal(Noon.AddSeconds(1), await throttle.BlockedUntilAsync("ann@example.com", "10.0.0.9"));
        await throttle.RecordFailureAsync("ann@example.com", "10.0.0.1", counted: false);
        Assert.Equal(2, (await throttle.ListAsync()).Single(v => v.Key == SignInThrottle.AccountKey("ann@example.com")).Failures);

        await throttle.ClearAccountAsync("ann@example.com");
        Assert.Null(await throttle.BlockedUntilAsync("ann@example.com", "10.0.0.9"));
        Assert.True(await throttle.ClearAsync(SignInThrottle.AddressKey("10.0.0.1")));
        await throttle.RecordFailureAsync("bo@example.com", null, counted: true);
        time.Now = Noon.AddMinutes(20);
        Assert.Empty(await throttle.ListAsync());
        Assert.Equal(2, await throttle.PruneAsync());
    }

    [Fact]
    public async Task Bot_connector_references_and_activity_ids_are_kept_and_replaced()
    {
        await using var kit = await NewAsync();
        var references = kit.BotConnector();
        var id = BotConnectorConversations.LocalId("msteams", "19:abc");
        Assert.StartsWith(BotConnectorConversations.Prefix, id);
        Assert.Equal(25, id.Length);
        var reference = new ConversationReference("https://smba.example/", "msteams", new() { ["id"] = "19:abc", ["tenantId"] = "t1" }, new() { ["id"] = "bot" }, new() { ["id"] = "u1" }, "en-US");
        await references.SaveAsync(id, reference);
        await references.SaveAsync(id, reference with { Locale = "es-US" });
        var back = (await references.GetAsync(id))!;
        Assert.Equal(("es-US", "t1"), (back.Locale, back.Conversation["tenantId"]!.GetValue<string>()));
        Assert.Null(await references.GetAsync("bc_missing"));

        await references.MapActivityAsync($"{id}|0000001", "chan-1");
        await references.MapActivityAsync($"{id}|0000001", "chan-2");
        Assert.Equal("chan-2", await references.ChannelActivityIdAsync($"{id}|0000001"));
        Assert.Null(await references.ChannelActivityIdAsync($"{id}|0000002"));
    }

    [Fact]
    public async Task Erasing_removes_every_row_of_the_conversation_and_keeping_it_open_leaves_one_marker()
    {
        var time = new ManualTime(Noon);
        await using var kit = await NewAsync(time);
        var store = kit.Conversations();
        foreach (var id in new[] { "gone", "kept", "other" })
        {
            await store.CreateAsync(State(id, Noon));
            var incoming = await store.AppendIncomingAsync(id, new Activity { Type = ActivityTypes.Message, Text = $"my name is {id}" });
            await store.CompleteTurnAsync((await store.GetAsync(id))! with { FirstQuestion = "q" }, [new Activity { Text = "answer" }], incoming.Sequence,
                new FeedbackRecord(id, $"{id}|0000002", "like", "q", "answer", [], Noon), new TurnOutcome("answer", null));
            await kit.Callbacks().AddAsync(new CallbackRequest($"cb_{id}", id, "Name", "555", true, Noon));
            await kit.Notes().AddAsync(id, new StaffRef("st_1", "Ann"), "note");
            await kit.BotConnector().MapActivityAsync($"{id}|0000001", "x");
        }

        var eraser = kit.Eraser();
        Assert.True(await eraser.EraseAsync("gone", keepOpen: false));
        Assert.False(await eraser.EraseAsync("gone", keepOpen: false));
        Assert.Null(await store.GetAsync("gone"));
        Assert.Empty(await store.GetActivitiesAsync("gone", 0));
        Assert.Empty(await store.GetFeedbackAsync("gone"));
        Assert.Null(await kit.Callbacks().GetAsync("cb_gone"));
        Assert.Empty(await kit.Notes().ListAsync("gone"));
        Assert.Null(await kit.BotConnector().ChannelActivityIdAsync("gone|0000001"));

        time.Now = Noon.AddMinutes(1);
        Assert.True(await eraser.EraseAsync("kept", keepOpen: true));
        var marker = Assert.Single(await store.GetActivitiesAsync("kept", 0));
        Assert.Equal((2L, IConversationEraser.ErasedEventName, (string?)null), (marker.Sequence, marker.Activity.Name, marker.Activity.Text));
        var fresh = (await store.GetAsync("kept"))!;
        Assert.Null(fresh.FirstQuestion);
        Assert.Equal(3, (await store.AppendAsync("kept", new Activity { Text = "again" })).Sequence);
        await store.SaveAsync(fresh with { FirstQuestion = "new" });

        Assert.Equal(2, (await store.GetActivitiesAsync("other", 0)).Count);
        Assert.Single(await store.GetFeedbackAsync("other"));

        // Retention: what was not updated since the cutoff, and old feedback and callbacks whatever their conversation.
        Assert.Equal(["other"], await eraser.ExpiredAsync(Noon.AddSeconds(30)));
        await eraser.DeleteOldRecordsAsync(Noon.AddSeconds(1));
        Assert.Empty(await store.GetFeedbackAsync("other"));
        Assert.Null(await kit.Callbacks().GetAsync("cb_other"));
    }

    [Fact]
    public async Task Insights_count_outcomes_feedback_and_missed_questions_of_the_period()
    {
        var time = new ManualTime(Noon);
        await using var kit = await NewAsync(time);
        var store = kit.Conversations();
        await store.CreateAsync(State("c1", Noon));
        async Task TurnAsync(string text, string outcome)
        {
            var incoming = await store.AppendIncomingAsync("c1", new Activity { Type = ActivityTypes.Message, Text = text });
            await store.CompleteTurnAsync((await store.GetAsync("c1"))!, [new Activity { Text = "reply" }], incoming.Sequence, null, new TurnOutcome(outcome, null));
            time.Now = time.Now.AddMinutes(1);
        }

        await TurnAsync("can I drive", Outcomes.Answer);
        await TurnAsync("do you take insurance", Outcomes.Fallback);
        await TurnAsync("what about parking", Outcomes.Answer);
        await store.AddFeedbackAsync(new FeedbackRecord("c1", "c1|0000002", "dislike", "is it safe", "answer", [], Noon.AddMinutes(2)));
        await store.AppendAsync("c1", HandoffEvents.Initiate(new Escalation("ask-for-person", 50, Noon.AddMinutes(3))));
        time.Now = Noon.AddMinutes(10);
        await store.AppendAsync("c1", HandoffEvents.Status(HandoffEvents.Accepted, "Ann"));

        var day = DateOnly.FromDateTime(Noon.UtcDateTime);
        var report = await kit.Insights().ReportAsync(new InsightsPeriod(day, day), TimeZoneInfo.Utc);
        Assert.Equal(1, report.Conversations);
        Assert.Equal(new OutcomeCounts(2, 0, 1, 0, 0), report.Outcomes);
        Assert.Equal(new FeedbackCounts(0, 1), report.Feedback);
        Assert.Equal(1, report.TimeToClaim.Claims);
        Assert.Equal(3, report.MessagesByHour[12]);

        var missed = await kit.Insights().MissedAsync(new InsightsPeriod(day, day), TimeZoneInfo.Utc, TimeSpan.FromMinutes(10), 50);
        Assert.Equal(["is it safe", "do you take insurance"], missed.Select(m => m.Text));
        Assert.Empty(await kit.Insights().MissedAsync(new InsightsPeriod(day.AddDays(1), day.AddDays(1)), TimeZoneInfo.Utc, TimeSpan.FromMinutes(10), 50));
    }
}

public sealed class SqliteStoreTests : StoreContracts
{
    protected override Task<StorageKit> NewAsync(TimeProvider? time = null) => SqliteAsync(time);
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresFixture postgres) : StoreContracts
{
    protected override Task<StorageKit> NewAsync(TimeProvider? time = null) => PostgresAsync(postgres, "stores", time);
}
