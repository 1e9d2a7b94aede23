using System.Text.Json.Nodes;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Storage;
using FaqBot.Tests.Staff;
using static FaqBot.Tests.Storage.StorageKit;

namespace FaqBot.Tests.Storage;

/// <summary>The conversation store's contract, run on SQLite and on PostgreSQL (the subclasses below).</summary>
public abstract class ConversationStoreContract
{
    protected abstract Task<StorageKit> NewAsync(TimeProvider? time = null, StorageOptions? options = null);

    [Fact]
    public async Task Appends_get_direct_line_ids_and_strictly_increasing_millisecond_timestamps_even_when_concurrent()
    {
        await using var kit = await NewAsync();
        var store = kit.Conversations();
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
    public async Task The_transcript_size_counts_every_message_but_no_event_and_names_the_last_sequence()
    {
        await using var kit = await NewAsync();
        var store = kit.Conversations();
        Assert.True(await store.CreateAsync(State("long")));
        Assert.Equal(new TranscriptSize(0, 0), await store.GetTranscriptSizeAsync("long"));

        // More than one page of activities (a transcript read used to stop at 500), with events among them.
        for (var i = 0; i < 520; i++)
        {
            await store.AppendAsync("long", i % 10 == 9 ? new Activity { Type = ActivityTypes.Event, Name = "faqbot.test" } : new Activity { Text = $"m{i}" });
        }

        Assert.Equal(new TranscriptSize(468, 520), await store.GetTranscriptSizeAsync("long"));
        Assert.Equal(new TranscriptSize(0, 0), await store.GetTranscriptSizeAsync("missing"));
    }

    [Fact]
    public async Task The_user_id_of_an_existing_conversation_is_read_without_its_state_and_an_unknown_one_is_null()
    {
        await using var kit = await NewAsync();
        var store = kit.Conversations();
        await store.CreateAsync(State("conv-user") with { UserId = "dl_patient7" });

        Assert.Equal("dl_patient7", await store.GetUserIdAsync("conv-user"));
        Assert.Null(await store.GetUserIdAsync("conv-unknown"));
        Assert.Null(await store.GetUserIdAsync("conv-user' OR '1'='1"));
    }

    [Fact]
    public async Task Two_instances_appending_to_one_conversation_get_unique_consecutive_sequences_and_increasing_times()
    {
        await using var kit = await NewAsync();
        await using var other = await kit.SecondInstanceAsync();
        var (a, b) = (kit.Conversations(), other.Conversations());
        await a.CreateAsync(State("shared"));

        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => (i % 2 == 0 ? a : b).AppendAsync("shared", new Activity { Text = $"m{i}" })));

