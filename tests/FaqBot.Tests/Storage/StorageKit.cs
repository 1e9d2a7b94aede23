using FaqBot.Audit;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Insights;
using FaqBot.Privacy;
using FaqBot.Storage;
using FaqBot.Storage.Postgres;
using FaqBot.Storage.Sqlite;
using FaqBot.Teaching;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace FaqBot.Tests.Storage;

/// <summary>
/// One freshly migrated database of one provider and its stores, for the contract tests that run the same on SQLite
/// and PostgreSQL. <see cref="SecondInstanceAsync"/> opens the same database again (a second connection pool), as a
/// second FaqBot instance would.
/// </summary>
public sealed class StorageKit : IAsyncDisposable
{
    private readonly SqliteDatabase? _sqlite;
    private readonly PostgresDatabase? _postgres;

    private StorageKit(SqliteDatabase? sqlite, PostgresDatabase? postgres, TimeProvider time, StorageOptions options)
    {
        _sqlite = sqlite;
        _postgres = postgres;
        Time = time;
        Options = options;
    }

    public StorageProvider Provider => _postgres is null ? StorageProvider.Sqlite : StorageProvider.Postgres;

    public TimeProvider Time { get; }

    public StorageOptions Options { get; }

    public SqliteDatabase? Sqlite => _sqlite;

    public PostgresDatabase? Postgres => _postgres;

    public static async Task<StorageKit> SqliteAsync(TimeProvider? time = null, StorageOptions? options = null, string? path = null)
    {
        path ??= Path.Combine(TestPaths.TempRoot, $"{Guid.NewGuid():N}.db");
        var database = new SqliteDatabase($"Data Source={path}", Path.GetTempPath());
        await SchemaMigrator.MigrateAsync(database);
        return new StorageKit(database, null, time ?? TimeProvider.System, options ?? new StorageOptions());
    }

    public static async Task<StorageKit> PostgresAsync(PostgresFixture fixture, string label, TimeProvider? time = null, StorageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        var database = new PostgresDatabase(await fixture.CreateDatabaseAsync(label));
        await SchemaMigrator.MigrateAsync(database);
        return new StorageKit(null, database, time ?? TimeProvider.System, options ?? new StorageOptions());
    }

    /// <summary>The same database through a new connection pool, with its own instance id (a second FaqBot process).</summary>
    public Task<StorageKit> SecondInstanceAsync(TimeProvider? time = null)
    {
        var options = new StorageOptions { LeaseSeconds = Options.LeaseSeconds, PresenceExpirySeconds = Options.PresenceExpirySeconds };
        return Task.FromResult(_postgres is not null
            ? new StorageKit(null, new PostgresDatabase(new Npgsql.NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { ApplicationName = "second" }.ToString()), time ?? Time, options)
            : new StorageKit(new SqliteDatabase(_sqlite!.ConnectionString, Path.GetTempPath()), null, time ?? Time, options));
    }

    public IConversationStore Conversations() =>
        _postgres is not null ? new PostgresConversationStore(_postgres, Time, Options) : new SqliteConversationStore(_sqlite!, Time, Options);

    public IAuditLog Audit() => _postgres is not null ? new PostgresAuditLog(_postgres, Time) : new SqliteAuditLog(_sqlite!, Time);

    public ICallbackStore Callbacks() => _postgres is not null ? new PostgresCallbackStore(_postgres) : new SqliteCallbackStore(_sqlite!);

    public IStaffDirectory Staff() => _postgres is not null ? new PostgresStaffDirectory(_postgres) : new SqliteStaffDirectory(_sqlite!);

    public IStaffNoteStore Notes() => _postgres is not null ? new PostgresStaffNoteStore(_postgres, Time) : new SqliteStaffNoteStore(_sqlite!, Time);

    public ISavedReplyStore SavedReplies() => _postgres is not null ? new PostgresSavedReplyStore(_postgres, Time) : new SqliteSavedReplyStore(_sqlite!, Time);

    public IConversationHistory History() => _postgres is not null ? new PostgresConversationHistory(_postgres) : new SqliteConversationHistory(_sqlite!);

    public ISignInThrottle Throttle(StaffOptions? staff = null) => _postgres is not null
        ? new PostgresSignInThrottle(_postgres, Microsoft.Extensions.Options.Options.Create(staff ?? new StaffOptions()), Time)
        : new SqliteSignInThrottle(_sqlite!, Microsoft.Extensions.Options.Options.Create(staff ?? new StaffOptions()), Time);

    public ITeachingStore Teaching() => _postgres is not null ? new PostgresTeachingStore(_postgres, Time) : new SqliteTeachingStore(_sqlite!, Time);

    public IInsightsStore Insights() => _postgres is not null ? new PostgresInsightsStore(_postgres, Time) : new SqliteInsightsStore(_sqlite!, Time);

    public IConversationEraser Eraser() => _postgres is not null ? new PostgresConversationEraser(_postgres, Time) : new SqliteConversationEraser(_sqlite!, Time);

    public IBotConnectorConversations BotConnector() => _postgres is not null ? new PostgresBotConnectorConversations(_postgres) : new SqliteBotConnectorConversations(_sqlite!);

    public async ValueTask DisposeAsync()
    {
        _sqlite?.Dispose();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    public static ConversationState State(string id, DateTimeOffset? at = null) =>
        new() { ConversationId = id, UserId = "dl_u", CreatedAt = at ?? DateTimeOffset.UtcNow, UpdatedAt = at ?? DateTimeOffset.UtcNow };
}
