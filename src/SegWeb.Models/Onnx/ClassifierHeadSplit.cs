using System.Runtime.InteropServices;

namespace SegWeb.Models.Onnx;

/// <summary>
/// A U-Net split before its classifier: <see cref="TrunkModel"/> is the ONNX model without its final 1×1 convolution
/// (its output <see cref="FeatureOutput"/> is the last decoder stage's features), and <see cref="Weights"/> and
/// <see cref="Bias"/> are that convolution, so logits = Weights · features + Bias at every voxel.
/// </summary>
public sealed class ClassifierHeadSplit
{
    internal ClassifierHeadSplit(byte[] trunkModel, string featureOutput, int features, int classes, float[] weights, float[] bias)
    {
        TrunkModel = trunkModel;
        FeatureOutput = featureOutput;
        Features = features;
        Classes = classes;
        Weights = weights;
        Bias = bias;
    }

    /// <summary>The serialized ModelProto of the network up to the features.</summary>
    public byte[] TrunkModel { get; }

    /// <summary>The trunk's output name (the classifier's input in the original graph).</summary>
    public string FeatureOutput { get; }

    /// <summary>Feature channels (32 for nnU-Net's default U-Nets).</summary>
    public int Features { get; }

    /// <summary>Output classes of the removed classifier, background included.</summary>
    public int Classes { get; }

    /// <summary>Classes × features, class slowest.</summary>
    public float[] Weights { get; }

    /// <summary>One per class (zeros when the convolution had no bias).</summary>
    public float[] Bias { get; }

    /// <summary>
    /// Splits <paramref name="model"/> (a serialized ModelProto) before the node that produces <paramref name="outputName"/>,
    /// when that node is a plain 1×1 (×1) convolution with constant float32 weights and the graph's only output, as in
    /// every nnU-Net U-Net SegWeb exports. Returns null with the <paramref name="reason"/> otherwise; the model is not changed.
    /// With <paramref name="onlyIfNarrower"/>, also null when the classifier has no more classes than features (then
    /// nothing is gained), found before the trunk is written.
    /// </summary>
    public static ClassifierHeadSplit? TrySplit(ReadOnlyMemory<byte> model, string outputName, out string reason, bool onlyIfNarrower = false)
    {
        ArgumentNullException.ThrowIfNull(outputName);
        var modelFields = ProtoReader.Fields(model);
        var graphs = modelFields.Where(f => f.Number == 7).ToList();
        if (graphs.Count != 1)
        {
            reason = "the model has no single graph";
            return null;
        }

        var graph = ProtoReader.Fields(graphs[0].Payload);
        var outputs = graph.Where(f => f.Number == 12).ToList();
        if (outputs.Count != 1 || ValueInfoName(outputs[0]) != outputName)
        {
            reason = $"the graph's outputs are not exactly '{outputName}'";
            return null;
        }

        var nodes = graph.Where(f => f.Number == 1).Select(f => (Field: f, Node: OnnxNode.Read(f))).ToList();
        var heads = nodes.Where(n => n.Node.Outputs.Contains(outputName)).ToList();
        if (heads.Count != 1 || heads[0].Node is not { OpType: "Conv", InDefaultDomain: true, Outputs.Count: 1 } head || head.Inputs.Count is < 2 or > 3)
        {
            reason = $"'{outputName}' is not produced by one Conv node";
            return null;
        }

        if (PointwiseProblem(head) is { } problem)
        {
            reason = problem;
            return null;
        }

        string features = head.Inputs[0], weightName = head.Inputs[1], biasName = head.Inputs.Count == 3 ? head.Inputs[2] : string.Empty;
        if (graph.Any(f => f.Number == 11 && ValueInfoName(f) == features))
        {
            reason = "the classifier reads the graph's input directly: there is no network before it";
            return null;
        }

        bool UsedElsewhere(string name) => name.Length > 0 && nodes.Any(n => n.Node != head && n.Node.Inputs.Contains(name));
        if (UsedElsewhere(weightName) || UsedElsewhere(biasName))
        {
            reason = "the classifier's weights are shared with other nodes";
            return null;
        }

        // Only the classifier's two tensors are decoded; the network's weights (100 MB and more) are copied as bytes.
        var initializers = graph.Where(f => f.Number == 5).Select(f => (Field: f, Name: FloatTensor.NameOf(f))).ToList();
        FloatTensor? Initializer(string name) => initializers.Where(i => i.Name == name).Select(i => FloatTensor.Read(i.Field)).FirstOrDefault();
        var weight = Initializer(weightName);
        if (weight is not { Data: not null } || weight.Dims.Count < 3 || weight.Dims.Skip(2).Any(d => d != 1))
        {
            reason = $"the classifier's weights '{weightName}' are not a constant float32 tensor [classes, features, 1, …]";
            return null;
        }

        int classes = checked((int)weight.Dims[0]), featureCount = checked((int)weight.Dims[1]);
        float[] bias = new float[classes];
        if (biasName.Length > 0)
        {
            var b = Initializer(biasName);
            if (b is not { Data: not null } || b.Data.Length != classes)
            {
                reason = $"the classifier's bias '{biasName}' is not a constant float32 vector of {classes}";
                return null;
            }

            bias = b.Data;
        }

        if (onlyIfNarrower && classes <= featureCount)
        {
            reason = $"{classes} classes from {featureCount} features: aggregating the features would not be smaller";
            return null;
        }

        // The trunk's graph: every field copied as it is except the classifier's node and tensors, with the features as
        // the output. Written once into an array of its exact size: the network weights are 100 MB and more, and
        // growing buffers would hold several copies at once.
        var outputInfo = new ProtoWriter();
        outputInfo.Message(12, info => WriteFeatureInfo(info, features, OutputDims(outputs[0]), featureCount));
        var graphPieces = new List<ReadOnlyMemory<byte>>();
        foreach (var field in graph)
        {
            bool drop = (field.Number == 1 && field.Raw.Equals(heads[0].Field.Raw))
                || (field.Number == 5 && FloatTensor.NameOf(field) is { } n && (n == weightName || n == biasName))
                || (field.Number is 11 or 13 && ValueInfoName(field) is { } v && (v == weightName || v == biasName || v == outputName || v == features));
            if (field.Number == 12)
            {
                graphPieces.Add(outputInfo.ToArray());
            }
            else if (!drop)
            {
                graphPieces.Add(field.Raw);
            }
        }

        long graphLength = graphPieces.Sum(p => (long)p.Length);
        var graphHeader = new ProtoWriter();
        graphHeader.LengthPrefix(7, graphLength);
        var modelPieces = modelFields.SelectMany(f => f.Number == 7 ? [graphHeader.ToArray(), .. graphPieces] : new[] { f.Raw }).ToList();
        var trunk = new byte[modelPieces.Sum(p => (long)p.Length)];
        int position = 0;
        foreach (var piece in modelPieces)
        {
            piece.Span.CopyTo(trunk.AsSpan(position));
            position += piece.Length;
        }

        reason = string.Empty;
        return new ClassifierHeadSplit(trunk, features, featureCount, classes, weight.Data, bias);
    }