        var stored = await a.GetActivitiesAsync("shared", 0);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), stored.Select(s => s.Sequence));
        Assert.Equal(30, stored.Select(s => s.Activity.Text).Distinct().Count());
        Assert.All(stored.Zip(stored.Skip(1)), p => Assert.True(p.Second.Activity.Timestamp > p.First.Activity.Timestamp));
    }

    [Fact]
    public async Task A_turn_completes_in_one_transaction_state_replies_feedback_and_processed_marker_or_nothing()
    {
        await using var kit = await NewAsync();
        var store = kit.Conversations();
        await store.CreateAsync(State("conv9"));
        var incoming = await store.AppendIncomingAsync("conv9", new Activity { Type = ActivityTypes.Message, Text = "can I drive afterward?" });
        Assert.Single(await store.ListUnprocessedAsync());

        var feedback = new FeedbackRecord("conv9", "conv9|0000001", "like", "q", "answer", ["p1"], DateTimeOffset.UtcNow);
        var current = (await store.GetAsync("conv9"))!;
        var stored = await store.CompleteTurnAsync(current with { FirstQuestion = "can I drive afterward?" },
            [new Activity { Text = "first", ReplyToId = incoming.Activity.Id }, new Activity { Text = "second", ReplyToId = incoming.Activity.Id }],
            incoming.Sequence, feedback, new TurnOutcome("answer", null));

        Assert.Equal([2L, 3L], stored.Select(s => s.Sequence));
        Assert.Equal(["first", "second"], (await store.GetActivitiesAsync("conv9", incoming.Sequence)).Select(s => s.Activity.Text));
        Assert.Equal("can I drive afterward?", (await store.GetAsync("conv9"))!.FirstQuestion);
        Assert.Single(await store.GetFeedbackAsync("conv9"));
        Assert.Empty(await store.ListUnprocessedAsync());

        // Completing the same turn again (another instance that took it up): nothing is stored, nothing said twice.
        Assert.Empty(await store.CompleteTurnAsync((await store.GetAsync("conv9"))!, [new Activity { Text = "twice" }], incoming.Sequence, null));
        Assert.Equal(3, (await store.GetActivitiesAsync("conv9", 0)).Count);

        // A conversation that does not exist: nothing of the turn is stored.
        var orphan = await store.AppendIncomingAsync("conv9", new Activity { Type = ActivityTypes.Message, Text = "again" });
        await Assert.ThrowsAsync<ConversationNotFoundException>(() => store.CompleteTurnAsync(State("missing"), [new Activity { Text = "lost" }], null, null));
        await Assert.ThrowsAsync<ConversationNotFoundException>(() => store.AppendIncomingAsync("missing", new Activity { Type = ActivityTypes.Message, Text = "lost" }));
        await Assert.ThrowsAsync<ConversationNotFoundException>(() => store.AppendAsync("missing", new Activity { Text = "lost" }));
        Assert.Empty(await store.GetActivitiesAsync("missing", 0));
        Assert.Equal(orphan.Sequence, Assert.Single(await store.ListUnprocessedAsync()).Sequence);

        // A stale state (saved meanwhile): a conflict, and nothing of the turn is stored, not even the marker.
        var stale = (await store.GetAsync("conv9"))!;
        await store.SaveAsync(stale with { ConsecutiveMisses = 1 });
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.CompleteTurnAsync(stale, [new Activity { Text = "stale" }], orphan.Sequence, null));
        Assert.Equal(orphan.Sequence, Assert.Single(await store.ListUnprocessedAsync()).Sequence);
        Assert.DoesNotContain(await store.GetActivitiesAsync("conv9", 0), a => a.Activity.Text == "stale");
    }

    [Fact]
    public async Task Unknown_fields_channel_data_and_local_timestamps_round_trip_unchanged()
    {
        await using var kit = await NewAsync();
        var store = kit.Conversations();
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
    public async Task The_queue_lists_by_risk_then_waiting_time_and_feedback_is_kept()
    {
        await using var kit = await NewAsync();
        var store = kit.Conversations();
        await store.CreateAsync(State("low"));
        await store.CreateAsync(State("urgent"));
        await store.CreateAsync(State("bot"));
        var now = DateTimeOffset.UtcNow;
        await store.SaveAsync((await store.GetAsync("low"))! with { Handoff = HandoffState.Queued, Escalation = new Escalation("cost", 10, now.AddMinutes(-5)) });
        await store.SaveAsync((await store.GetAsync("urgent"))! with { Handoff = HandoffState.Queued, Escalation = new Escalation("crisis", 100, now) });
        await store.AddFeedbackAsync(new FeedbackRecord("low", "k1", "dislike", "q?", "answer", ["passage"], now));

        var queue = await store.ListByHandoffAsync([HandoffState.Queued]);
        Assert.Equal(["urgent", "low"], queue.Select(s => s.ConversationId));
        Assert.Equal(["bot"], (await store.ListByHandoffAsync([HandoffState.Bot])).Select(s => s.ConversationId));
        var feedback = Assert.Single(await store.GetFeedbackAsync("low"));
        Assert.Equal(("dislike", "q?"), (feedback.Reaction, feedback.Question));
        Assert.Equal(["passage"], feedback.CitedPassages);
        await Assert.ThrowsAsync<ConversationNotFoundException>(() => store.SaveAsync(State("missing")));
    }

    [Fact]
    public async Task A_save_over_a_stale_version_is_a_conflict_and_changes_nothing()
    {
        await using var kit = await NewAsync();
        var store = kit.Conversations();
        await store.CreateAsync(State("c"));
        var read = (await store.GetAsync("c"))!;
        var saved = await store.SaveAsync(read with { FirstQuestion = "first" });
        Assert.Equal(read.Version + 1, saved.Version);
        Assert.Equal(saved.Version, (await store.GetAsync("c"))!.Version);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.SaveAsync(read with { FirstQuestion = "second" }));
        Assert.Equal("first", (await store.GetAsync("c"))!.FirstQuestion);
        Assert.Equal("third", (await store.SaveAsync(saved with { FirstQuestion = "third" })).FirstQuestion);
    }

    [Fact]
    public async Task Two_instances_racing_to_claim_the_same_chat_exactly_one_claim_wins_each_time()
    {
        await using var kit = await NewAsync();
        await using var other = await kit.SecondInstanceAsync();
        var (a, b) = (kit.Conversations(), other.Conversations());
        var rounds = kit.Provider == StorageProvider.Postgres ? 100 : 20;
        for (var round = 0; round < rounds; round++)
        {
            var id = $"race{round}";
            await a.CreateAsync(State(id) with { Handoff = HandoffState.Queued, Escalation = new Escalation("ask-for-person", 50, DateTimeOffset.UtcNow) });
            using var start = new SemaphoreSlim(0, 2);
            async Task<bool> ClaimAsync(IConversationStore store, StaffRef staff)
            {
                var state = (await store.GetAsync(id))!;
                await start.WaitAsync();
                if (state.Owner is not null)
                {
                    return false;
                }

                try
                {
                    await store.SaveAsync(state with { Handoff = HandoffState.WithStaff, Owner = staff });
                    return true;
                }
                catch (ConcurrencyConflictException)
                {
                    return false;
                }
            }

            var first = ClaimAsync(a, new StaffRef("st_a", "Ann"));
            var second = ClaimAsync(b, new StaffRef("st_b", "Bo"));
            start.Release(2);
            var won = await Task.WhenAll(first, second);

            Assert.Equal(1, won.Count(w => w));
            var owner = (await b.GetAsync(id))!.Owner!;
            Assert.Equal(won[0] ? "st_a" : "st_b", owner.Id);
        }
    }

    [Fact]
    public async Task Unprocessed_messages_are_leased_two_claimers_get_each_once_and_an_expired_lease_is_taken_up()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        await using var kit = await NewAsync(time, new StorageOptions { LeaseSeconds = 30 });
        await using var other = await kit.SecondInstanceAsync();
        var (a, b) = (kit.Conversations(), other.Conversations());
        await a.CreateAsync(State("c1"));
        await a.CreateAsync(State("c2"));
        var mine = await a.AppendIncomingAsync("c1", new Activity { Type = ActivityTypes.Message, Text = "stored by A" });

        // The instance that stored it holds its lease: nobody else takes it up meanwhile.
        Assert.Empty(await b.ClaimUnprocessedAsync());

        // Messages with no lease (stored before leases existed) go to exactly one of two racing claimers.
        var sequences = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            sequences.Add((await a.AppendIncomingAsync("c2", new Activity { Type = ActivityTypes.Message, Text = $"q{i}" })).Sequence);
        }

        time.Advance(TimeSpan.FromSeconds(31));
        var claims = await Task.WhenAll(a.ClaimUnprocessedAsync(limit: 6), b.ClaimUnprocessedAsync(limit: 6));
        var taken = claims.SelectMany(c => c).Select(s => (s.Activity.Conversation!.Id, s.Sequence)).ToList();
        Assert.Equal(taken.Count, taken.Distinct().Count());
        Assert.Equal(11, taken.Count + (await a.ClaimUnprocessedAsync()).Count + (await b.ClaimUnprocessedAsync()).Count);

        // Each is leased again: nothing more until those leases run out; then the one still unprocessed comes back, once.
        Assert.Empty(await b.ClaimUnprocessedAsync());
        foreach (var seq in sequences)
        {
            await a.MarkProcessedAsync("c2", seq);
        }

        time.Advance(TimeSpan.FromSeconds(31));
        var again = Assert.Single(await b.ClaimUnprocessedAsync());
        Assert.Equal(mine.Sequence, again.Sequence);
        Assert.Equal("stored by A", again.Activity.Text);
        Assert.Empty(await a.ClaimUnprocessedAsync());
        Assert.Single(await a.ClaimUnprocessedAsync(includeLeased: true));
    }
}

