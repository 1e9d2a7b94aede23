using FaqBot.Conversation;
using FaqBot.Tests.Infrastructure;
using FaqBot.Tests.Staff;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Conversation;

/// <summary>The per-conversation lock keeps turns in order inside a process and forgets a conversation once idle.</summary>
public sealed class KeyedLockTests
{
    [Fact]
    public async Task An_entry_exists_while_held_or_awaited_and_is_removed_when_the_last_holder_releases()
    {
        var locks = new KeyedLock();

        var first = await locks.AcquireAsync("a");
        var second = locks.AcquireAsync("a"); // waits behind the first
        using (await locks.AcquireAsync("b"))
        {
            Assert.Equal(2, locks.Count);
        }

        Assert.False(second.IsCompleted);
        Assert.Equal(1, locks.Count);
        first.Dispose();
        first.Dispose(); // a second dispose must not release anyone else's hold
        var held = await second;
        Assert.Equal(1, locks.Count);
        held.Dispose();

        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_no_entry_behind()
    {
        var locks = new KeyedLock();
        var holder = await locks.AcquireAsync("a");
        using var cancel = new CancellationTokenSource();
        var waiter = locks.AcquireAsync("a", cancel.Token);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        holder.Dispose();

        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task Holders_of_one_key_never_overlap_and_everything_is_evicted_afterwards()
    {
        var locks = new KeyedLock();
        var inside = new int[10];
        var overlaps = 0;

        await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(async () =>
        {
            var key = (i % 10).ToString(System.Globalization.CultureInfo.InvariantCulture);
            using (await locks.AcquireAsync(key))
            {
                if (Interlocked.Increment(ref inside[i % 10]) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                await Task.Yield();
                Interlocked.Decrement(ref inside[i % 10]);
            }
        })));

        Assert.Equal(0, overlaps);
        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task The_conversation_service_keeps_no_lock_for_conversations_that_are_idle()
    {
        await using var server = new FaqBotServer();
        var conversations = server.Services.GetRequiredService<ConversationService>();

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var id = $"conv{Guid.NewGuid():N}"[..20];
            Assert.True(await conversations.StartAsync(id, StaffKit.Patient, "directline", "en-US"));
            ids.Add(id);
        }

        await Task.WhenAll(ids.Select(id => StaffKit.PatientSaysAsync(server, id, "can I drive afterward?")));
        await conversations.UpdateAsync(ids[0], state => null);

        Assert.Equal(0, conversations.LockedConversations);
        foreach (var id in ids)
        {
            Assert.Contains(await StaffKit.LogAsync(server, id), a => a.Text == "can I drive afterward?"); // the turns did run
        }
    }
}
