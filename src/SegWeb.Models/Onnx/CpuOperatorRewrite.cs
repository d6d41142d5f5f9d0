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

    // ModelProto and GraphProto field numbers (NodeProto's and TensorProto's are in OnnxNode and OnnxTensors).
    private const int ModelGraph = 7, ModelOpsetImport = 8;
    private const int GraphNode = 1, GraphInitializer = 5, GraphOutput = 12;
    private const int AttributeType = 20, AttributeTypeFloat = 1;

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

        var graph = new GraphIndex(ProtoReader.Fields(graphs[0].Payload));

        // Pass 1: the nodes to replace (with their weights) or drop; pass 2: the graph's pieces, with those replaced.
        var replaced = new Dictionary<int, byte[]>();
        var packedAt = new Dictionary<int, PackedInitializer>();
        var convolutions = new Dictionary<int, RenamedNode>();
        foreach (var (i, node) in graph.Nodes)
        {
            if (Renamed(node, graph) is { } found)
            {
                replaced[i] = found.Node;
                packedAt[found.InitializerIndex] = found.Weights;
                convolutions[i] = found;
            }
        }

        var dropped = FuseNormalisations(graph, replaced);
        dropped.UnionWith(FuseConcatenations(graph, replaced, convolutions));

        renamed = replaced.Count;
        if (renamed == 0)
        {
            return null;
        }

        var pieces = new List<Piece>();
        for (int i = 0; i < graph.Fields.Count; i++)
        {
            if (replaced.TryGetValue(i, out var node))
            {
                pieces.Add(new Piece(node, null));
            }
            else if (packedAt.TryGetValue(i, out var packed))
            {
                pieces.Add(new Piece(packed.Header(), packed));
            }
            else if (!dropped.Contains(i))
            {
                pieces.Add(new Piece(graph.Fields[i].Raw, null));
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
    private static RenamedNode? Renamed(OnnxNode node, GraphIndex graph)
    {
        bool transposed = node.OpType == "ConvTranspose";
        if (node.OpType is not ("Conv" or "ConvTranspose") || !node.InDefaultDomain || node.Inputs.Count is < 2 or > 3
            || graph.Readers(node.Inputs[1]) != 1 || !graph.Initializers.TryGetValue(node.Inputs[1], out int initializerIndex)
            || !PlainAttributes(node, transposed))
        {
            return null;
        }

        var tensor = ProtoReader.Fields(graph.Fields[initializerIndex].Payload);
        var dims = ProtoReader.Int64s(tensor, OnnxTensors.DimsField);
        int k = transposed ? 2 : 3;
        long outputs = dims.Count == 5 ? dims[transposed ? 1 : 0] : 0, inputCount = dims.Count == 5 ? dims[transposed ? 0 : 1] : 0;
        if (tensor.FirstOrDefault(f => f.Number == OnnxTensors.DataTypeField).Varint != OnnxTensors.Float || dims.Count != 5 || outputs <= 0
            || outputs % (transposed ? TransposedChannelBlock : ChannelBlock) != 0 || inputCount <= 0 || dims[2] != k || dims[3] != k || dims[4] != k
            || outputs * inputCount * k * k * k > Array.MaxLength || OnnxTensors.FloatBytes(tensor, outputs * inputCount * k * k * k) is not { } source)
        {
            return null;
        }

        var packed = new PackedInitializer(node.Inputs[1], (int)outputs, (int)inputCount, source, transposed);
        return new RenamedNode(NodeBytes(node.Inputs, node.Outputs, node.Name, transposed ? ConvTransposeOpType : ConvOpType, []), packed, initializerIndex, node);
    }

    /// <summary>A NodeProto field of SegWeb's domain.</summary>
    private static byte[] NodeBytes(IEnumerable<string> inputs, IEnumerable<string> outputs, string name, string opType, (string Name, float Value)[] floatAttributes)
    {
        var writer = new ProtoWriter();
        foreach (var input in inputs)
        {
            writer.String(OnnxNode.InputField, input);
        }

        foreach (var output in outputs)
        {
            writer.String(OnnxNode.OutputField, output);
        }

        if (name.Length > 0)
        {
            writer.String(OnnxNode.NameField, name);
        }

        writer.String(OnnxNode.OpTypeField, opType);
        writer.String(OnnxNode.DomainField, Domain);
        foreach (var (attributeName, value) in floatAttributes)
        {
            writer.Message(OnnxNode.AttributeField, a =>
            {
                a.String(OnnxNode.AttributeNameField, attributeName);
                a.Float(OnnxNode.AttributeFloatField, value);
                a.Varint(AttributeType, AttributeTypeFloat);
            });
        }

        var message = new ProtoWriter();
        message.Message(GraphNode, writer);
        return message.ToArray();
    }

    /// <summary>A node given to SegWeb's domain: its new bytes, its packed weights and their field, and the node as read.</summary>
    private sealed record RenamedNode(byte[] Node, PackedInitializer Weights, int InitializerIndex, OnnxNode Original);

    /// <summary>
    /// Whether the attributes say what the kernel computes. Conv: 3×3×3 (or no kernel_shape), strides and dilations 1,
    /// pads all 1 (required), one group, no auto_pad. ConvTranspose: 2×2×2, strides 2 (required), dilations 1, no
    /// padding or output padding, one group, no auto_pad. Any other attribute (output_shape, for one) disqualifies.
    /// </summary>
    private static bool PlainAttributes(OnnxNode node, bool transposed)
    {
        long kernel = transposed ? 2 : 3, stride = transposed ? 2 : 1, pad = transposed ? 0 : 1;
        foreach (var attribute in node.Attributes)
        {
            string name = OnnxNode.AttributeName(attribute);
            var ints = ProtoReader.Int64s(attribute, OnnxNode.AttributeIntsField);
            bool plain = name switch
            {
                "kernel_shape" => ints.Count == 3 && ints.All(v => v == kernel),
                "strides" => ints.Count == 3 && ints.All(v => v == stride),
                "dilations" => ints.Count == 3 && ints.All(v => v == 1),
                "pads" => ints.Count == 6 && ints.All(v => v == pad),
                "output_padding" => transposed && ints.Count == 3 && ints.All(v => v == 0),
                "group" => (long)attribute.FirstOrDefault(a => a.Number == OnnxNode.AttributeIntField).Varint == 1,
                "auto_pad" => attribute.FirstOrDefault(a => a.Number == OnnxNode.AttributeStringField) is var s && (s.Payload.IsEmpty || s.String == "NOTSET"),
                _ => false,
            };
            if (!plain)
            {
                return false;
            }
        }

        // Every attribute present is plain now; the one whose default would differ must be there.
        string required = transposed ? "strides" : "pads";
        return node.Attributes.Any(a => OnnxNode.AttributeName(a) == required);
    }

    /// <summary>
    /// Gives each Conv3x3x3 whose input is a two-input channel Concat (read by nothing else, not a graph output) the
    /// Concat's inputs directly (X, W, B, X2): the kernel reads both in place. Returns the Concat nodes' field indices.
    /// </summary>
    private static HashSet<int> FuseConcatenations(GraphIndex graph, Dictionary<int, byte[]> replaced, Dictionary<int, RenamedNode> convolutions)
    {
        var dropped = new HashSet<int>();
        foreach (var (i, conv) in convolutions)
        {
            var x = conv.Original.Inputs[0];
            if (conv.Weights.Transposed || !graph.Producers.TryGetValue(x, out int j) || graph.Readers(x) != 1 || graph.Outputs.Contains(x) || replaced.ContainsKey(j))
            {
                continue;
            }

            var concat = graph.Nodes[j];
            long axis = concat.Attributes is [var only] && OnnxNode.AttributeName(only) == "axis"
                ? (long)only.FirstOrDefault(f => f.Number == OnnxNode.AttributeIntField).Varint : -1;
            if (concat.OpType != "Concat" || !concat.InDefaultDomain || concat.Inputs.Count != 2 || concat.Outputs.Count != 1 || axis != 1)
            {
                continue;
            }

            string bias = conv.Original.Inputs.Count > 2 ? conv.Original.Inputs[2] : string.Empty;
            replaced[i] = NodeBytes([concat.Inputs[0], conv.Original.Inputs[1], bias, concat.Inputs[1]], conv.Original.Outputs, conv.Original.Name, ConvOpType, []);
            dropped.Add(j);
        }

        return dropped;
    }

    /// <summary>
    /// Adds to <paramref name="replaced"/> each InstanceNormalization fused with the LeakyRelu that alone reads it, and
    /// returns the LeakyRelu nodes' field indices (dropped: the fused node writes their output).
    /// </summary>
    private static HashSet<int> FuseNormalisations(GraphIndex graph, Dictionary<int, byte[]> replaced)
    {
        var dropped = new HashSet<int>();
        foreach (var (i, norm) in graph.Nodes)
        {
            if (norm.OpType != "InstanceNormalization" || !norm.InDefaultDomain || norm.Inputs.Count != 3 || norm.Outputs.Count != 1
                || graph.Outputs.Contains(norm.Outputs[0]) || graph.Readers(norm.Outputs[0]) != 1 || replaced.ContainsKey(i))
            {
                continue;
            }

            int j = graph.ReaderOf[norm.Outputs[0]];
            var relu = graph.Nodes[j];
            float alpha = relu.Float("alpha") ?? 0.01f;
            if (relu.OpType != "LeakyRelu" || !relu.InDefaultDomain || relu.Inputs.Count != 1 || relu.Outputs.Count != 1
                || !(alpha is >= 0 and <= 1) || norm.HasOtherAttributes("epsilon") || relu.HasOtherAttributes("alpha"))
            {
                continue;
            }

            replaced[i] = NodeBytes(norm.Inputs, [relu.Outputs[0]], norm.Name, NormOpType, [("epsilon", norm.Float("epsilon") ?? 1e-5f), ("alpha", alpha)]);
            dropped.Add(j);
        }

        return dropped;
    }

    /// <summary>
    /// The graph's fields with every node read once, and who produces and reads each value: what the three rules look
    /// up. <see cref="Readers"/> counts node inputs naming the value (a node reading it twice counts twice).
    /// </summary>
    private sealed class GraphIndex
    {
        private readonly Dictionary<string, int> _readers = new(StringComparer.Ordinal);

        public GraphIndex(List<ProtoField> fields)
        {
            Fields = fields;
            for (int i = 0; i < fields.Count; i++)
            {
                var field = fields[i];
                if (field.Number == GraphNode)
                {
                    var node = OnnxNode.Read(field);
                    Nodes[i] = node;
                    foreach (var input in node.Inputs)
                    {
                        _readers[input] = _readers.GetValueOrDefault(input) + 1;
                        ReaderOf[input] = i;
                    }

                    foreach (var output in node.Outputs)
                    {
                        Producers[output] = i;
                    }
                }
                else if (field.Number == GraphInitializer && OnnxTensors.Name(ProtoReader.Fields(field.Payload)) is { } name)
                {
                    Initializers[name] = i;
                }
                else if (field.Number == GraphOutput && OnnxValueInfo.Name(field) is { } output)
                {
                    Outputs.Add(output);
                }
            }
        }

        public List<ProtoField> Fields { get; }

        /// <summary>Nodes by field index.</summary>
        public Dictionary<int, OnnxNode> Nodes { get; } = [];

        /// <summary>Initializer field index by name.</summary>
        public Dictionary<string, int> Initializers { get; } = new(StringComparer.Ordinal);

        /// <summary>The node writing each value.</summary>
        public Dictionary<string, int> Producers { get; } = new(StringComparer.Ordinal);

        /// <summary>The last node reading each value (the only one when <see cref="Readers"/> is 1).</summary>
        public Dictionary<string, int> ReaderOf { get; } = new(StringComparer.Ordinal);

        /// <summary>The graph's outputs.</summary>
        public HashSet<string> Outputs { get; } = new(StringComparer.Ordinal);

        /// <summary>How many node inputs read <paramref name="value"/>.</summary>
        public int Readers(string value) => _readers.GetValueOrDefault(value);
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
            tensor.PackedVarints(OnnxTensors.DimsField, Transposed
                ? [OutputChannels / TransposedChannelBlock, 2, 2, InputChannels, 2 * TransposedChannelBlock]
                : [OutputChannels / ChannelBlock, InputChannels, 27, ChannelBlock]);
            tensor.Varint(OnnxTensors.DataTypeField, OnnxTensors.Float);
            tensor.String(OnnxTensors.NameField, Name);
            tensor.LengthPrefix(OnnxTensors.RawDataField, PayloadLength);
            var field = new ProtoWriter();
            field.LengthPrefix(GraphInitializer, tensor.Length + PayloadLength);
            var header = tensor.ToArray();
            field.Raw(header);
            return field.ToArray();
        }
    }
}
