using Google.Protobuf;
using Onnx;

namespace FaqBot.Search.Embedding;

/// <summary>
/// Dynamic 8-bit quantization of an ONNX model's weight matrices, as ONNX Runtime's own quantizer does it (its
/// <c>quantize_dynamic</c>, per channel): every <c>MatMul</c> whose second input is a constant float matrix becomes
/// ONNX Runtime's <c>DynamicQuantizeMatMul</c> (com.microsoft) over that matrix in 8 bits, one symmetric scale per
/// output column, with the bias added right after the product as the operator's own bias input; the activations are
/// quantized at run time by the operator itself. Everything else (the word-embedding
/// table, layer norms, attention's activation products) stays float.
/// </summary>
/// <remarks>
/// The weights are stored unsigned with zero point 128 (the values of a signed int8, shifted): the same numbers, but
/// ONNX Runtime then multiplies unsigned by unsigned, which is exact on every x64 processor. Signed weights take a
/// faster instruction on processors without VNNI that can saturate, so the same question could get another vector
/// (and answer) on another machine. With VNNI (this machine) both are exact, so they give the same vectors.
/// The model comes from its registry package and is quantized in memory when it is first loaded (no download). The
/// Python quantizer is not on this machine and no .NET library offers one, so this is the one step written here.
/// </remarks>
public static class Int8Weights
{
    private const int FloatType = (int)TensorProto.Types.DataType.Float;

    private const int Largest = 127;

    private const byte ZeroPoint = 128;

    /// <summary>Replaces <paramref name="model"/>'s constant matrix products by their 8-bit form; returns how many were replaced.</summary>
    public static int Quantize(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var weights = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var uses = graph.Node.SelectMany(n => n.Input).GroupBy(name => name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var replaced = 0;
        for (var k = 0; k < graph.Node.Count; k++)
        {
            var node = graph.Node[k];
            if (node.OpType != "MatMul" || node.Input.Count != 2
                || !weights.TryGetValue(node.Input[1], out var weight) || weight.DataType != FloatType || weight.Dims.Count != 2
                || uses[weight.Name] != 1)
            {
                continue;
            }

            var (values, scales) = PerColumn(Floats(weight), (int)weight.Dims[0], (int)weight.Dims[1]);
            graph.Initializer.Remove(weight);
            graph.Initializer.Add(Tensor(weight.Name + "_int8", TensorProto.Types.DataType.Uint8, values, weight.Dims));
            graph.Initializer.Add(Tensor(weight.Name + "_scale", TensorProto.Types.DataType.Float, AsBytes(scales), [weight.Dims[1]]));
            graph.Initializer.Add(Tensor(weight.Name + "_zero", TensorProto.Types.DataType.Uint8, Enumerable.Repeat(ZeroPoint, (int)weight.Dims[1]).ToArray(), [weight.Dims[1]]));
            var quantized = new NodeProto { OpType = "DynamicQuantizeMatMul", Domain = "com.microsoft", Name = node.Name + "_int8" };
            quantized.Input.Add([node.Input[0], weight.Name + "_int8", weight.Name + "_scale", weight.Name + "_zero"]);
            quantized.Output.Add(node.Output);

            // The bias added to the product right after it goes into the operator (its optional fifth input): one
            // operator fewer per matrix.
            if (BiasOf(graph, node.Output[0], weights, uses) is { } bias)
            {
                quantized.Input.Add(bias.Bias);
                quantized.Output[0] = bias.Add.Output[0];
                graph.Node.Remove(bias.Add);
            }

            graph.Node[k] = quantized;
            replaced++;
        }

        if (replaced > 0 && !model.OpsetImport.Any(o => o.Domain == "com.microsoft"))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        }

        return replaced;
    }

    /// <summary>The one <c>Add</c> reading <paramref name="product"/>, when its other input is a constant float vector.</summary>
    private static (NodeProto Add, string Bias)? BiasOf(GraphProto graph, string product, Dictionary<string, TensorProto> weights, Dictionary<string, int> uses)
    {
        if (uses.GetValueOrDefault(product) != 1 || graph.Output.Any(o => o.Name == product))
        {
            return null;
        }

        var add = graph.Node.Single(n => n.Input.Contains(product));
        if (add.OpType != "Add" || add.Input.Count != 2)
        {
            return null;
        }

        var other = add.Input[0] == product ? add.Input[1] : add.Input[0];
        return weights.TryGetValue(other, out var bias) && bias.DataType == FloatType && bias.Dims.Count == 1 && uses[other] == 1
            ? (add, other)
            : null;
    }

    /// <summary>Symmetric per column: scale = largest magnitude / 127, values -127..127 stored as 1..255 (zero point 128).</summary>
    private static (byte[] Values, float[] Scales) PerColumn(float[] matrix, int rows, int columns)
    {
        var scales = new float[columns];
        for (var c = 0; c < columns; c++)
        {
            var largest = 0f;
            for (var r = 0; r < rows; r++)
            {
                largest = MathF.Max(largest, MathF.Abs(matrix[(r * columns) + c]));
            }

            scales[c] = largest == 0 ? 1 : largest / Largest;
        }

        var values = new byte[matrix.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                values[(r * columns) + c] = (byte)(ZeroPoint + (int)Math.Clamp(MathF.Round(matrix[(r * columns) + c] / scales[c]), -Largest, Largest));
            }
        }

        return (values, scales);
    }

    private static float[] Floats(TensorProto tensor)
    {
        if (tensor.FloatData.Count > 0)
        {
            return [.. tensor.FloatData];
        }

        var floats = new float[tensor.RawData.Length / sizeof(float)];
        tensor.RawData.Span.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()));
        return floats;
    }

    private static byte[] AsBytes(float[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static TensorProto Tensor(string name, TensorProto.Types.DataType type, byte[] data, IEnumerable<long> dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(data) };
        tensor.Dims.Add(dims);
        return tensor;
    }
}