public sealed class SqliteConversationStoreTests : ConversationStoreContract
{
    protected override Task<StorageKit> NewAsync(TimeProvider? time = null, StorageOptions? options = null) => SqliteAsync(time, options);

    [Fact]
    public async Task States_and_activities_written_as_utf8_bytes_are_stored_as_text_that_sql_and_other_readers_read()
    {
        await using var kit = await NewAsync();
        var store = kit.Conversations();
        Assert.True(await store.CreateAsync(State("é1") with { FirstQuestion = "können Sie helfen? 😟" }));
        await store.AppendAsync("é1", new Activity { Text = "naïve “quotes” 😟" });
        await store.SaveAsync((await store.GetAsync("é1"))! with { FirstQuestion = "ça va? 😟" });

        Assert.Equal("text", await kit.Sqlite!.ScalarAsync("SELECT typeof(state_json) FROM conversations WHERE id = 'é1'"));
        Assert.Equal("text", await kit.Sqlite.ScalarAsync("SELECT typeof(json) FROM activities WHERE conversation_id = 'é1'"));
        Assert.Equal("ça va? 😟", await kit.Sqlite.ScalarAsync("SELECT json_extract(state_json, '$.firstQuestion') FROM conversations WHERE id = 'é1'"));
        Assert.Equal("naïve “quotes” 😟", await kit.Sqlite.ScalarAsync("SELECT json_extract(json, '$.text') FROM activities WHERE conversation_id = 'é1'"));
        Assert.Equal("ça va? 😟", (await store.GetAsync("é1"))!.FirstQuestion);
        Assert.Equal("naïve “quotes” 😟", Assert.Single(await store.GetActivitiesAsync("é1", 0)).Activity.Text);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresConversationStoreTests(PostgresFixture postgres) : ConversationStoreContract
{
    protected override Task<StorageKit> NewAsync(TimeProvider? time = null, StorageOptions? options = null) =>
        PostgresAsync(postgres, "conversations", time, options);
}
