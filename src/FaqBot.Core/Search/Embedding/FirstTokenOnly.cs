using Google.Protobuf;
using Onnx;

namespace FaqBot.Search.Embedding;

/// <summary>
/// The encoder's last layer computed for the first token only. A text's vector is that token's output (arctic-embed's
/// [CLS] pooling), and in the last layer no other token's output is read by anyone: only its keys and values are, and
/// those still come from every token. So the last layer's query, attention output, feed-forward and layer norms run on
/// one row instead of one per word piece (about a seventh of the model's work for a question).
/// </summary>
/// <remarks>
/// Two inputs of the last layer change to the first token's row of the layer below (a <c>Gather</c> on the sequence
/// axis): the query projection's and the attention's residual sum's. Everything after them follows from the shapes. The
/// model's output is then one row per text instead of one per word piece.
/// </remarks>
public static class FirstTokenOnly
{
    /// <summary>
    /// Rewrites <paramref name="graph"/> (a BERT export with its layers named <c>/encoder/layer.N/...</c>, as the
    /// registry's model is). Throws when the graph has not that shape: a model this cannot read is not run half-changed.
    /// </summary>
    public static void Apply(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var last = graph.Node
            .Select(n => System.Text.RegularExpressions.Regex.Match(n.Name, @"^/encoder/layer\.(\d+)/"))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(-1)
            .Max();
        var prefix = $"/encoder/layer.{last}/";
        var query = graph.Node.SingleOrDefault(n => n.Name.StartsWith(prefix + "attention/self/query/MatMul", StringComparison.Ordinal));
        var residual = graph.Node.SingleOrDefault(n => n.Name == prefix + "attention/output/Add");
        if (last < 0 || query is null || residual is null || !residual.Input.Contains(query.Input[0]))
        {
            throw new InvalidOperationException("The embedding model is not the BERT export expected: no last layer whose query projection reads the input of its attention's residual sum.");
        }

        var below = query.Input[0];
        var first = below + "_first_token";
        var index = new TensorProto { Name = first + "_index", DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(new byte[sizeof(long)]) };
        index.Dims.Add(1);
        graph.Initializer.Add(index);
        var gather = new NodeProto { OpType = "Gather", Name = prefix + "first_token/Gather" };
        gather.Input.Add([below, index.Name]);
        gather.Output.Add(first);
        gather.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Insert(graph.Node.IndexOf(query), gather);
        query.Input[0] = first;
        residual.Input[residual.Input.IndexOf(below)] = first;
    }
}
