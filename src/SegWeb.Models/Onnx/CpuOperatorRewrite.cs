namespace SegWeb.Models.Onnx;

/// <summary>
/// Routes the nodes SegWeb has faster CPU kernels for to its custom-operator domain <see cref="Domain"/>, which the
/// inference runtime registers with ONNX Runtime's CPU provider; everything else is copied byte for byte.
/// <list type="bullet">
/// <item><c>Conv3x3x3</c>: a Conv in the default domain with a constant float32 weight initializer [out, in, 3, 3, 3]
/// used by no other node, out a multiple of 16, kernel_shape 3×3×3, strides and dilations 1 (or absent), pads all 1,
/// group 1, no auto_pad. It takes X and B as Conv does and W packed as [out / 16, in, 27, 16]
/// (<see cref="PackWeights"/>): the 16 output channels' weights for one input channel and kernel tap side by side,
/// the order the kernel reads them in. Packing here, once, keeps one copy of the weights in memory.</item>
/// <item><c>ConvTranspose2x2x2</c>: a ConvTranspose with a constant float32 weight initializer [in, out, 2, 2, 2] used by
/// no other node, out a multiple of 8, strides 2, no padding, output padding or output shape, one group. W is packed
/// as [out / 8, 2, 2, in, 16] (<see cref="PackTransposedWeights"/>).</item>
/// <item><c>InstanceNormLeakyRelu</c>: an InstanceNormalization whose output only a LeakyRelu (0 ≤ alpha ≤ 1) reads
/// and that is not a graph output, fused with that LeakyRelu (attributes epsilon and alpha).</item>
/// </list>
/// </summary>
public static class CpuOperatorRewrite
{
    /// <summary>The custom operator's domain.</summary>
    public const string Domain = "ai.segweb";

    /// <summary>The direct 3×3×3 convolution's name.</summary>
    public const string ConvOpType = "Conv3x3x3";

    /// <summary>The direct 2×2×2 stride-2 transposed convolution's name.</summary>
    public const string ConvTransposeOpType = "ConvTranspose2x2x2";

    /// <summary>Output channels the transposed convolution kernel computes together.</summary>
    public const int TransposedChannelBlock = 8;

    /// <summary>The fused instance normalisation and leaky ReLU's name.</summary>
    public const string NormOpType = "InstanceNormLeakyRelu";

    /// <summary>Output channels the kernel computes together; a node with another multiple is left as ONNX Conv.</summary>
    public const int ChannelBlock = 16;

    // ONNX protobuf field numbers used here.
    private const int ModelGraph = 7, ModelOpsetImport = 8;
    private const int GraphNode = 1, GraphInitializer = 5;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5, NodeDomain = 7;
    private const int AttributeName = 1, AttributeFloat = 2, AttributeInt = 3, AttributeString = 4, AttributeInts = 8, AttributeType = 20, AttributeTypeFloat = 1;
    private const int GraphOutput = 12;
    private const int TensorDims = 1, TensorDataType = 2, TensorFloatData = 4, TensorName = 8, TensorRawData = 9, TensorFloat = 1;

    /// <summary>
    /// Reorders ONNX weights [out, in, 3, 3, 3] into [out / 16][in][kd·9 + kh·3 + kw][16]: the operator's W.
    /// </summary>
    public static void PackWeights(ReadOnlySpan<float> weights, int outputChannels, int inputChannels, Span<float> packed)
    {
        long length = (long)outputChannels * inputChannels * 27;
        if (outputChannels <= 0 || outputChannels % ChannelBlock != 0 || inputChannels <= 0 || weights.Length != length || packed.Length != length)
        {
            throw new ArgumentException($"weights [{outputChannels}, {inputChannels}, 3, 3, 3] cannot be packed in blocks of {ChannelBlock}");
        }

        for (int o = 0; o < outputChannels; o++)
        {
            for (int i = 0; i < inputChannels; i++)
            {
                var source = weights.Slice(((o * inputChannels) + i) * 27, 27);
                int target = (((o / ChannelBlock * inputChannels) + i) * 27 * ChannelBlock) + (o % ChannelBlock);
                for (int tap = 0; tap < 27; tap++)
                {
                    packed[target + (tap * ChannelBlock)] = source[tap];
                }
            }
        }
    }

