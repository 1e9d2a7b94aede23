using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Storage;
using FaqBot.Tests.Staff;
using static FaqBot.Tests.Storage.StorageKit;

namespace FaqBot.Tests.Storage;

/// <summary>Moving a clinic: SQLite -> file -> PostgreSQL -> file gives the same file, and the moved clinic works.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TableDumpTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_clinic_moves_from_sqlite_to_postgres_and_back_unchanged()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567));
        await using var source = await SqliteAsync(time);
        var store = source.Conversations();
        await store.CreateAsync(State("c1", time.Now));
        var incoming = await store.AppendIncomingAsync("c1", new Activity { Type = ActivityTypes.Message, Text = "Ünïcode, \"quotes\" and a\nnew line" });
        await store.CompleteTurnAsync((await store.GetAsync("c1"))! with { Handoff = HandoffState.WithStaff, Owner = new StaffRef("st_1", "Ann") },
            [new Activity { Text = "reply" }], incoming.Sequence, new FeedbackRecord("c1", "c1|0000002", "like", "q", "answer", ["p"], time.Now), new TurnOutcome("answer", null));
        await store.AppendIncomingAsync("c1", new Activity { Type = ActivityTypes.Message, Text = "unanswered" });
        await source.Staff().AddAsync(new StaffAccount("st_1", "ann@example.com", "Ann", StaffRoles.Admin, "hash", false, 0, null, time.Now));
        await source.Staff().CreateSessionAsync(new StaffSession("tok", "st_1", "csrf", time.Now, time.Now.AddHours(8)));
        await source.Callbacks().AddAsync(new CallbackRequest("cb_1", "c1", "Ann", "555", true, time.Now));
        await source.Notes().AddAsync("c1", new StaffRef("st_1", "Ann"), "note");
        await source.SavedReplies().SaveAsync(null, "Hours", "9-5", "st_1");
        await source.Teaching().AddArticleRequestAsync("insurance?", "st_1");
        await source.Audit().AppendAsync(new FaqBot.Audit.AuditRecord("st_1", "claim", "done", "c1"));
        await source.Throttle().RecordFailureAsync("x@example.com", "10.0.0.1", counted: true);
        await source.BotConnector().MapActivityAsync("c1|0000002", "chan");

        var first = new StringWriter();
        var rows = await new TableDump(sqlite: source.Sqlite).ExportAsync(first);
        Assert.True(rows >= 15);

        await using var target = await PostgresAsync(postgres, "dump", time);
        Assert.Equal(rows, await new TableDump(postgres: target.Postgres).ImportAsync(new StringReader(first.ToString())));
        var second = new StringWriter();
        await new TableDump(postgres: target.Postgres).ExportAsync(second);
        Assert.Equal(first.ToString(), second.ToString());

        // The moved clinic goes on: the next message is numbered after the imported ones, ids continue, the owner is known.
        var moved = target.Conversations();
        Assert.Equal(4, (await moved.AppendAsync("c1", new Activity { Text = "after the move" })).Sequence);
        Assert.Equal("st_1", (await moved.GetAsync("c1"))!.Owner!.Id);
        Assert.Equal(2, (await target.Notes().AddAsync("c1", new StaffRef("st_1", "Ann"), "second")).Id);
        Assert.Single(await moved.ClaimUnprocessedAsync(includeLeased: true));

        // And back into a new SQLite file: the same content again; a non-empty database is refused.
        await using var back = await SqliteAsync(time);
        await new TableDump(sqlite: back.Sqlite).ImportAsync(new StringReader(first.ToString()));
        var third = new StringWriter();
        await new TableDump(sqlite: back.Sqlite).ExportAsync(third);
        Assert.Equal(first.ToString(), third.ToString());
        await Assert.ThrowsAsync<InvalidOperationException>(() => new TableDump(sqlite: back.Sqlite).ImportAsync(new StringReader(first.ToString())));
    }

    [Theory]
    [InlineData("garbage", "Line 1 is not JSON")]
    [InlineData("{\"format\":\"faqbot-export\",\"version\":1}\nnot json", "Line 3 is not JSON")]
    [InlineData("{\"format\":\"faqbot-export\",\"version\":1}\n[1,2]", "Line 3 is not a table row")]
    [InlineData("{\"format\":\"faqbot-export\",\"version\":1}\n{\"table\":\"nope\",\"row\":{}}", "Line 3: unknown table nope")]
    public async Task A_file_that_is_not_an_export_is_refused_naming_the_line_and_nothing_is_stored(string file, string expected)
    {
        var time = new ManualTime(new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.Zero));
        await using var target = await SqliteAsync(time);
        var staffRow = "{\"table\":\"staff\",\"row\":{\"id\":\"st_1\",\"email\":\"ann@example.com\",\"name\":\"Ann\",\"role\":\"admin\",\"password_hash\":\"h\",\"disabled\":false,\"failed_sign_ins\":0,\"created_at\":\"2026-11-02T12:00:00.000000Z\"}}";
        // A valid row before the bad line: the import is one transaction, so it must not stay behind.
        var lines = file.Split('\n');
        var text = lines.Length > 1 ? string.Join('\n', [lines[0], staffRow, .. lines[1..]]) : file;
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new TableDump(sqlite: target.Sqlite).ImportAsync(new StringReader(text)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal); // lines counted with the row inserted as line 2
        Assert.Empty(await target.Staff().ListAsync());
    }
}
