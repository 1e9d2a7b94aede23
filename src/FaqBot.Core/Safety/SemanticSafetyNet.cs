using System.Numerics.Tensors;
using System.Security.Cryptography;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace FaqBot.Safety;

/// <summary>A sentence-embedding model: L2-normalised vectors, one per text. One instance per process.</summary>
public interface ITextEncoder
{
    /// <summary>Names the model in the embedding cache (a new model never reads another's vectors).</summary>
    string ModelId { get; }

    float[][] Encode(string[] texts);
}

/// <summary>The nearest crisis exemplar's category, how close it is, and the crisis share of the neighbours.</summary>
public sealed record SemanticMatch(string Category, double Similarity, double CrisisShare);

/// <summary>The semantic layer's settings, from the "Safety" section.</summary>
/// <param name="MinSimilarity">the nearest crisis exemplar must be at least this close (cosine).</param>
/// <param name="MinCrisisShare">and the crisis exemplars' share of the similarity of the
/// <paramref name="Neighbours"/> nearest exemplars (crisis and near miss) at least this.</param>
public sealed record SemanticThresholds(double MinSimilarity, double MinCrisisShare, int Neighbours);

/// <summary>
/// The semantic safety net: k nearest neighbours of a message among the exemplars of
/// crisis-exemplars.yaml (short first-person crisis messages by category, and a near-miss bank).
/// A message whose nearest crisis exemplar is close enough, and whose neighbours are mostly crisis
/// exemplars, is a match; <see cref="SafetyScreen"/> turns it into a check-in. Exemplar vectors are
/// cached on disk, keyed by model and text hash; a missing or corrupt cache is rebuilt.
/// </summary>
public sealed class SemanticSafetyNet
{
    public const string FileName = "crisis-exemplars.yaml";
    public const string PoisoningCategory = "overdose-or-poisoning";

    private readonly ITextEncoder _encoder;
    private readonly float[][] _vectors;
    private readonly string?[] _categories; // null: a near miss
    private readonly SemanticThresholds _thresholds;

    public SemanticSafetyNet(ITextEncoder encoder, ExemplarBank bank, SemanticThresholds thresholds, string? cacheFolder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(bank);
        _encoder = encoder;
        _thresholds = thresholds;
        var all = bank.Crisis.Select(e => (e.Text, (string?)e.Category)).Concat(bank.NearMisses.Select(e => (e.Text, (string?)null))).ToList();
        _vectors = EmbeddingCache.Vectors(encoder, [.. all.Select(a => a.Text)], cacheFolder);
        _categories = [.. all.Select(a => a.Item2)];
    }

    public SemanticThresholds Thresholds => _thresholds;

    /// <summary>The match when the message passes both thresholds, else null.</summary>
    public SemanticMatch? Match(string text) => Match(text, _thresholds);

    public SemanticMatch? Match(string text, SemanticThresholds thresholds)
    {
        var score = Score(text, thresholds.Neighbours);
        return score.Similarity >= thresholds.MinSimilarity && score.CrisisShare >= thresholds.MinCrisisShare ? score : null;
    }

    /// <summary>The raw scores (for tuning): nearest crisis exemplar and the crisis share of the k nearest.</summary>
    public SemanticMatch Score(string text, int neighbours) => ScoreVector(Embed(text), neighbours);

    /// <summary>
    /// The message's vector. Messages repeat (buttons, common questions): their vectors are remembered, up to
    /// <see cref="MaxRememberedMessages"/>, so a repeated message is screened without waiting for the model.
    /// </summary>
    public float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_remembered.TryGetValue(text, out var known))
        {
            return known;
        }

        var vector = _encoder.Encode([text])[0];
        if (_remembered.Count >= MaxRememberedMessages)
        {
            _remembered.Clear();
        }

        _remembered.TryAdd(text, vector);
        return vector;
    }

    public const int MaxRememberedMessages = 10_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, float[]> _remembered = new(StringComparer.Ordinal);

    public SemanticMatch ScoreVector(float[] vector, int neighbours)
    {
        ArgumentNullException.ThrowIfNull(vector);
        var k = Math.Max(1, neighbours);
        var top = new (double Sim, int Index)[k];
        Array.Fill(top, (double.MinValue, -1));
        var best = (Sim: double.MinValue, Index: -1);
        for (var i = 0; i < _vectors.Length; i++)
        {
            double sim = TensorPrimitives.Dot(vector, _vectors[i]);
            if (_categories[i] is not null && sim > best.Sim)
            {
                best = (sim, i);
            }
            if (sim > top[k - 1].Sim)
            {
                var j = k - 1;
                while (j > 0 && top[j - 1].Sim < sim)
                {
                    top[j] = top[j - 1];
                    j--;
                }
                top[j] = (sim, i);
            }
        }

        double crisis = 0, total = 0;
        foreach (var (sim, index) in top)
        {
            if (index < 0)
            {
                continue;
            }
            var weight = Math.Max(0, sim);
            total += weight;
            crisis += _categories[index] is not null ? weight : 0;
        }
        return new SemanticMatch(best.Index < 0 ? "none" : _categories[best.Index]!, Math.Round(best.Sim, 4), total > 0 ? Math.Round(crisis / total, 4) : 0);
    }
}

