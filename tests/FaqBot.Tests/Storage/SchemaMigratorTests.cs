using FaqBot.Conversation;
using FaqBot.Schema;
using FaqBot.Storage;
using FaqBot.Storage.Postgres;
using FaqBot.Storage.Sqlite;
using FaqBot.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace FaqBot.Tests.Storage;

/// <summary>One versioned schema per provider, applied once by one migrator; databases made before it are adopted.</summary>
public sealed class SqliteSchemaMigratorTests
{
    /// <summary>What FaqBot created at start-up before migrations existed (its CREATE statements of that time, verbatim).</summary>
    private const string OldSchema = """
        CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, handoff TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 0,
            escalated_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, state_json TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_conversations_handoff ON conversations(handoff);
        CREATE TABLE IF NOT EXISTS activities (conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, ts TEXT NOT NULL, json TEXT NOT NULL,
            PRIMARY KEY (conversation_id, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL, activity_id TEXT NOT NULL,
            reaction TEXT NOT NULL, question TEXT, outcome TEXT, cited_json TEXT NOT NULL, at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS turns (conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, processed_at TEXT, {0}
            PRIMARY KEY (conversation_id, seq)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_turns_unprocessed ON turns(processed_at) WHERE processed_at IS NULL;
        CREATE TABLE IF NOT EXISTS audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            outcome TEXT NOT NULL, target TEXT, address TEXT);
        CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TABLE IF NOT EXISTS channel_keys (name TEXT PRIMARY KEY, key BLOB NOT NULL);
        INSERT INTO conversations VALUES ('old1', 'dl_u', 'Queued', 50, '2026-01-01T10:00:00.0000000+00:00', '2026-01-01T09:00:00.0000000+00:00',
            '2026-01-01T10:00:00.0000000+00:00', '{"conversationId":"old1","userId":"dl_u","handoff":1,"firstQuestion":"can I drive?"}');
        INSERT INTO activities VALUES ('old1', 1, '2026-01-01T09:00:00.0000000+00:00', '{"type":"message","id":"old1|0000001","text":"can I drive?"}');
        INSERT INTO turns (conversation_id, seq) VALUES ('old1', 1);
        INSERT INTO audit_log (at, actor, action, outcome) VALUES ('2026-01-01T09:00:00.0000000+00:00', 'system', 'backup', 'done');
        """;

    [Theory]
    [InlineData("")]
    [InlineData("outcome TEXT, reason TEXT,")]
    public async Task A_database_made_before_migrations_is_adopted_with_its_data(string turnColumns)
    {
        var path = Path.Combine(TestPaths.TempRoot, $"{Guid.NewGuid():N}.db");
        var database = new SqliteDatabase($"Data Source={path}", Path.GetTempPath());
        await database.ExecuteAsync(OldSchema.Replace("{0}", turnColumns, StringComparison.Ordinal));

        var applied = await SchemaMigrator.MigrateAsync(database);
        Assert.Equal(SchemaMigrator.For(StorageProvider.Sqlite).Select(m => m.Name), applied.Select(m => m.Name));
        Assert.Empty(await SchemaMigrator.MigrateAsync(database));

        var store = new SqliteConversationStore(database, TimeProvider.System);
        var state = (await store.GetAsync("old1"))!;
        Assert.Equal(("can I drive?", 0L), (state.FirstQuestion, state.Version));
        Assert.Equal("old1", Assert.Single(await store.ListByHandoffAsync([FaqBot.Handoff.HandoffState.Queued])).ConversationId);
        var pending = Assert.Single(await store.ClaimUnprocessedAsync());
        Assert.Equal("can I drive?", pending.Activity.Text);
        Assert.Equal(2, (await store.AppendAsync("old1", new Activity { Text = "next" })).Sequence);
        await store.SaveAsync(state with { FirstQuestion = "changed" });
        await store.MarkProcessedAsync("old1", 1, new TurnOutcome("answer", null));
        Assert.Single(await new SqliteAuditLog(database, TimeProvider.System).ListAsync());
        Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM sqlite_master WHERE name = 'channel_keys'"));
        Assert.Equal((long)applied.Count, await database.ScalarAsync("SELECT count(*) FROM schema_version"));
    }

