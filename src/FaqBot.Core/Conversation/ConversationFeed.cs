using System.Collections.Concurrent;
using System.Threading.Channels;
using FaqBot.Schema;

namespace FaqBot.Conversation;

/// <summary>
/// What a listener receives: a stored activity, a transient one (typing), a queue change, or a signal to read
/// the store (<see cref="StoredElsewhere"/>, <see cref="CatchUp"/>).
/// </summary>
public sealed record FeedItem(string ConversationId, StoredActivity? Stored, Activity? Transient = null, bool QueueChanged = false)
{
    /// <summary>
    /// Another instance stored the activity with this sequence: read it (and whatever you have not seen before
    /// it) from the store. The announcement carries only the conversation id and the sequence, never text.
    /// </summary>
    public long? StoredElsewhere { get; init; }

    /// <summary>
    /// With <see cref="StoredElsewhere"/>: the announcement covers the activities after this sequence up to it (one
    /// transaction may store several; the database announces the last).
    /// </summary>
    public long ElsewhereAfter { get; init; }

    /// <summary>
    /// Announcements may have been missed (the cross-instance listener reconnected): read from the store
    /// everything after the last sequence you saw. On a listener of every conversation the id is empty.
    /// </summary>
    public bool CatchUp { get; init; }
}

/// <summary>
/// Fan-out of conversations' activities to their listeners in this process (the patient's WebSocket, the staff
/// console, the Bot Connector relay). Only <see cref="ConversationService"/> publishes stored activities, after the
/// store has them, so nothing reaches a listener that is not stored. With a shared database (PostgreSQL) a
/// listener of the database's notifications calls <see cref="Announce"/> for what other instances stored, and
/// subscribers read it from the store: the store is the one source of the text, the feed only wakes them.
/// </summary>
public sealed class ConversationFeed
{
    /// <summary>How many recently delivered activities are remembered to tell our own announcements from others'.</summary>
    private const int RecentCapacity = 8192;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, Channel<FeedItem>>> _byConversation = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, Listener> _all = new();
    private readonly ConcurrentDictionary<(string, long), byte> _recent = new();
    private readonly ConcurrentQueue<(string, long)> _recentOrder = new();
    private readonly ConcurrentDictionary<string, long> _announced = new(StringComparer.Ordinal);
    private volatile bool _shared;

    /// <summary>Listens to one conversation. Dispose to stop.</summary>
    public FeedSubscription Subscribe(string conversationId)
    {
        var channel = NewChannel();
        var id = Guid.NewGuid();
        while (true)
        {
            var listeners = _byConversation.GetOrAdd(conversationId, _ => new());
            listeners[id] = channel;
            if (_byConversation.TryGetValue(conversationId, out var current) && ReferenceEquals(current, listeners))
            {
                return new FeedSubscription(channel.Reader, () =>
                {
                    listeners.TryRemove(id, out _);
                    if (listeners.IsEmpty)
                    {
                        // Forget the conversation once nobody listens (a late subscriber retries above).
                        _byConversation.TryRemove(new KeyValuePair<string, ConcurrentDictionary<Guid, Channel<FeedItem>>>(conversationId, listeners));
                    }

                    channel.Writer.TryComplete();
                });
            }

            listeners.TryRemove(id, out _); // the dictionary was removed while we added to it: try again
        }
    }

    /// <summary>
    /// Listens to every conversation (staff console). <paramref name="localOnly"/>: only what this process stored,
    /// for work that must happen once across instances (relaying to a channel is done by the instance that stored it).
    /// </summary>
    public FeedSubscription SubscribeAll(bool localOnly = false)
    {
        var channel = NewChannel();
        var id = Guid.NewGuid();
        _all[id] = new Listener(channel, localOnly);
        return new FeedSubscription(channel.Reader, () =>
        {
            _all.TryRemove(id, out _);
            channel.Writer.TryComplete();
        });
    }

    /// <summary>
    /// Called once by the listener of a shared database before it listens: from then on this process's own
    /// activities are remembered, so that their announcements coming back are not delivered twice.
    /// </summary>
    public void ExpectAnnouncements() => _shared = true;

    /// <summary>Conversations with at least one listener in this process (for tests and diagnostics).</summary>
    public int ListenedConversations => _byConversation.Count;