    /// <summary>
    /// Reorders ONNX ConvTranspose weights [in, out, 2, 2, 2] into [out / 8][a][b][in][8 outputs][c]: for one output
    /// row parity (a, b) and input channel, the 16 weights of 8 output channels × both column parities side by side.
    /// </summary>
    public static void PackTransposedWeights(ReadOnlySpan<float> weights, int outputChannels, int inputChannels, Span<float> packed)
    {
        long length = (long)outputChannels * inputChannels * 8;
        if (outputChannels <= 0 || outputChannels % TransposedChannelBlock != 0 || inputChannels <= 0 || weights.Length != length || packed.Length != length)
        {
            throw new ArgumentException($"weights [{inputChannels}, {outputChannels}, 2, 2, 2] cannot be packed in blocks of {TransposedChannelBlock}");
        }

        for (int i = 0; i < inputChannels; i++)
        {
            for (int o = 0; o < outputChannels; o++)
            {
                for (int tap = 0; tap < 8; tap++)
                {
                    int a = tap >> 2, b = (tap >> 1) & 1, c = tap & 1;
                    int target = ((((((o / TransposedChannelBlock) * 4) + (a * 2) + b) * inputChannels) + i) * 2 * TransposedChannelBlock) + ((o % TransposedChannelBlock) * 2) + c;
                    packed[target] = weights[(((i * outputChannels) + o) * 8) + tap];
                }
            }
        }
    }

    /// <summary>
    /// The model with its eligible convolutions renamed, or null when none is eligible (<paramref name="renamed"/> 0).
    /// </summary>
    /// <exception cref="ModelFormatException">The bytes are not a ModelProto.</exception>
    public static byte[]? TryRewrite(ReadOnlyMemory<byte> model, out int renamed)
    {
        var modelFields = ProtoReader.Fields(model);
        var graphs = modelFields.Where(f => f.Number == ModelGraph).ToList();
        renamed = 0;
        if (graphs.Count != 1)
        {
            return null;
        }

        var graph = ProtoReader.Fields(graphs[0].Payload);
        var initializers = new Dictionary<string, ProtoField>(StringComparer.Ordinal);
        foreach (var initializer in graph.Where(f => f.Number == GraphInitializer))
        {
            if (ProtoReader.Fields(initializer.Payload).FirstOrDefault(f => f.Number == TensorName) is { Payload.Length: > 0 } name)
            {
                initializers[name.String] = initializer;
            }
        }

        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in graph.Where(f => f.Number == GraphNode))
        {
            foreach (var input in ProtoReader.Fields(node.Payload).Where(f => f.Number == NodeInput))
            {
                uses[input.String] = uses.GetValueOrDefault(input.String) + 1;
            }
        }

        // Pass 1: the nodes to replace (with their weights) or drop; pass 2: the graph's pieces, with those replaced.
        var nodes = new Dictionary<int, byte[]>();
        var weights = new Dictionary<string, PackedInitializer>(StringComparer.Ordinal);
        var convolutions = new Dictionary<int, RenamedNode>();
        for (int i = 0; i < graph.Count; i++)
        {
            if (graph[i].Number == GraphNode && Renamed(graph[i], initializers, uses) is { } found)
            {
                nodes[i] = found.Node;
                weights[found.Weights.Name] = found.Weights;
                convolutions[i] = found;
            }
        }

        var dropped = FuseNormalisations(graph, nodes);
        dropped.UnionWith(FuseConcatenations(graph, nodes, convolutions, uses));

        renamed = nodes.Count;
        if (renamed == 0)
        {
            return null;
        }

        var pieces = new List<Piece>();
        for (int i = 0; i < graph.Count; i++)
        {
            var field = graph[i];
            if (nodes.TryGetValue(i, out var node))
            {
                pieces.Add(new Piece(node, null));
            }
            else if (dropped.Contains(i))
            {
                continue;
            }
            else if (field.Number == GraphInitializer && ProtoReader.Fields(field.Payload).FirstOrDefault(f => f.Number == TensorName) is { Payload.Length: > 0 } name
                && weights.TryGetValue(name.String, out var packed))
            {
                pieces.Add(new Piece(packed.Header(), packed));
            }
            else
            {
                pieces.Add(new Piece(field.Raw, null));
            }
        }

