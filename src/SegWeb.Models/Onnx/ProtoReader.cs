using System.Buffers.Binary;
using System.Text;

namespace SegWeb.Models.Onnx;

/// <summary>One protobuf field as read from the wire: its number, wire type, value and the exact bytes it occupied.</summary>
/// <param name="Number">Field number.</param>
/// <param name="WireType">0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.</param>
/// <param name="Varint">The value of a varint (or fixed) field; 0 for length-delimited ones.</param>
/// <param name="Payload">The bytes of a length-delimited field (string, bytes, nested message, packed values).</param>
/// <param name="Raw">The whole field, tag included: what a rewriter copies to keep a field unchanged.</param>
internal readonly record struct ProtoField(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Payload, ReadOnlyMemory<byte> Raw)
{
    public string String => Encoding.UTF8.GetString(Payload.Span);
}

/// <summary>
/// The reading half of <see cref="ProtoWriter"/>: walks the fields of one protobuf message without a schema, so a
/// rewriter can inspect the few fields it cares about and copy every other one byte for byte. Malformed input
/// (a length past the end, an unknown wire type, a varint over 10 bytes) throws <see cref="ModelFormatException"/>.
/// </summary>
internal static class ProtoReader
{
    public static List<ProtoField> Fields(ReadOnlyMemory<byte> message)
    {
        var fields = new List<ProtoField>();
        var span = message.Span;
        int position = 0;
        while (position < span.Length)
        {
            int start = position;
            ulong tag = ReadVarint(span, ref position);
            int number = checked((int)(tag >> 3)), wire = (int)(tag & 7);
            ulong value = 0;
            ReadOnlyMemory<byte> payload = ReadOnlyMemory<byte>.Empty;
            switch (wire)
            {
                case 0:
                    value = ReadVarint(span, ref position);
                    break;
                case 1:
                    Require(span, position, 8);
                    value = BinaryPrimitives.ReadUInt64LittleEndian(span[position..]);
                    position += 8;
                    break;
                case 2:
                    ulong length = ReadVarint(span, ref position);
                    if (length > (ulong)(span.Length - position))
                    {
                        throw new ModelFormatException($"protobuf field {number}: length {length} runs past the end of its message");
                    }

                    payload = message.Slice(position, (int)length);
                    position += (int)length;
                    break;
                case 5:
                    Require(span, position, 4);
                    value = BinaryPrimitives.ReadUInt32LittleEndian(span[position..]);
                    position += 4;
                    break;
                default:
                    throw new ModelFormatException($"protobuf field {number}: unsupported wire type {wire}");
            }

            fields.Add(new ProtoField(number, wire, value, payload, message[start..position]));
        }

        return fields;
    }

    /// <summary>The values of a repeated int64 field, packed or not.</summary>
    public static List<long> Int64s(IEnumerable<ProtoField> fields, int number)
    {
        var values = new List<long>();
        foreach (var field in fields.Where(f => f.Number == number))
        {
            if (field.WireType == 0)
            {
                values.Add((long)field.Varint);
                continue;
            }

            var span = field.Payload.Span;
            int position = 0;
            while (position < span.Length)
            {
                values.Add((long)ReadVarint(span, ref position));
            }
        }

        return values;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            Require(span, position, 1);
            byte b = span[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new ModelFormatException("protobuf varint longer than 10 bytes");
    }

    private static void Require(ReadOnlySpan<byte> span, int position, int count)
    {
        if (span.Length - position < count)
        {
            throw new ModelFormatException("protobuf message ends inside a field");
        }
    }
}
