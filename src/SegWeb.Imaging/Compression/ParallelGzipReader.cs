using System.Buffers;
using System.IO.Compression;
using Microsoft.Win32.SafeHandles;

namespace SegWeb.Imaging.Compression;

/// <summary>Inflates a range of an indexed (SegWeb-written) gzip file, members in parallel, straight into the destination array.</summary>
internal static class ParallelGzipReader
{
    /// <summary>
    /// Fills the first <paramref name="length"/> bytes of <paramref name="destination"/> with uncompressed
    /// bytes [<paramref name="start"/>, start+length) of the file. Each member is inflated exactly to its
    /// ISIZE; a member that inflates to more or less, or fails its CRC, throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static void ReadRange(SafeFileHandle file, GzipMemberIndex index, long start, Array destination, long length, int maxDegreeOfParallelism)
    {
        long end = start + length;
        var members = index.Members.Where(m => m.UncompressedOffset < end && m.UncompressedOffset + m.UncompressedLength > start).ToArray();
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount };
        Parallel.ForEach(members, options, m =>
        {
            byte[] compressed = ArrayPool<byte>.Shared.Rent(m.CompressedLength);
            byte[]? partial = null;
            try
            {
                if (RandomAccess.Read(file, compressed.AsSpan(0, m.CompressedLength), m.CompressedOffset) != m.CompressedLength)
                {
                    throw new InvalidDataException("the file changed while it was read");
                }

                long from = Math.Max(start, m.UncompressedOffset);
                long to = Math.Min(end, m.UncompressedOffset + m.UncompressedLength);
                bool whole = from == m.UncompressedOffset && to == m.UncompressedOffset + m.UncompressedLength;
                Span<byte> target;
                if (whole)
                {
                    // The common case: the member lies inside the range; inflate in place, no copy.
                    target = ParallelGzipWriter.BytesOf(destination, m.UncompressedOffset - start, m.UncompressedLength);
                }
                else
                {
                    partial = ArrayPool<byte>.Shared.Rent(m.UncompressedLength);
                    target = partial.AsSpan(0, m.UncompressedLength);
                }

                InflateMember(compressed, m.CompressedLength, target);
                if (!whole)
                {
                    target.Slice((int)(from - m.UncompressedOffset), (int)(to - from))
                        .CopyTo(ParallelGzipWriter.BytesOf(destination, from - start, (int)(to - from)));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(compressed);
                if (partial is not null)
                {
                    ArrayPool<byte>.Shared.Return(partial);
                }
            }
        });
    }

    // GZipStream (zlib) checks the member's CRC32 and ISIZE; we check it fills the target exactly.
    private static void InflateMember(byte[] compressed, int compressedLength, Span<byte> target)
    {
        using var input = new MemoryStream(compressed, 0, compressedLength, writable: false);
        using var gz = new GZipStream(input, CompressionMode.Decompress);
        int got = gz.ReadAtLeast(target, target.Length, throwOnEndOfStream: false);
        if (got != target.Length)
        {
            throw new InvalidDataException($"a gzip member inflated to {got} bytes, its trailer says {target.Length}");
        }

        Span<byte> probe = stackalloc byte[1];
        if (gz.Read(probe) != 0)
        {
            throw new InvalidDataException($"a gzip member inflated to more than its trailer's {target.Length} bytes");
        }
    }
}
