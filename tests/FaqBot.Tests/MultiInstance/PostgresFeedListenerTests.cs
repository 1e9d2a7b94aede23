using FaqBot.Conversation;
using FaqBot.Storage.Postgres;
using FaqBot.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace FaqBot.Tests.MultiInstance;

/// <summary>The listener of PostgreSQL notifications on a real server: it wakes local subscribers and survives losing its connection.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresFeedListenerTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60); // only so a broken listener fails instead of hanging

    [Fact]
    public async Task Notifications_wake_subscribers_and_after_a_lost_connection_everyone_catches_up_and_listening_resumes()
    {
        var database = await postgres.CreateDatabaseAsync(nameof(PostgresFeedListenerTests));
        var feed = new ConversationFeed();
        using var stream = feed.Subscribe("conv-1");
        using var console = feed.SubscribeAll();
        using var relay = feed.SubscribeAll(localOnly: true);
        using var listener = new PostgresFeedListener(database, feed, TimeProvider.System, NullLogger<PostgresFeedListener>.Instance)
        {
            InitialBackoff = TimeSpan.FromMilliseconds(50),
        };
        await listener.StartAsync(CancellationToken.None);
        await listener.Listening.WaitAsync(Guard);
        Assert.True((await NextAsync(stream)).CatchUp); // listening: read whatever was stored before
        Assert.True((await NextAsync(console)).CatchUp);

        await NotifyAsync(database, PostgresFeedListener.ActivityChannel, "conv-1:12");
        await NotifyAsync(database, PostgresFeedListener.QueueChannel, "conv-1");

        Assert.Equal(12, (await NextAsync(stream)).StoredElsewhere);
        Assert.Equal(12, (await NextAsync(console)).StoredElsewhere);
        var queue = await NextAsync(console);
        Assert.True(queue.QueueChanged);
        Assert.Equal("conv-1", queue.ConversationId);

        // The server drops the listening connection (as a restart or a network failure would).
        await using (var admin = new NpgsqlConnection(database))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @name", admin);
            kill.Parameters.AddWithValue("name", PostgresFeedListener.ApplicationName);
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }

        var caughtUp = await NextAsync(stream);
        Assert.True(caughtUp.CatchUp, "after reconnecting, every stream reads from the store what it may have missed");
        Assert.True((await NextAsync(console)).CatchUp);
        Assert.Equal(2, listener.Connections);

        await NotifyAsync(database, PostgresFeedListener.ActivityChannel, "conv-1:13");
        Assert.Equal(13, (await NextAsync(stream)).StoredElsewhere);
        Assert.False(relay.Reader.TryRead(out _)); // other instances' activities are never relayed here

        await listener.StopAsync(CancellationToken.None);
    }

    private static async Task NotifyAsync(string connectionString, string channel, string payload)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        notify.Parameters.AddWithValue("channel", channel);
        notify.Parameters.AddWithValue("payload", payload);
        await notify.ExecuteNonQueryAsync();
    }

    private static async Task<FeedItem> NextAsync(FeedSubscription subscription)
    {
        using var guard = new CancellationTokenSource(Guard);
        return await subscription.Reader.ReadAsync(guard.Token);
    }
}