    private static string? ValueInfoName(ProtoField valueInfo) => OnnxValueInfo.Name(valueInfo);

    /// <summary>The output's dimensions (a long or a symbolic name each); empty when it declares no shape.</summary>
    private static List<object> OutputDims(ProtoField valueInfo) => OnnxValueInfo.Dims(valueInfo);

    private static void WriteFeatureInfo(ProtoWriter info, string name, List<object> dims, int features)
    {
        info.String(1, name);
        info.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Varint(1, 1); // FLOAT
            if (dims.Count < 2)
            {
                return;
            }

            tensor.Message(2, shape =>
            {
                for (int i = 0; i < dims.Count; i++)
                {
                    object dim = i == 1 ? (long)features : dims[i];
                    shape.Message(1, d =>
                    {
                        if (dim is string symbol)
                        {
                            d.String(2, symbol);
                        }
                        else
                        {
                            d.Varint(1, (long)dim);
                        }
                    });
                }
            });
        }));
    }

    /// <summary>Why a Conv node is not a plain pointwise classifier; null when it is.</summary>
    private static string? PointwiseProblem(OnnxNode conv)
    {
        foreach (var attribute in conv.Attributes)
        {
            string name = OnnxNode.AttributeName(attribute);
            var ints = ProtoReader.Int64s(attribute, OnnxNode.AttributeIntsField);
            long single = (long)attribute.FirstOrDefault(a => a.Number == OnnxNode.AttributeIntField).Varint;
            bool plain = name switch
            {
                "kernel_shape" or "strides" or "dilations" => ints.All(v => v == 1),
                "pads" => ints.All(v => v == 0),
                "group" => single == 1,
                "auto_pad" => attribute.FirstOrDefault(a => a.Number == OnnxNode.AttributeStringField) is { } s && (s.Payload.IsEmpty || s.String == "NOTSET"),
                _ => false,
            };
            if (!plain)
            {
                return $"the classifier Conv has attribute '{name}' that makes it more than a 1×1 convolution";
            }
        }

        return null;
    }

    private sealed record FloatTensor(string? Name, List<long> Dims, float[]? Data)
    {
        public static string? NameOf(ProtoField field) => OnnxTensors.Name(ProtoReader.Fields(field.Payload));

        public static FloatTensor Read(ProtoField field)
        {
            var fields = ProtoReader.Fields(field.Payload);
            var dims = ProtoReader.Int64s(fields, OnnxTensors.DimsField);
            bool isFloat = fields.FirstOrDefault(f => f.Number == OnnxTensors.DataTypeField).Varint == OnnxTensors.Float;
            long count = dims.Aggregate(1L, (a, b) => a * b);
            float[]? data = isFloat && count <= Array.MaxLength && OnnxTensors.FloatBytes(fields, count) is { } bytes
                ? MemoryMarshal.Cast<byte, float>(bytes.Span).ToArray()
                : null;
            return new FloatTensor(OnnxTensors.Name(fields), dims, data);
        }
    }
}
