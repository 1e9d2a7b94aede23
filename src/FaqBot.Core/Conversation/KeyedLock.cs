namespace FaqBot.Conversation;

/// <summary>
/// One asynchronous lock per key (a conversation id), held only while someone holds or waits for it: the entry is
/// reference-counted and removed when its last holder releases, so idle conversations cost no memory. Inside one
/// process it keeps a conversation's turns in order cheaply; across instances the database does that (sequences
/// and claims are enforced there), so this is an optimisation, never the guarantee.
/// </summary>
public sealed class KeyedLock
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Keys currently held or waited for (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Waits for the key's lock; dispose the result to release it.</summary>
    public async Task<Releaser> AcquireAsync(string key, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                entry = new Entry();
                _entries[key] = entry;
            }

            entry.References++;
        }

        try
        {
            await entry.Gate.WaitAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            Leave(key, entry);
            throw;
        }

        return new Releaser(this, key, entry);
    }

    private void Leave(string key, Entry entry)
    {
        lock (_entries)
        {
            if (--entry.References == 0)
            {
                _entries.Remove(key);
            }
        }
    }

    internal sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Holders plus waiters; guarded by the dictionary's lock.</summary>
        public int References { get; set; }
    }

    /// <summary>Releases the lock once (a second dispose does nothing).</summary>
    public sealed class Releaser : IDisposable
    {
        private readonly KeyedLock _owner;
        private readonly string _key;
        private Entry? _entry;

        internal Releaser(KeyedLock owner, string key, Entry entry)
        {
            _owner = owner;
            _key = key;
            _entry = entry;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _entry, null) is { } entry)
            {
                entry.Gate.Release();
                _owner.Leave(_key, entry);
            }
        }
    }
}