    /// <summary>
    /// The database announced that the conversation's activities up to <paramref name="sequence"/> are stored (one
    /// notification per transaction, in commit order, from every instance including this one). Ignored when this
    /// process already delivered them all itself; otherwise listeners are told to read them from the store.
    /// </summary>
    public void Announce(string conversationId, long sequence)
    {
        // Announcements come in commit order, so the previous one of a conversation tells where this one starts.
        if (_announced.Count > RecentCapacity)
        {
            _announced.Clear(); // rarely: then a transaction of several activities is read from its last one only
        }

        var after = _announced.TryGetValue(conversationId, out var previous) && previous < sequence ? Math.Max(previous, sequence - 100) : sequence - 1;
        _announced[conversationId] = sequence;
        var unseen = false;
        for (var s = after + 1; s <= sequence; s++)
        {
            unseen |= Remember(conversationId, s);
        }

        if (!unseen)
        {
            return; // ours, already delivered
        }

        var item = new FeedItem(conversationId, null) { StoredElsewhere = sequence, ElsewhereAfter = after };
        if (_byConversation.TryGetValue(conversationId, out var listeners))
        {
            foreach (var listener in listeners.Values)
            {
                listener.Writer.TryWrite(item);
            }
        }

        foreach (var listener in _all.Values)
        {
            if (!listener.LocalOnly)
            {
                listener.Channel.Writer.TryWrite(item);
            }
        }
    }

    /// <summary>A conversation's handoff state or owner changed on another instance (a database notification).</summary>
    public void AnnounceQueueChange(string conversationId)
    {
        var item = new FeedItem(conversationId, null, QueueChanged: true);
        foreach (var listener in _all.Values)
        {
            if (!listener.LocalOnly)
            {
                listener.Channel.Writer.TryWrite(item);
            }
        }
    }

    /// <summary>
    /// Announcements may have been lost (the listener's connection dropped and came back): every listener reads
    /// from the store what it has not seen. Streams already read by sequence, so waking everyone is enough.
    /// </summary>
    public void CatchUpAll()
    {
        foreach (var (conversationId, listeners) in _byConversation)
        {
            var item = new FeedItem(conversationId, null) { CatchUp = true };
            foreach (var listener in listeners.Values)
            {
                listener.Writer.TryWrite(item);
            }
        }

        var all = new FeedItem("", null) { CatchUp = true };
        foreach (var listener in _all.Values)
        {
            if (!listener.LocalOnly)
            {
                listener.Channel.Writer.TryWrite(all);
            }
        }
    }

    /// <summary>Only to the listeners of every conversation (the staff console), never to the patient's own stream:
    /// the patient's typing goes to staff and is not echoed back.</summary>
    internal void PublishToStaff(FeedItem item)
    {
        foreach (var listener in _all.Values)
        {
            listener.Channel.Writer.TryWrite(item);
        }
    }

    internal void Publish(FeedItem item)
    {
        // With a shared database our own notification also comes back: whichever arrives first is delivered to
        // the listeners of every conversation, the other is not. A conversation's streams order by sequence anyway.
        var first = item.Stored is not { } stored || !_shared || Remember(item.ConversationId, stored.Sequence);
        if (_byConversation.TryGetValue(item.ConversationId, out var listeners))
        {
            foreach (var listener in listeners.Values)
            {
                listener.Writer.TryWrite(item);
            }
        }

        foreach (var listener in _all.Values)
        {
            if (first || listener.LocalOnly)
            {
                listener.Channel.Writer.TryWrite(item);
            }
        }
    }

    /// <summary>True the first time a (conversation, sequence) is seen; the oldest are forgotten beyond the capacity.</summary>
    private bool Remember(string conversationId, long sequence)
    {
        var key = (conversationId, sequence);
        if (!_recent.TryAdd(key, 0))
        {
            return false;
        }

        _recentOrder.Enqueue(key);
        while (_recentOrder.Count > RecentCapacity && _recentOrder.TryDequeue(out var old))
        {
            _recent.TryRemove(old, out _);
        }

        return true;
    }

    private static Channel<FeedItem> NewChannel() =>
        Channel.CreateUnbounded<FeedItem>(new UnboundedChannelOptions { SingleReader = true });

    private sealed record Listener(Channel<FeedItem> Channel, bool LocalOnly);
}

public sealed class FeedSubscription(ChannelReader<FeedItem> reader, Action unsubscribe) : IDisposable
{
    private int _disposed;

    public ChannelReader<FeedItem> Reader { get; } = reader;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            unsubscribe();
        }
    }
}