    [Fact]
    public async Task Activities_move_to_an_appended_table_with_every_row_in_the_order_written_and_their_key_still_unique()
    {
        var path = Path.Combine(TestPaths.TempRoot, $"{Guid.NewGuid():N}.db");
        var database = new SqliteDatabase($"Data Source={path}", Path.GetTempPath());
        await database.ExecuteAsync(OldSchema.Replace("{0}", "", StringComparison.Ordinal) + """
            INSERT INTO activities VALUES ('zz', 1, '2026-01-01T08:00:00.0000000+00:00', '{"type":"message","text":"first of all"}');
            INSERT INTO activities VALUES ('aa', 2, '2026-01-01T11:00:00.0000000+00:00', '{"type":"message","text":"last"}');
            INSERT INTO activities VALUES ('aa', 1, '2026-01-01T09:30:00.0000000+00:00', '{"type":"message","text":"between"}');
            """);
        const string Rows = "SELECT conversation_id || '/' || seq || '/' || ts || '/' || json FROM activities ORDER BY conversation_id, seq";
        var before = await ReadAllAsync(database, Rows);

        await SchemaMigrator.MigrateAsync(database);

        Assert.Equal(before, await ReadAllAsync(database, Rows));
        Assert.DoesNotContain("WITHOUT ROWID", (string)(await database.ScalarAsync("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'activities'"))!, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["zz/1", "old1/1", "aa/1", "aa/2"], await ReadAllAsync(database, "SELECT conversation_id || '/' || seq FROM activities ORDER BY rowid"));
        var duplicate = await Assert.ThrowsAsync<SqliteException>(() => database.ExecuteAsync("INSERT INTO activities (conversation_id, seq, ts, json) VALUES ('aa', 2, 'now', '{}')"));
        Assert.Equal(19, duplicate.SqliteErrorCode); // SQLITE_CONSTRAINT
        var store = new SqliteConversationStore(database, TimeProvider.System);
        Assert.Equal(["between", "last"], (await store.GetActivitiesAsync("aa", 0, 10)).Select(a => a.Activity.Text));
    }

    private static async Task<List<string>> ReadAllAsync(SqliteDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    [Fact]
    public void Each_provider_has_ordered_numbered_scripts_and_no_store_creates_tables()
    {
        foreach (var provider in Enum.GetValues<StorageProvider>())
        {
            var migrations = SchemaMigrator.For(provider);
            Assert.Equal(Enumerable.Range(1, migrations.Count), migrations.Select(m => m.Version));
            Assert.StartsWith("001_initial", migrations[0].Name, StringComparison.Ordinal);
        }

        var sources = Directory.GetFiles(Path.Combine(Infrastructure.TestPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        Assert.Equal([], sources.Where(f => File.ReadAllText(f).Contains("CREATE TABLE", StringComparison.OrdinalIgnoreCase) && !f.EndsWith("SchemaMigrator.cs", StringComparison.Ordinal)));
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaMigratorTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Instances_starting_together_apply_each_migration_once()
    {
        var connectionString = await postgres.CreateDatabaseAsync(nameof(PostgresSchemaMigratorTests));
        await using var first = new PostgresDatabase(connectionString);
        await using var second = new PostgresDatabase(connectionString);
        var applied = await Task.WhenAll(SchemaMigrator.MigrateAsync(first), SchemaMigrator.MigrateAsync(second));

        Assert.Equal(SchemaMigrator.For(StorageProvider.Postgres).Count, applied.Sum(a => a.Count));
        Assert.Empty(await SchemaMigrator.MigrateAsync(first));
        Assert.Equal(SchemaMigrator.For(StorageProvider.Postgres).Count, await first.ScalarAsync<int>("SELECT count(*) FROM schema_version"));
    }
}
