using System.Runtime.InteropServices;

namespace SegWeb.Models.Onnx;

/// <summary>
/// A small in-memory ONNX graph (float32 only) and its serialization as a ModelProto. Only the pieces SegWeb's
/// exporters use: nodes with int/ints/float attributes, float32 initializers as raw_data, and inputs/outputs
/// whose dimensions are fixed numbers or named symbolic dimensions.
/// </summary>
public sealed class OnnxGraph
{
    /// <summary>ONNX IR version 8 goes with opset 17/18.</summary>
    public const long IrVersion = 8;

    private const int TensorFloat = 1;
    private readonly List<Node> _nodes = [];
    private readonly List<(string Name, long[] Dims, float[] Data)> _initializers = [];
    private readonly List<(string Name, object[] Dims)> _inputs = [];
    private readonly List<(string Name, object[] Dims)> _outputs = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public OnnxGraph(string name, int opset = 17)
    {
        if (opset < 17)
        {
            throw new ArgumentOutOfRangeException(nameof(opset), "SegWeb writes opset 17 or later");
        }

        Name = name;
        Opset = opset;
    }

    public string Name { get; }

    public int Opset { get; }

    public int NodeCount => _nodes.Count;

    /// <summary>Metadata written into ModelProto.metadata_props.</summary>
    public Dictionary<string, string> Metadata { get; } = [];

    /// <summary>Declares a float32 graph input; a dimension is a long (fixed) or a string (symbolic).</summary>
    public void AddInput(string name, params object[] dims) => _inputs.Add((Unique(name), dims));

    /// <summary>Declares a float32 graph output.</summary>
    public void AddOutput(string name, params object[] dims) => _outputs.Add((name, dims));

    /// <summary>Adds a float32 constant; returns its name.</summary>
    public string AddInitializer(string name, long[] dims, float[] data)
    {
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentNullException.ThrowIfNull(data);
        if (dims.Aggregate(1L, (a, b) => a * b) != data.Length)
        {
            throw new ArgumentException($"initializer {name}: {data.Length} values do not fill [{string.Join(",", dims)}]");
        }

        _initializers.Add((Unique(name), dims, data));
        return name;
    }

    /// <summary>Adds a node with one output named <paramref name="output"/>; returns the output name.</summary>
    public string AddNode(string opType, string[] inputs, string output, params (string Name, object Value)[] attributes)
    {
        _nodes.Add(new Node(opType, inputs, Unique(output), attributes));
        return output;
    }

    /// <summary>Serializes the ModelProto.</summary>
    public void Write(Stream stream)
    {
        var model = new ProtoWriter();
        model.Varint(1, IrVersion);
        model.String(2, "SegWeb");
        model.String(3, typeof(OnnxGraph).Assembly.GetName().Version?.ToString() ?? "0");
        model.Message(7, WriteGraph);
        model.Message(8, opset =>
        {
            opset.String(1, string.Empty);
            opset.Varint(2, Opset);
        });
        foreach (var (key, value) in Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            model.Message(14, entry =>
            {
                entry.String(1, key);
                entry.String(2, value);
            });
        }

        model.WriteTo(stream);
    }

    private static void WriteValueInfo(ProtoWriter info, string name, object[] dims)
    {
        info.String(1, name);
        info.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Varint(1, TensorFloat);
            tensor.Message(2, shape =>
            {
                foreach (var dim in dims)
                {
                    shape.Message(1, d =>
                    {
                        if (dim is string symbol)
                        {
                            d.String(2, symbol);
                        }
                        else
                        {
                            d.Varint(1, Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture));
                        }
                    });
                }
            });
        }));
    }

    private static void WriteAttribute(ProtoWriter attribute, string name, object value)
    {
        attribute.String(1, name);
        switch (value)
        {
            case float f:
                attribute.Float(2, f);
                attribute.Varint(20, 1); // FLOAT
                break;
            case long l:
                attribute.Varint(3, l);
                attribute.Varint(20, 2); // INT
                break;
            case int i:
                attribute.Varint(3, i);
                attribute.Varint(20, 2);
                break;
            case long[] ls:
                attribute.PackedVarints(8, ls);
                attribute.Varint(20, 7); // INTS
                break;
            case int[] ints:
                attribute.PackedVarints(8, ints.Select(v => (long)v));
                attribute.Varint(20, 7);
                break;
            default:
                throw new ArgumentException($"attribute {name}: unsupported type {value.GetType().Name}");
        }
    }

    private void WriteGraph(ProtoWriter graph)
    {
        foreach (var node in _nodes)
        {
            graph.Message(1, n =>
            {
                foreach (var input in node.Inputs)
                {
                    n.String(1, input);
                }

                n.String(2, node.Output);
                n.String(3, node.Output);
                n.String(4, node.OpType);
                foreach (var (attrName, attrValue) in node.Attributes)
                {
                    n.Message(5, a => WriteAttribute(a, attrName, attrValue));
                }
            });
        }

        graph.String(2, Name);
        foreach (var (name, dims, data) in _initializers)
        {
            graph.Message(5, t =>
            {
                t.PackedVarints(1, dims);
                t.Varint(2, TensorFloat);
                t.String(8, name);
                // raw_data is little-endian; so is every platform .NET runs SegWeb on.
                t.Bytes(9, MemoryMarshal.AsBytes(data.AsSpan()));
            });
        }

        foreach (var (name, dims) in _inputs)
        {
            graph.Message(11, i => WriteValueInfo(i, name, dims));
        }

        foreach (var (name, dims) in _outputs)
        {
            graph.Message(12, o => WriteValueInfo(o, name, dims));
        }
    }

    private string Unique(string name) =>
        _names.Add(name) ? name : throw new ArgumentException($"ONNX name '{name}' is used twice");

    private sealed record Node(string OpType, string[] Inputs, string Output, (string Name, object Value)[] Attributes);
}
