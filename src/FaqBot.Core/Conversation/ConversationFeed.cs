using System.Collections.Concurrent;
using System.Threading.Channels;
using FaqBot.Schema;

namespace FaqBot.Conversation;

/// <summary>What a listener receives: a stored activity, a transient one (typing), or a queue change.</summary>
public sealed record FeedItem(string ConversationId, StoredActivity? Stored, Activity? Transient = null, bool QueueChanged = false);

/// <summary>
/// In-process fan-out of a conversation's activities to its listeners (the patient's WebSocket,
/// the staff console). Only <see cref="ConversationService"/> publishes stored activities, after the
/// store has them, so nothing reaches a listener that is not stored.
/// </summary>
public sealed class ConversationFeed
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, Channel<FeedItem>>> _byConversation = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, Channel<FeedItem>> _all = new();

    /// <summary>Listens to one conversation. Dispose to stop.</summary>
    public FeedSubscription Subscribe(string conversationId)
    {
        var channel = Channel.CreateUnbounded<FeedItem>(new UnboundedChannelOptions { SingleReader = true });
        var id = Guid.NewGuid();
        var listeners = _byConversation.GetOrAdd(conversationId, _ => new());
        listeners[id] = channel;
        return new FeedSubscription(channel.Reader, () =>
        {
            listeners.TryRemove(id, out _);
            channel.Writer.TryComplete();
        });
    }

    /// <summary>Listens to every conversation (staff console).</summary>
    public FeedSubscription SubscribeAll()
    {
        var channel = Channel.CreateUnbounded<FeedItem>(new UnboundedChannelOptions { SingleReader = true });
        var id = Guid.NewGuid();
        _all[id] = channel;
        return new FeedSubscription(channel.Reader, () =>
        {
            _all.TryRemove(id, out _);
            channel.Writer.TryComplete();
        });
    }

    /// <summary>Only to the listeners of every conversation (the staff console), never to the patient's own stream:
    /// the patient's typing goes to staff and is not echoed back.</summary>
    internal void PublishToStaff(FeedItem item)
    {
        foreach (var listener in _all.Values)
        {
            listener.Writer.TryWrite(item);
        }
    }

    internal void Publish(FeedItem item)
    {
        if (_byConversation.TryGetValue(item.ConversationId, out var listeners))
        {
            foreach (var listener in listeners.Values)
            {
                listener.Writer.TryWrite(item);
            }
        }

        foreach (var listener in _all.Values)
        {
            listener.Writer.TryWrite(item);
        }
    }
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