/// <summary>One exemplar: its category (for a near miss, the near-miss group) and text.</summary>
public sealed record Exemplar(string Category, string Text);

/// <summary>crisis-exemplars.yaml: <c>crisis:</c> and <c>near-misses:</c>, each a set of categories
/// holding lists of short messages.</summary>
public sealed class ExemplarBank
{
    private ExemplarBank(IReadOnlyList<Exemplar> crisis, IReadOnlyList<Exemplar> nearMisses)
    {
        Crisis = crisis;
        NearMisses = nearMisses;
    }

    public IReadOnlyList<Exemplar> Crisis { get; }

    public IReadOnlyList<Exemplar> NearMisses { get; }

    public static ExemplarBank Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Throws <see cref="InvalidDataException"/> naming the file and the problem.</summary>
    public static ExemplarBank Parse(string yaml, string sourceName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new InvalidDataException($"{sourceName} line {e.Start.Line}: not valid YAML: {e.InnerException?.Message ?? e.Message}", e);
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InvalidDataException($"{sourceName}: expected one document with the sections crisis: and near-misses:");
        }
        return new ExemplarBank(Section(root, "crisis", sourceName), Section(root, "near-misses", sourceName));
    }

    private static List<Exemplar> Section(YamlMappingNode root, string key, string sourceName)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(key), out var node) || node is not YamlMappingNode categories || categories.Children.Count == 0)
        {
            throw new InvalidDataException($"{sourceName}: the section '{key}:' is missing or has no categories");
        }
        var result = new List<Exemplar>();
        foreach (var (name, list) in categories.Children)
        {
            var category = ((YamlScalarNode)name).Value ?? "";
            if (list is not YamlSequenceNode items || items.Children.Count == 0)
            {
                throw new InvalidDataException($"{sourceName} line {list.Start.Line}: {key}.{category} must be a non-empty list of messages");
            }
            foreach (var item in items.Children)
            {
                if (item is not YamlScalarNode { Value: { Length: > 0 } text })
                {
                    throw new InvalidDataException($"{sourceName} line {item.Start.Line}: {key}.{category}: expected a message");
                }
                result.Add(new Exemplar(category, text.Trim()));
            }
        }
        return result;
    }
}

/// <summary>
/// Exemplar vectors on disk, one file per model (<c>safety-{model}.vectors</c>), each entry keyed by
/// the SHA-256 of its text. Read what is there, encode what is missing, write the file back (to a
/// temporary file, then renamed). A missing, truncated or foreign file is simply rebuilt.
/// </summary>
internal static class EmbeddingCache
{
    private const uint Magic = 0x46425631; // "FBV1"

    public static float[][] Vectors(ITextEncoder encoder, string[] texts, string? folder)
    {
        var path = folder is null ? null : Path.Combine(folder, $"safety-{Sanitize(encoder.ModelId)}.vectors");
        var cached = path is null ? [] : Read(path);
        var keys = texts.Select(Key).ToArray();
        var missing = Enumerable.Range(0, texts.Length).Where(i => !cached.ContainsKey(keys[i])).ToArray();
        if (missing.Length > 0)
        {
            const int Batch = 32;
            for (var b = 0; b < missing.Length; b += Batch)
            {
                var chunk = missing.Skip(b).Take(Batch).ToArray();
                var vectors = encoder.Encode([.. chunk.Select(i => texts[i])]);
                for (var j = 0; j < chunk.Length; j++)
                {
                    cached[keys[chunk[j]]] = vectors[j];
                }
            }
            if (path is not null)
            {
                TryWrite(path, keys.Distinct().ToDictionary(k => k, k => cached[k]));
            }
        }
        return [.. keys.Select(k => cached[k])];
    }

    private static string Key(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Sanitize(string id) => new([.. id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_')]);

    private static Dictionary<string, float[]> Read(string path)
    {
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        try
        {
            if (!File.Exists(path))
            {
                return result;
            }
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadUInt32() != Magic)
            {
                return [];
            }
            var count = reader.ReadInt32();
            var dimensions = reader.ReadInt32();
            if (count is < 0 or > 1_000_000 || dimensions is <= 0 or > 8192)
            {
                return [];
            }
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                var vector = new float[dimensions];
                for (var d = 0; d < dimensions; d++)
                {
                    vector[d] = reader.ReadSingle();
                }
                result[key] = vector;
            }
            return result;
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or UnauthorizedAccessException or FormatException)
        {
            return []; // corrupt or unreadable: rebuilt by the caller
        }
    }

    private static void TryWrite(string path, Dictionary<string, float[]> vectors)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            using (var writer = new BinaryWriter(File.Create(temporary)))
            {
                writer.Write(Magic);
                writer.Write(vectors.Count);
                writer.Write(vectors.Count == 0 ? 0 : vectors.First().Value.Length);
                foreach (var (key, vector) in vectors)
                {
                    writer.Write(key);
                    foreach (var value in vector)
                    {
                        writer.Write(value);
                    }
                }
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or shared folder: the vectors are in memory; the next start encodes again.
        }
    }
}
