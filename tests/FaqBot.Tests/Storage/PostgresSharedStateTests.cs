using System.Xml.Linq;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Hosting;
using FaqBot.Schema;
using FaqBot.Storage;
using FaqBot.Storage.Postgres;
using FaqBot.Tests.Staff;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static FaqBot.Tests.Storage.StorageKit;

namespace FaqBot.Tests.Storage;

/// <summary>What several instances share through PostgreSQL: keys, the signing secret, staff presence, and the notifications.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSharedStateTests(PostgresFixture postgres)
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_secret_is_created_once_when_instances_race_and_every_instance_reads_the_same()
    {
        await using var kit = await PostgresAsync(postgres, "secrets");
        await using var other = await kit.SecondInstanceAsync();
        var (a, b) = (new PostgresSecretStore(kit.Postgres!, TimeProvider.System), new PostgresSecretStore(other.Postgres!, TimeProvider.System));
        var created = 0;
        var values = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? a : b).GetOrCreateAsync("k", () =>
        {
            Interlocked.Increment(ref created);
            return $"value{i}";
        })));

        Assert.Single(values.Distinct());
        Assert.True(created >= 1);
        Assert.Equal(values[0], await b.GetOrCreateAsync("k", () => "never"));
    }

    [Fact]
    public async Task The_data_protection_key_ring_is_shared_so_one_instance_reads_what_another_protected()
    {
        await using var kit = await PostgresAsync(postgres, "keys");
        await using var other = await kit.SecondInstanceAsync();
        var repository = new DatabaseXmlRepository(new PostgresDataProtectionKeys(kit.Postgres!, TimeProvider.System));
        repository.StoreElement(new XElement("key", new XAttribute("id", "1")), "key-1");
        repository.StoreElement(new XElement("key", new XAttribute("id", "other")), "key-1");
        Assert.Equal("1", Assert.Single(new DatabaseXmlRepository(new PostgresDataProtectionKeys(other.Postgres!, TimeProvider.System)).GetAllElements()).Attribute("id")!.Value);

        static IDataProtector Protector(PostgresDatabase database)
        {
            var services = new ServiceCollection();
            services.AddDataProtection().SetApplicationName("FaqBot");
            services.Configure<KeyManagementOptions>(o => o.XmlRepository = new DatabaseXmlRepository(new PostgresDataProtectionKeys(database, TimeProvider.System)));
            return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
        }

        await using var third = await PostgresAsync(postgres, "keys2");
        await using var fourth = await third.SecondInstanceAsync();
        var cookie = Protector(third.Postgres!).Protect("staff session");
        Assert.Equal("staff session", Protector(fourth.Postgres!).Unprotect(cookie));
    }

    [Fact]
    public async Task Presence_is_seen_by_other_instances_and_expires_when_an_instance_stops_its_heartbeat()
    {
        var time = new ManualTime(Noon);
        await using var kit = await PostgresAsync(postgres, "presence", time, new StorageOptions { PresenceExpirySeconds = 45 });
        await using var other = await kit.SecondInstanceAsync();
        await kit.Staff().AddAsync(new StaffAccount("st_1", "ann@example.com", "Ann", StaffRoles.Staff, "h", false, 0, null, Noon));
        using var a = new StaffPresence(new PostgresStaffPresenceStore(kit.Postgres!), kit.Options, time);
        using var b = new StaffPresence(new PostgresStaffPresenceStore(other.Postgres!), other.Options, time);

        using (a.Enter(new StaffRef("st_1", "Ann")))
        {
            await a.SyncAsync();
            await b.SyncAsync();
            Assert.True(b.AnyoneOnline);
            Assert.True(b.IsOnline("st_1"));
            Assert.Equal([new StaffRef("st_1", "Ann")], b.Online);

            // Instance A dies (no more heartbeats): after the expiry B no longer counts its console.
            time.Advance(TimeSpan.FromSeconds(46));
            await b.SyncAsync();
            Assert.False(b.AnyoneOnline);
            Assert.True(a.IsOnline("st_1"));
        }

        await a.SyncAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        await b.SyncAsync();
        Assert.False(b.IsOnline("st_1"));
    }

    [Fact]
    public async Task Appends_and_queue_changes_are_announced_with_ids_and_sequences_never_text_once_committed()
    {
        await using var kit = await PostgresAsync(postgres, "notify");
        var store = kit.Conversations();
        await using var listener = new NpgsqlConnection(kit.Postgres!.ConnectionString);
        await listener.OpenAsync();
        var heard = new List<(string Channel, string Payload)>();
        listener.Notification += (_, e) => heard.Add((e.Channel, e.Payload));
        await using (var listen = new NpgsqlCommand($"LISTEN {PostgresConversationStore.ActivityChannel}; LISTEN {PostgresConversationStore.QueueChannel};", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        await store.CreateAsync(State("c1"));
        var incoming = await store.AppendIncomingAsync("c1", new Activity { Type = ActivityTypes.Message, Text = "secret words" });
        var state = (await store.GetAsync("c1"))!;
        await store.CompleteTurnAsync(state with { Handoff = HandoffState.Queued, Escalation = new Escalation("crisis", 100, Noon) },
            [new Activity { Text = "reply one" }, new Activity { Text = "reply two" }], incoming.Sequence, null);
        var rolledBack = (await store.GetAsync("c1"))!;
        await store.SaveAsync(rolledBack with { ConsecutiveMisses = 2 }); // no handoff change: no queue notice
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.CompleteTurnAsync(rolledBack, [new Activity { Text = "never" }], null, null));

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (heard.Count < 3)
        {
            await listener.WaitAsync(cancel.Token);
        }

        await using (var drain = new NpgsqlCommand("SELECT 1", listener))
        {
            await drain.ExecuteScalarAsync();
        }

        Assert.Equal(
            [(PostgresConversationStore.ActivityChannel, "c1:1"), (PostgresConversationStore.QueueChannel, "c1"), (PostgresConversationStore.ActivityChannel, "c1:3")],
            heard);
    }
}