        var header = new ProtoWriter();
        header.LengthPrefix(ModelGraph, pieces.Sum(p => p.Length));
        var opset = new ProtoWriter();
        opset.Message(ModelOpsetImport, o =>
        {
            o.String(1, Domain);
            o.Varint(2, 1);
        });
        var modelPieces = modelFields.SelectMany(f => f.Number == ModelGraph ? [new Piece(header.ToArray(), null), .. pieces] : new[] { new Piece(f.Raw, null) })
            .Append(new Piece(opset.ToArray(), null)).ToList();

        // Written once into an array of its exact size, weights packed straight into it: they are 100 MB and more, and
        // every intermediate copy would be held until the next full collection.
        var result = new byte[modelPieces.Sum(p => p.Length)];
        int position = 0;
        foreach (var piece in modelPieces)
        {
            piece.Bytes.Span.CopyTo(result.AsSpan(position));
            position += piece.Bytes.Length;
            if (piece.Weights is { } w)
            {
                var target = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(result.AsSpan(position, w.PayloadLength));
                var source = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(w.Source.Span);
                if (w.Transposed)
                {
                    PackTransposedWeights(source, w.OutputChannels, w.InputChannels, target);
                }
                else
                {
                    PackWeights(source, w.OutputChannels, w.InputChannels, target);
                }

                position += w.PayloadLength;
            }
        }

