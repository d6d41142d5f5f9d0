using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace SegWeb.Imaging.Compression;

/// <summary>One gzip member of an indexed file: where its compressed bytes lie and which uncompressed bytes it holds.</summary>
internal readonly record struct GzipMember(long CompressedOffset, int CompressedLength, long UncompressedOffset, int UncompressedLength);

/// <summary>
/// The member table of a file written by <see cref="ParallelGzipWriter"/>, built from the member headers
/// (size subfield) and trailers (ISIZE) alone. Anything unexpected — another tool's gzip, a truncated or
/// altered file — yields no index, and the caller falls back to sequential inflation, which reports the
/// real problem.
/// </summary>
internal sealed class GzipMemberIndex
{
    private GzipMemberIndex(List<GzipMember> members, long totalUncompressed)
    {
        Members = members;
        TotalUncompressed = totalUncompressed;
    }

    public IReadOnlyList<GzipMember> Members { get; }

    /// <summary>Total uncompressed bytes (sum of the members' ISIZE).</summary>
    public long TotalUncompressed { get; }

    /// <summary>Walks the member chain; null unless every member is a SegWeb member and the chain ends exactly at end of file.</summary>
    public static GzipMemberIndex? TryBuild(SafeFileHandle file, long fileLength, int maxMemberBytes)
    {
        var members = new List<GzipMember>();
        Span<byte> header = stackalloc byte[GzipMemberFormat.HeaderLength];
        Span<byte> trailer = stackalloc byte[4];
        long offset = 0, uncompressed = 0;
        while (offset < fileLength)
        {
            if (fileLength - offset < GzipMemberFormat.HeaderLength
                || RandomAccess.Read(file, header, offset) != header.Length
                || GzipMemberFormat.ReadMemberSize(header) is not uint size
                || size > maxMemberBytes || size > fileLength - offset
                || RandomAccess.Read(file, trailer, offset + size - 4) != 4)
            {
                return null;
            }

            // ISIZE is the member's uncompressed size (mod 2^32); SegWeb members are far below 4 GiB and
            // the reader verifies it when it inflates the member.
            uint isize = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
            // Deflate cannot expand more than ~1032:1, so a larger claim is a forged trailer.
            if (isize > maxMemberBytes || isize > ((long)size * DeflateLimits.MaxRatio) + 1024)
            {
                return null;
            }

            members.Add(new GzipMember(offset, (int)size, uncompressed, (int)isize));
            offset += size;
            uncompressed += isize;
        }

        return members.Count > 0 ? new GzipMemberIndex(members, uncompressed) : null;
    }
}
