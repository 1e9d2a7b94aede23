using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using FaqBot.Conversation;
using FaqBot.Schema;
using FaqBot.Storage;
using FaqBot.Storage.Sqlite;

namespace FaqBot.Bench;

/// <summary>
/// The SQLite writes of one patient message, one at a time (no group commit to share): the message stored with its
/// pending turn, the conversation read, then the turn completed (state, reply, "processed" marker) in one transaction.
/// A file database in WAL as FaqBot runs it, 200 conversations in turn. Time and allocations per message; not run by
/// the tests (<c>dotnet run -c Release --project bench/FaqBot.Bench -- --filter '*MessageWrites*'</c>).
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class MessageWritesBenchmark
{
    private const int Conversations = 200;

    private string _folder = "";
    private SqliteDatabase _database = null!;
    private SqliteConversationStore _store = null!;
    private int _next;

    private static readonly Activity Question = new() { Type = ActivityTypes.Message, Text = "can I drive afterward?", From = new ChannelAccount("patient", null, RoleTypes.User) };

    private static readonly Activity Reply = new()
    {
        Type = ActivityTypes.Message,
        From = ConversationService.Bot,
        Text = "Here's what our article says:\n\n“Arrange for someone to drive you home after the infusion.” [1]",
        TextFormat = "markdown",
    };

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    /// <summary>A fresh database in a folder of its own, migrated, with <see cref="Conversations"/> conversations.</summary>
    public async Task SetupAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"faqbot-bench-writes-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
        _database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "faqbot.db")}", _folder);
        await SchemaMigrator.MigrateAsync(_database);
        _store = new SqliteConversationStore(_database, TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < Conversations; i++)
        {
            await _store.CreateAsync(new ConversationState { ConversationId = Id(i), UserId = $"user-{i}", CreatedAt = now, UpdatedAt = now });
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>One message's writes; returns the stored reply's sequence number.</summary>
    [Benchmark(Description = "one message's writes")]
    public Task<long> Message() => MessageAsync();

    public async Task<long> MessageAsync()
    {
        var id = Id(_next++ % Conversations);
        var incoming = await _store.AppendIncomingAsync(id, Question);
        var state = await _store.GetAsync(id) ?? throw new InvalidOperationException($"{id} is missing");
        var stored = await _store.CompleteTurnAsync(state with { UpdatedAt = DateTimeOffset.UtcNow }, [Reply with { ReplyToId = incoming.Activity.Id }], incoming.Sequence, feedback: null);
        return stored[0].Sequence;
    }

    /// <summary>The read every turn starts with: a conversation's state.</summary>
    [Benchmark(Description = "a conversation's state read")]
    public async Task<long> ReadState() => (await _store.GetAsync(Id(_next++ % Conversations)))!.Version;

    private static string Id(int i) => $"bench-{i:D4}";

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithWarmupCount(5).WithIterationCount(20));
    }
}
