using System.Buffers.Binary;
using System.Text;

namespace SegWeb.Models.Onnx;

/// <summary>
/// The few protobuf encodings ONNX needs: varints, 32-bit floats, and length-delimited fields (strings,
/// bytes, nested messages, packed repeated int64). Nested messages are written into their own writer and
/// then embedded, which keeps the code obvious; the copy is cheap next to the weights themselves.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();

    public long Length => _buffer.Length;

    public void Varint(int field, long value)
    {
        Tag(field, 0);
        RawVarint((ulong)value);
    }

    public void Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _buffer.Write(b);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        RawVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    public void Message(int field, ProtoWriter message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Tag(field, 2);
        RawVarint((ulong)message._buffer.Length);
        message._buffer.Position = 0;
        message._buffer.CopyTo(_buffer);
    }

    public void Message(int field, Action<ProtoWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var nested = new ProtoWriter();
        write(nested);
        Message(field, nested);
    }

    /// <summary>A packed repeated int64 field.</summary>
    public void PackedVarints(int field, IEnumerable<long> values)
    {
        var nested = new ProtoWriter();
        foreach (var v in values)
        {
            nested.RawVarint((ulong)v);
        }

        Tag(field, 2);
        RawVarint((ulong)nested._buffer.Length);
        nested._buffer.Position = 0;
        nested._buffer.CopyTo(_buffer);
    }

    /// <summary>The tag and length of a length-delimited field whose <paramref name="length"/> payload bytes the caller writes itself.</summary>
    public void LengthPrefix(int field, long length)
    {
        Tag(field, 2);
        RawVarint((ulong)length);
    }

    /// <summary>Bytes already encoded as whole fields (tag included), copied unchanged.</summary>
    public void Raw(ReadOnlySpan<byte> fields) => _buffer.Write(fields);

    public byte[] ToArray() => _buffer.ToArray();

    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _buffer.Position = 0;
        _buffer.CopyTo(stream);
    }

    private void Tag(int field, int wireType) => RawVarint((ulong)((field << 3) | wireType));

    private void RawVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.WriteByte((byte)value);
    }
}
