using FaqBot.Conversation;
using FaqBot.Schema;

namespace FaqBot.Tests.Conversation;

/// <summary>The in-process feed, and how it treats announcements of a shared database (other instances' activities).</summary>
public sealed class ConversationFeedTests
{
    [Fact]
    public void Another_instances_activity_wakes_the_conversations_streams_and_the_consoles_but_not_a_local_only_listener()
    {
        var feed = new ConversationFeed();
        feed.ExpectAnnouncements();
        using var stream = feed.Subscribe("c1");
        using var other = feed.Subscribe("c2");
        using var console = feed.SubscribeAll();
        using var relay = feed.SubscribeAll(localOnly: true);

        feed.Announce("c1", 7);

        Assert.True(stream.Reader.TryRead(out var item));
        Assert.Equal(("c1", 7L, null), (item.ConversationId, item.StoredElsewhere, item.Stored));
        Assert.True(console.Reader.TryRead(out var seen));
        Assert.Equal(7, seen.StoredElsewhere);
        Assert.False(other.Reader.TryRead(out _));
        Assert.False(relay.Reader.TryRead(out _));
    }

    [Fact]
    public void Our_own_activity_reaches_a_console_once_whether_its_announcement_comes_back_before_or_after_it()
    {
        var feed = new ConversationFeed();
        feed.ExpectAnnouncements();
        using var console = feed.SubscribeAll();
        using var relay = feed.SubscribeAll(localOnly: true);
        using var stream = feed.Subscribe("c1");

        feed.Publish(new FeedItem("c1", Stored(1)));
        feed.Announce("c1", 1); // our own notification, after we published
        feed.Announce("c1", 2); // our own notification, before we published
        feed.Publish(new FeedItem("c1", Stored(2)));

        var consoleItems = Drain(console);
        Assert.Equal(2, consoleItems.Count);
        Assert.Equal(1, consoleItems[0].Stored!.Sequence);
        Assert.Equal(2, consoleItems[1].StoredElsewhere);
        Assert.Equal([1L, 2L], Drain(relay).Select(i => i.Stored!.Sequence)); // the relay sends what we stored, once each
        Assert.Equal(3, Drain(stream).Count); // streams dedupe by sequence themselves
    }

    [Fact]
    public void An_announcement_covers_the_activities_since_the_conversations_previous_one()
    {
        var feed = new ConversationFeed();
        feed.ExpectAnnouncements();
        using var console = feed.SubscribeAll();

        feed.Announce("c1", 3);
        feed.Announce("c1", 6); // one transaction stored 4, 5 and 6
        feed.Announce("c2", 2);

        var items = Drain(console);
        Assert.Equal([(2L, 3L), (3L, 6L), (1L, 2L)], items.Select(i => (i.ElsewhereAfter, i.StoredElsewhere!.Value)));
    }

    [Fact]
    public void Catching_up_wakes_every_listener_and_queue_changes_reach_consoles()
    {
        var feed = new ConversationFeed();
        using var a = feed.Subscribe("a");
        using var b = feed.Subscribe("b");
        using var console = feed.SubscribeAll();

        feed.CatchUpAll();
        feed.AnnounceQueueChange("b");

        Assert.True(Assert.Single(Drain(a)).CatchUp);
        Assert.Equal("b", Assert.Single(Drain(b)).ConversationId);
        var consoleItems = Drain(console);
        Assert.True(consoleItems[0].CatchUp);
        Assert.True(consoleItems[1].QueueChanged);
        Assert.Equal("b", consoleItems[1].ConversationId);
    }

    [Fact]
    public void A_conversation_nobody_listens_to_is_forgotten()
    {
        var feed = new ConversationFeed();
        var first = feed.Subscribe("a");
        var second = feed.Subscribe("a");
        Assert.Equal(1, feed.ListenedConversations);

        first.Dispose();
        Assert.Equal(1, feed.ListenedConversations);
        second.Dispose();
        Assert.Equal(0, feed.ListenedConversations);

        using var again = feed.Subscribe("a");
        feed.Publish(new FeedItem("a", Stored(1)));
        Assert.True(again.Reader.TryRead(out _));
    }

    private static StoredActivity Stored(long sequence) => new(sequence, new Activity { Type = ActivityTypes.Message, Id = $"c1|{sequence:D7}" });

    private static List<FeedItem> Drain(FeedSubscription subscription)
    {
        var items = new List<FeedItem>();
        while (subscription.Reader.TryRead(out var item))
        {
            items.Add(item);
        }

        return items;
    }
}