        return result;
    }

    /// <summary>
    /// The node re-encoded as Conv3x3x3 or ConvTranspose2x2x2 (attributes dropped: each operator has one meaning) and its
    /// weight initializer packed, or null when the node is not eligible.
    /// </summary>
    private static RenamedNode? Renamed(ProtoField node, Dictionary<string, ProtoField> initializers, Dictionary<string, int> uses)
    {
        var fields = ProtoReader.Fields(node.Payload);
        var inputs = fields.Where(f => f.Number == NodeInput).Select(f => f.String).ToList();
        string opType = fields.FirstOrDefault(f => f.Number == NodeOpType) is { Payload.Length: > 0 } t ? t.String : string.Empty;
        string domain = fields.FirstOrDefault(f => f.Number == NodeDomain) is { Payload.Length: > 0 } d ? d.String : string.Empty;
        bool transposed = opType == "ConvTranspose";
        if (opType is not ("Conv" or "ConvTranspose") || domain is not ("" or "ai.onnx") || inputs.Count is < 2 or > 3 || uses.GetValueOrDefault(inputs[1]) != 1
            || !initializers.TryGetValue(inputs[1], out var initializer) || !(transposed ? PlainUpsampling(fields) : PlainPaddedKernel(fields)))
        {
            return null;
        }

        var tensor = ProtoReader.Fields(initializer.Payload);
        var dims = ProtoReader.Int64s(tensor, TensorDims);
        int k = transposed ? 2 : 3;
        long outputs = dims.Count == 5 ? dims[transposed ? 1 : 0] : 0, inputCount = dims.Count == 5 ? dims[transposed ? 0 : 1] : 0;
        if (tensor.FirstOrDefault(f => f.Number == TensorDataType).Varint != TensorFloat || dims.Count != 5 || outputs <= 0
            || outputs % (transposed ? TransposedChannelBlock : ChannelBlock) != 0 || inputCount <= 0 || dims[2] != k || dims[3] != k || dims[4] != k
            || outputs * inputCount * k * k * k > Array.MaxLength || FloatBytes(tensor, outputs * inputCount * k * k * k) is not { } source)
        {
            return null;
        }

        var packed = new PackedInitializer(inputs[1], (int)outputs, (int)inputCount, source, transposed);
        string name = fields.FirstOrDefault(f => f.Number == NodeName) is { Payload.Length: > 0 } nodeName ? nodeName.String : string.Empty;
        var outputs2 = fields.Where(f => f.Number == NodeOutput).Select(f => f.String).ToList();
        string op = transposed ? ConvTransposeOpType : ConvOpType;
        return new RenamedNode(NodeBytes(inputs, outputs2, name, op, []), packed, inputs, outputs2, name, op);
    }

    /// <summary>A NodeProto field of SegWeb's domain.</summary>
    private static byte[] NodeBytes(IEnumerable<string> inputs, IEnumerable<string> outputs, string name, string opType, (string Name, float Value)[] floatAttributes)
    {
        var writer = new ProtoWriter();
        foreach (var input in inputs)
        {
            writer.String(NodeInput, input);
        }

        foreach (var output in outputs)
        {
            writer.String(NodeOutput, output);
        }

        if (name.Length > 0)
        {
            writer.String(NodeName, name);
        }

        writer.String(NodeOpType, opType);
        writer.String(NodeDomain, Domain);
        foreach (var (attributeName, value) in floatAttributes)
        {
            writer.Message(NodeAttribute, a =>
            {
                a.String(AttributeName, attributeName);
                a.Float(AttributeFloat, value);
                a.Varint(AttributeType, AttributeTypeFloat);
            });
        }

        var message = new ProtoWriter();
        message.Message(GraphNode, writer);
        return message.ToArray();
    }

    /// <summary>A node given to SegWeb's domain: its new bytes, packed weights, and what a later fusion needs to rewrite it.</summary>
    private sealed record RenamedNode(byte[] Node, PackedInitializer Weights, List<string> Inputs, List<string> Outputs, string Name, string OpType);

    /// <summary>Whether the Conv's attributes say 3×3×3 (or nothing), stride and dilation 1, pads all 1, one group.</summary>
    private static bool PlainPaddedKernel(List<ProtoField> node)
    {
        bool padded = false;
        foreach (var attribute in node.Where(f => f.Number == NodeAttribute).Select(f => ProtoReader.Fields(f.Payload)))
        {
            string name = attribute.FirstOrDefault(a => a.Number == AttributeName) is { Payload.Length: > 0 } n ? n.String : string.Empty;
            var ints = ProtoReader.Int64s(attribute, AttributeInts);
            bool plain = name switch
            {
                "kernel_shape" => ints.SequenceEqual([3L, 3, 3]),
                "strides" or "dilations" => ints.Count == 3 && ints.All(v => v == 1),
                "pads" => padded = ints.Count == 6 && ints.All(v => v == 1),
                "group" => (long)attribute.FirstOrDefault(a => a.Number == AttributeInt).Varint == 1,
                "auto_pad" => attribute.FirstOrDefault(a => a.Number == AttributeString) is var s && (s.Payload.IsEmpty || s.String == "NOTSET"),
                _ => false,
            };
            if (!plain)
            {
                return false;
            }
        }

        return padded;
    }

    /// <summary>Whether the ConvTranspose's attributes say 2×2×2 (or nothing), stride 2, no padding, one group, no output shape.</summary>
    private static bool PlainUpsampling(List<ProtoField> node)
    {
        bool strided = false;
        foreach (var attribute in node.Where(f => f.Number == NodeAttribute).Select(f => ProtoReader.Fields(f.Payload)))
        {
            string name = attribute.FirstOrDefault(a => a.Number == AttributeName) is { Payload.Length: > 0 } n ? n.String : string.Empty;
            var ints = ProtoReader.Int64s(attribute, AttributeInts);
            bool plain = name switch
            {
                "kernel_shape" => ints.SequenceEqual([2L, 2, 2]),
                "strides" => strided = ints.SequenceEqual([2L, 2, 2]),
                "dilations" => ints.Count == 3 && ints.All(v => v == 1),
                "pads" => ints.Count == 6 && ints.All(v => v == 0),
                "output_padding" => ints.Count == 3 && ints.All(v => v == 0),
                "group" => (long)attribute.FirstOrDefault(a => a.Number == AttributeInt).Varint == 1,
                "auto_pad" => attribute.FirstOrDefault(a => a.Number == AttributeString) is var s && (s.Payload.IsEmpty || s.String == "NOTSET"),
                _ => false,
            };
            if (!plain)
            {
                return false;
            }
        }

        return strided;
    }

    /// <summary>
    /// Gives each Conv3x3x3 whose input is a two-input channel Concat (read by nothing else, not a graph output) the
    /// Concat's inputs directly (X, W, B, X2): the kernel reads both in place. Returns the Concat nodes' field indices.
    /// </summary>
    private static HashSet<int> FuseConcatenations(List<ProtoField> graph, Dictionary<int, byte[]> replaced, Dictionary<int, RenamedNode> convolutions, Dictionary<string, int> uses)
    {
        var graphOutputs = graph.Where(f => f.Number == GraphOutput).Select(OnnxValueInfo.Name).ToHashSet(StringComparer.Ordinal);
        var producers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Count; i++)
        {
            if (graph[i].Number == GraphNode)
            {
                foreach (var output in ProtoReader.Fields(graph[i].Payload).Where(f => f.Number == NodeOutput))
                {
                    producers[output.String] = i;
                }
            }
        }

        var dropped = new HashSet<int>();
        foreach (var (i, conv) in convolutions)
        {
            if (conv.OpType != ConvOpType || !producers.TryGetValue(conv.Inputs[0], out int j) || uses.GetValueOrDefault(conv.Inputs[0]) != 1
                || graphOutputs.Contains(conv.Inputs[0]) || replaced.ContainsKey(j))
            {
                continue;
            }

            var concat = NodeFields.Read(graph[j]);
            long axis = concat.Attributes.Count == 1 && concat.Attributes[0].FirstOrDefault(f => f.Number == AttributeName) is { Payload.Length: > 0 } a && a.String == "axis"
                ? (long)concat.Attributes[0].FirstOrDefault(f => f.Number == AttributeInt).Varint : -1;
            if (concat.OpType != "Concat" || concat.Domain is not ("" or "ai.onnx") || concat.Inputs.Count != 2 || concat.Outputs.Count != 1 || axis != 1)
            {
                continue;
            }

            string bias = conv.Inputs.Count > 2 ? conv.Inputs[2] : string.Empty;
            replaced[i] = NodeBytes([concat.Inputs[0], conv.Inputs[1], bias, concat.Inputs[1]], conv.Outputs, conv.Name, ConvOpType, []);
            dropped.Add(j);
        }

        return dropped;
    }

    /// <summary>
    /// Adds to <paramref name="replaced"/> each InstanceNormalization fused with the LeakyRelu that alone reads it, and
    /// returns the LeakyRelu nodes' field indices (dropped: the fused node writes their output).
    /// </summary>
    private static HashSet<int> FuseNormalisations(List<ProtoField> graph, Dictionary<int, byte[]> replaced)
    {
        var graphOutputs = graph.Where(f => f.Number == GraphOutput).Select(OnnxValueInfo.Name).ToHashSet(StringComparer.Ordinal);
        var nodes = new Dictionary<int, NodeFields>();
        var readers = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Count; i++)
        {
            if (graph[i].Number != GraphNode)
            {
                continue;
            }

            var node = NodeFields.Read(graph[i]);
            nodes[i] = node;
            foreach (var input in node.Inputs)
            {
                if (!readers.TryGetValue(input, out var list))
                {
                    readers[input] = list = [];
                }

                list.Add(i);
            }
        }

        var dropped = new HashSet<int>();
        foreach (var (i, norm) in nodes)
        {
            if (norm.OpType != "InstanceNormalization" || norm.Domain is not ("" or "ai.onnx") || norm.Inputs.Count != 3 || norm.Outputs.Count != 1
                || graphOutputs.Contains(norm.Outputs[0]) || !readers.TryGetValue(norm.Outputs[0], out var reading) || reading.Count != 1
                || replaced.ContainsKey(i))
            {
                continue;
            }

            int j = reading[0];
            var relu = nodes[j];
            float alpha = relu.Float("alpha") ?? 0.01f;
            if (relu.OpType != "LeakyRelu" || relu.Domain is not ("" or "ai.onnx") || relu.Inputs.Count != 1 || relu.Outputs.Count != 1
                || !(alpha is >= 0 and <= 1) || norm.HasOtherAttributes("epsilon") || relu.HasOtherAttributes("alpha"))
            {
                continue;
            }

            replaced[i] = NodeBytes(norm.Inputs, [relu.Outputs[0]], norm.Name, NormOpType, [("epsilon", norm.Float("epsilon") ?? 1e-5f), ("alpha", alpha)]);
            dropped.Add(j);
        }

        return dropped;
    }

    /// <summary>The parts of a NodeProto the fusion looks at.</summary>
    private sealed record NodeFields(string OpType, string Domain, string Name, List<string> Inputs, List<string> Outputs, List<List<ProtoField>> Attributes)
    {
        public static NodeFields Read(ProtoField node)
        {
            var fields = ProtoReader.Fields(node.Payload);
            string Text(int number) => fields.FirstOrDefault(f => f.Number == number) is { Payload.Length: > 0 } t ? t.String : string.Empty;
            return new NodeFields(Text(NodeOpType), Text(NodeDomain), Text(NodeName),
                [.. fields.Where(f => f.Number == NodeInput).Select(f => f.String)], [.. fields.Where(f => f.Number == NodeOutput).Select(f => f.String)],
                [.. fields.Where(f => f.Number == NodeAttribute).Select(f => ProtoReader.Fields(f.Payload))]);
        }

        public float? Float(string name) =>
            Attributes.FirstOrDefault(a => AttributeNameOf(a) == name) is { } attribute && attribute.FirstOrDefault(f => f.Number == AttributeFloat) is { WireType: 5 } value
                ? BitConverter.Int32BitsToSingle((int)value.Varint) : null;

        public bool HasOtherAttributes(string allowed) => Attributes.Any(a => AttributeNameOf(a) != allowed);

        private static string AttributeNameOf(List<ProtoField> attribute) =>
            attribute.FirstOrDefault(f => f.Number == AttributeName) is { Payload.Length: > 0 } n ? n.String : string.Empty;
    }

    /// <summary>The tensor's <paramref name="count"/> floats as little-endian bytes, from raw_data (not copied) or float_data; null when stored elsewhere (external data).</summary>
    private static ReadOnlyMemory<byte>? FloatBytes(List<ProtoField> tensor, long count)
    {
        if (tensor.FirstOrDefault(f => f.Number == TensorRawData) is { Payload.Length: > 0 } raw)
        {
            // raw_data is little-endian, as is every platform SegWeb runs on.
            return raw.Payload.Length == count * sizeof(float) ? raw.Payload : null;
        }

        var values = new List<float>();
        foreach (var f in tensor.Where(f => f.Number == TensorFloatData))
        {
            if (f.WireType == 5)
            {
                values.Add(BitConverter.Int32BitsToSingle((int)f.Varint));
            }
            else
            {
                values.AddRange(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(f.Payload.Span).ToArray());
            }
        }

        return values.Count == count ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.ToArray().AsSpan()).ToArray() : null;
    }

    /// <summary>Bytes copied as they are, followed by <see cref="Weights"/> packed in place when set.</summary>
    private sealed record Piece(ReadOnlyMemory<byte> Bytes, PackedInitializer? Weights)
    {
        public long Length => Bytes.Length + (Weights?.PayloadLength ?? 0);
    }

    /// <summary>A weight initializer to be written packed: its new TensorProto's header, then the packed floats.</summary>
    private sealed record PackedInitializer(string Name, int OutputChannels, int InputChannels, ReadOnlyMemory<byte> Source, bool Transposed)
    {
        public int PayloadLength => Source.Length;

        /// <summary>
        /// The initializer field up to and including raw_data's length: dims [out / 16, in, 27, 16] (transposed:
        /// [out / 8, 2, 2, in, 16]), FLOAT, the name.
        /// </summary>
        public byte[] Header()
        {
            var tensor = new ProtoWriter();
            tensor.PackedVarints(TensorDims, Transposed
                ? [OutputChannels / TransposedChannelBlock, 2, 2, InputChannels, 2 * TransposedChannelBlock]
                : [OutputChannels / ChannelBlock, InputChannels, 27, ChannelBlock]);
            tensor.Varint(TensorDataType, TensorFloat);
            tensor.String(TensorName, Name);
            tensor.LengthPrefix(TensorRawData, PayloadLength);
            var field = new ProtoWriter();
            field.LengthPrefix(GraphInitializer, tensor.Length + PayloadLength);
            var header = tensor.ToArray();
            field.Raw(header);
            return field.ToArray();
        }
    }
}
