using System.Buffers.Binary;
using System.IO.Compression;

namespace SegWeb.Imaging.Compression;

/// <summary>
/// The gzip member layout SegWeb writes: an ordinary RFC 1952 member whose header carries one extra
/// subfield, SI1='B', SI2='C' (as in BGZF), SLEN=4, holding the member's total compressed size as a
/// little-endian uint32. Any gzip reader accepts it (concatenated members are one valid gzip stream and
/// unknown extra subfields are skipped); SegWeb's reader uses the sizes to find every member without
/// inflating, then inflates members in parallel. BGZF proper uses SLEN=2 (16-bit sizes); the 4-byte
/// length keeps htslib from mistaking these multi-megabyte members for BGZF blocks.
/// </summary>
internal static class GzipMemberFormat
{
    /// <summary>Bytes of the member header: 10 fixed + XLEN (2) + subfield (2 id + 2 length + 4 size).</summary>
    public const int HeaderLength = 20;

    /// <summary>Bytes of the member trailer: CRC32 and ISIZE.</summary>
    public const int TrailerLength = 8;

    private const byte FlagExtra = 0x04;

    /// <summary>True when the bytes begin with the gzip magic (1f 8b).</summary>
    public static bool HasGzipMagic(ReadOnlySpan<byte> first) => first.Length >= 2 && first[0] == 0x1f && first[1] == 0x8b;

    /// <summary>Compresses one block into a complete member with the size subfield.</summary>
    public static byte[] CompressMember(ReadOnlySpan<byte> block, int zlibLevel)
    {
        // zlib (through GZipStream) does the deflate and the CRC32; we splice the extra field into its header.
        using var buffer = new MemoryStream((block.Length / 2) + 64);
        using (var gz = new GZipStream(buffer, new ZLibCompressionOptions { CompressionLevel = zlibLevel }, leaveOpen: true))
        {
            gz.Write(block);
        }

        var plain = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (plain.Length < 18 || plain[3] != 0)
        {
            throw new InvalidOperationException("zlib wrote an unexpected gzip header (flags set); cannot add the member size field.");
        }

        int size = plain.Length + 10;
        var member = new byte[size];
        plain[..10].CopyTo(member);
        member[3] = FlagExtra;
        BinaryPrimitives.WriteUInt16LittleEndian(member.AsSpan(10), 8); // XLEN
        member[12] = (byte)'B';
        member[13] = (byte)'C';
        BinaryPrimitives.WriteUInt16LittleEndian(member.AsSpan(14), 4); // SLEN
        BinaryPrimitives.WriteUInt32LittleEndian(member.AsSpan(16), (uint)size);
        plain[10..].CopyTo(member.AsSpan(HeaderLength));
        return member;
    }

    /// <summary>
    /// The member size from a SegWeb member header, or null when the header is not one (another tool's
    /// gzip, or corrupt). Only the exact layout SegWeb writes is recognised.
    /// </summary>
    public static uint? ReadMemberSize(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderLength || !HasGzipMagic(header) || header[2] != 8 || header[3] != FlagExtra
            || BinaryPrimitives.ReadUInt16LittleEndian(header[10..]) != 8 || header[12] != 'B' || header[13] != 'C'
            || BinaryPrimitives.ReadUInt16LittleEndian(header[14..]) != 4)
        {
            return null;
        }

        uint size = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        return size >= HeaderLength + TrailerLength + 2 ? size : null;
    }
}
