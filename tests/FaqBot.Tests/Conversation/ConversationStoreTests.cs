using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Storage;
using System.Text.Json.Nodes;

namespace FaqBot.Tests.Conversation;

/// <summary>The SQLite conversation store on a real database file.</summary>
public sealed class ConversationStoreTests
{
    private static async Task<SqliteConversationStore> NewStoreAsync(string? path = null)
    {
        path ??= Path.Combine(Path.GetTempPath(), "faqbot-tests", $"{Guid.NewGuid():N}.db");
        var store = new SqliteConversationStore(new SqliteDatabase($"Data Source={path}", Path.GetTempPath()), TimeProvider.System);
        await store.InitializeAsync();
        return store;
    }

    private static ConversationState State(string id) => new() { ConversationId = id, UserId = "dl_u", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };

    [Fact]
    public async Task Appends_get_direct_line_ids_and_strictly_increasing_millisecond_timestamps_even_when_concurrent()
    {
        var store = await NewStoreAsync();
        Assert.True(await store.CreateAsync(State("conv1")));
        Assert.False(await store.CreateAsync(State("conv1")));

        var appended = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => store.AppendAsync("conv1", new Activity { Text = $"m{i}" })));

        var stored = await store.GetActivitiesAsync("conv1", 0);
        Assert.Equal(40, stored.Count);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), stored.Select(s => s.Sequence));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => $"conv1|{i:D7}"), stored.Select(s => s.Activity.Id));
        for (var i = 1; i < stored.Count; i++)
        {
            Assert.True(stored[i].Activity.Timestamp > stored[i - 1].Activity.Timestamp);
        }

        Assert.Equal(appended.Select(a => a.Activity.Text).Order(), stored.Select(s => s.Activity.Text).Order());
        Assert.Equal(2, (await store.GetActivitiesAsync("conv1", 38)).Count);
    }

    [Fact]
    public async Task A_turn_completes_in_one_transaction_state_replies_feedback_and_processed_marker_or_nothing()
    {
        var store = await NewStoreAsync();
        await store.CreateAsync(State("conv9"));
        var incoming = await store.AppendIncomingAsync("conv9", new Activity { Type = ActivityTypes.Message, Text = "can I drive afterward?" });
        Assert.Single(await store.ListUnprocessedAsync());

        var feedback = new FeedbackRecord("conv9", "conv9|0000001", "like", "q", "answer", ["p1"], DateTimeOffset.UtcNow);
        var stored = await store.CompleteTurnAsync(State("conv9") with { FirstQuestion = "can I drive afterward?" },
            [new Activity { Text = "first", ReplyToId = incoming.Activity.Id }, new Activity { Text = "second", ReplyToId = incoming.Activity.Id }],
            incoming.Sequence, feedback, new TurnOutcome("answer", null));

        Assert.Equal([2L, 3L], stored.Select(s => s.Sequence));
        Assert.Equal(["first", "second"], (await store.GetActivitiesAsync("conv9", incoming.Sequence)).Select(s => s.Activity.Text));
        Assert.Equal("can I drive afterward?", (await store.GetAsync("conv9"))!.FirstQuestion);
        Assert.Single(await store.GetFeedbackAsync("conv9"));
        Assert.Empty(await store.ListUnprocessedAsync());

        // A conversation that does not exist: nothing of the turn is stored.
        var orphan = await store.AppendIncomingAsync("conv9", new Activity { Type = ActivityTypes.Message, Text = "again" });
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CompleteTurnAsync(State("missing"), [new Activity { Text = "lost" }], orphan.Sequence, null));
        Assert.Empty(await store.GetActivitiesAsync("missing", 0));
        Assert.Equal(orphan.Sequence, Assert.Single(await store.ListUnprocessedAsync()).Sequence);
    }

    [Fact]
    public async Task Unknown_fields_channel_data_and_local_timestamps_round_trip_unchanged()
    {
        var store = await NewStoreAsync();
        await store.CreateAsync(State("conv2"));
        var activity = System.Text.Json.JsonSerializer.Deserialize<Activity>(
            """{"type":"message","text":"hi","localTimestamp":"2025-05-01T12:00:00.123+02:00","channelData":{"clientActivityID":"abc","x":[1,2]},"futureField":{"a":1}}""",
            ActivityJson.Options)!;

        await store.AppendAsync("conv2", activity);
        var back = (await store.GetActivitiesAsync("conv2", 0)).Single().Activity;

        Assert.Equal("2025-05-01T12:00:00.123+02:00", back.LocalTimestamp);
        Assert.Equal("abc", back.ChannelData!["clientActivityID"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":1}"""), JsonNode.Parse(back.Extra!["futureField"].GetRawText())));
    }

    [Fact]
    public async Task State_queue_and_feedback_survive_reopening_the_database()
    {
        var path = Path.Combine(Path.GetTempPath(), "faqbot-tests", $"{Guid.NewGuid():N}.db");
        var store = await NewStoreAsync(path);
        await store.CreateAsync(State("low"));
        await store.CreateAsync(State("urgent"));
        var now = DateTimeOffset.UtcNow;
        await store.SaveAsync(State("low") with { Handoff = HandoffState.Queued, Escalation = new Escalation("cost", 10, now.AddMinutes(-5)) });
        await store.SaveAsync(State("urgent") with { Handoff = HandoffState.Queued, Escalation = new Escalation("crisis", 100, now) });
        await store.AddFeedbackAsync(new FeedbackRecord("low", "k1", "dislike", "q?", "answer", ["passage"], now));

        var reopened = await NewStoreAsync(path);

        var queue = await reopened.ListByHandoffAsync([HandoffState.Queued]);
        Assert.Equal(["urgent", "low"], queue.Select(s => s.ConversationId));
        var feedback = Assert.Single(await reopened.GetFeedbackAsync("low"));
        Assert.Equal(("dislike", "q?"), (feedback.Reaction, feedback.Question));
        await Assert.ThrowsAsync<InvalidOperationException>(() => reopened.SaveAsync(State("missing")));
    }
}
