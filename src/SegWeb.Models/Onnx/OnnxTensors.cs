using System.Runtime.InteropServices;

namespace SegWeb.Models.Onnx;

/// <summary>Reads the values of a float32 TensorProto (dims 1, data_type 2, float_data 4, name 8, raw_data 9, external data 13/14).</summary>
internal static class OnnxTensors
{
    public const int DimsField = 1, DataTypeField = 2, FloatDataField = 4, NameField = 8, RawDataField = 9;

    /// <summary>TensorProto.DataType FLOAT.</summary>
    public const int Float = 1;

    /// <summary>The tensor's name, or null.</summary>
    public static string? Name(List<ProtoField> tensor) =>
        tensor.FirstOrDefault(f => f.Number == NameField) is { Payload.Length: > 0 } n ? n.String : null;

    /// <summary>
    /// The tensor's <paramref name="count"/> floats as little-endian bytes: raw_data as it lies in the model (not copied),
    /// or float_data collected; null when the values are stored elsewhere (external data) or are not
    /// <paramref name="count"/>. raw_data is little-endian, as is every platform SegWeb runs on.
    /// </summary>
    public static ReadOnlyMemory<byte>? FloatBytes(List<ProtoField> tensor, long count)
    {
        if (tensor.Any(f => f.Number is 13 or 14 && (f.WireType == 2 || f.Varint != 0)))
        {
            return null;
        }

        if (tensor.FirstOrDefault(f => f.Number == RawDataField) is { Payload.Length: > 0 } raw)
        {
            return raw.Payload.Length == count * sizeof(float) ? raw.Payload : null;
        }

        var values = new List<float>();
        foreach (var f in tensor.Where(f => f.Number == FloatDataField))
        {
            if (f.WireType == 5)
            {
                values.Add(BitConverter.Int32BitsToSingle((int)f.Varint));
            }
            else
            {
                values.AddRange(MemoryMarshal.Cast<byte, float>(f.Payload.Span).ToArray());
            }
        }

        return values.Count == count ? MemoryMarshal.AsBytes(values.ToArray().AsSpan()).ToArray() : null;
    }
}
