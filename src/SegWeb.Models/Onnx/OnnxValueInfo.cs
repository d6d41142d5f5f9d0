namespace SegWeb.Models.Onnx;

/// <summary>Reads the declared shapes of a model's graph inputs and outputs (ValueInfoProto) without loading the model.</summary>
public static class OnnxValueInfo
{
    /// <summary>
    /// The declared dimensions of graph input <paramref name="inputName"/>: a long for a fixed dimension, a string for a
    /// named (symbolic) one, "?" for an unnamed unknown one; null when the model has no such input or declares no shape.
    /// </summary>
    /// <exception cref="ModelFormatException">The bytes are not a ModelProto.</exception>
    public static IReadOnlyList<object>? InputDims(ReadOnlyMemory<byte> model, string inputName)
    {
        ArgumentNullException.ThrowIfNull(inputName);
        var graph = ProtoReader.Fields(model).FirstOrDefault(f => f.Number == 7);
        if (graph.Payload.IsEmpty)
        {
            return null;
        }

        var input = ProtoReader.Fields(graph.Payload).FirstOrDefault(f => f.Number == 11 && Name(f) == inputName);
        return input.Payload.IsEmpty ? null : Dims(input) is { Count: > 0 } dims ? dims : null;
    }

    /// <summary>The value info's name, or null.</summary>
    internal static string? Name(ProtoField valueInfo) =>
        ProtoReader.Fields(valueInfo.Payload).FirstOrDefault(f => f.Number == 1) is { Payload.Length: > 0 } name ? name.String : null;

    /// <summary>The value info's dimensions (a long, a symbolic name, or "?"); empty when it declares no shape.</summary>
    internal static List<object> Dims(ProtoField valueInfo)
    {
        var dims = new List<object>();
        var type = ProtoReader.Fields(valueInfo.Payload).FirstOrDefault(f => f.Number == 2);
        var tensor = type.Payload.IsEmpty ? default : ProtoReader.Fields(type.Payload).FirstOrDefault(f => f.Number == 1);
        var shape = tensor.Payload.IsEmpty ? default : ProtoReader.Fields(tensor.Payload).FirstOrDefault(f => f.Number == 2);
        if (shape.Payload.IsEmpty)
        {
            return dims;
        }

        foreach (var dim in ProtoReader.Fields(shape.Payload).Where(f => f.Number == 1))
        {
            var parts = ProtoReader.Fields(dim.Payload);
            dims.Add(parts.FirstOrDefault(p => p.Number == 2) is { Payload.Length: > 0 } symbol ? symbol.String
                : parts.FirstOrDefault(p => p.Number == 1) is { WireType: 0 } value ? (object)(long)value.Varint : "?");
        }

        return dims;
    }
}
