using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FaqBot.Search.Embedding;

/// <summary>
/// Embeddings on disk, keyed by a hash of model and text, so a restart or a re-index embeds only what changed.
/// One append-only file per model: a header, then records of (32-byte key, 384 floats). A file that is missing,
/// truncated or from another format is started afresh, never a crash.
/// </summary>
public sealed class EmbeddingCache
{
    private static readonly byte[] Header = "FAQBOT-EMB1\n"u8.ToArray();
    private const int KeyBytes = 32;
    private const int RecordBytes = KeyBytes + (SentenceEmbedder.Dimensions * sizeof(float));

    private readonly string _path;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, float[]> _vectors = new(StringComparer.Ordinal);

    public EmbeddingCache(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Directory.CreateDirectory(folder);
        _path = Path.Combine(folder, "arctic-embed-xs.vectors");
        Load();
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _vectors.Count;
            }
        }
    }

    /// <summary>True when the file on disk was unusable and has been started afresh.</summary>
    public bool WasRebuilt { get; private set; }

    public float[]? TryGet(string key)
    {
        lock (_gate)
        {
            return _vectors.GetValueOrDefault(key);
        }
    }

    public void Add(IEnumerable<(string Key, float[] Vector)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        lock (_gate)
        {
            var fresh = entries.Where(e => e.Vector.Length == SentenceEmbedder.Dimensions && _vectors.TryAdd(e.Key, e.Vector)).ToList();
            if (fresh.Count == 0)
            {
                return;
            }

            var buffer = new byte[fresh.Count * RecordBytes];
            for (var i = 0; i < fresh.Count; i++)
            {
                var record = buffer.AsSpan(i * RecordBytes, RecordBytes);
                Convert.FromHexString(fresh[i].Key).CopyTo(record);
                MemoryMarshal.AsBytes(fresh[i].Vector.AsSpan()).CopyTo(record[KeyBytes..]);
            }

            try
            {
                using var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                if (file.Length == 0)
                {
                    file.Write(Header);
                }

                file.Write(buffer);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The cache is an optimisation: vectors stay in memory; the next start embeds again.
            }
        }
    }

    private void Load()
    {
        byte[] bytes;
        try
        {
            bytes = File.Exists(_path) ? File.ReadAllBytes(_path) : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            bytes = [];
        }

        if (bytes.Length == 0)
        {
            return;
        }

        if (!bytes.AsSpan().StartsWith(Header) || (bytes.Length - Header.Length) % RecordBytes != 0 || !BitConverter.IsLittleEndian)
        {
            StartAfresh();
            return;
        }

        for (var offset = Header.Length; offset < bytes.Length; offset += RecordBytes)
        {
            var record = bytes.AsSpan(offset, RecordBytes);
            var vector = MemoryMarshal.Cast<byte, float>(record[KeyBytes..]).ToArray();
            if (vector.Any(v => !float.IsFinite(v)))
            {
                _vectors.Clear();
                StartAfresh();
                return;
            }

            _vectors[Convert.ToHexString(record[..KeyBytes])] = vector;
        }
    }

    private void StartAfresh()
    {
        WasRebuilt = true;
        try
        {
            File.Delete(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Appends will fail too; the cache then lives in memory only.
        }
    }
}
