using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SegWeb.Imaging.Compression;

/// <summary>
/// Writes gzip using several cores: the input is cut into blocks that are deflated independently and each
/// written as its own gzip member (RFC 1952 allows concatenated members; gzip, pigz, zlib and Python's
/// gzip module read them as one stream). Every member carries its size (see <see cref="GzipMemberFormat"/>)
/// so <see cref="ParallelGzipReader"/> can inflate them in parallel too.
/// </summary>
public static class ParallelGzipWriter
{
    /// <summary>Default uncompressed bytes per member: big enough that the restart cost of deflate (an empty window) is negligible, small enough to balance across cores.</summary>
    public const int DefaultBlockSize = 2 << 20;

    /// <summary>
    /// Default zlib level. nibabel saves .nii.gz at level 1; zlib-ng (which .NET uses) level 1 is a special
    /// "quick" strategy with a noticeably worse ratio, while level 2 is still fast and matches classic zlib
    /// level 1 closely.
    /// </summary>
    public const int DefaultLevel = 2;

    /// <summary>Compresses <paramref name="prefix"/> followed by the bytes of <paramref name="data"/> (a primitive array, the first <paramref name="dataByteLength"/> bytes) to <paramref name="destination"/>.</summary>
    /// <param name="destination">Where the gzip stream goes (written sequentially, in order).</param>
    /// <param name="prefix">Bytes compressed first, as their own member (e.g. a file header); may be empty.</param>
    /// <param name="data">An array of an unmanaged element type; its raw bytes are compressed.</param>
    /// <param name="dataByteLength">How many bytes of <paramref name="data"/> to compress.</param>
    /// <param name="level">zlib level 1–9.</param>
    /// <param name="blockSize">Uncompressed bytes per member.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use; ≤ 0 means all cores.</param>
    public static void Write(Stream destination, ReadOnlySpan<byte> prefix, Array data, long dataByteLength,
        int level = DefaultLevel, int blockSize = DefaultBlockSize, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 4096);
        ArgumentOutOfRangeException.ThrowIfNegative(dataByteLength);
        long arrayBytes = data.LongLength * (data.GetType().GetElementType() is { } t ? System.Runtime.InteropServices.Marshal.SizeOf(t) : 0);
        if (data.Rank != 1 || dataByteLength > arrayBytes)
        {
            throw new ArgumentException($"The data array holds fewer than {dataByteLength} bytes.", nameof(data));
        }

        int threads = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        if (prefix.Length > 0 || dataByteLength == 0)
        {
            destination.Write(GzipMemberFormat.CompressMember(prefix, level));
        }

        long blockCount = (dataByteLength + blockSize - 1) / blockSize;

        // A sliding window of blocks in flight, written in order as each oldest one completes: the cores never wait
        // at a batch barrier for the slowest block, file writes overlap compression, and memory stays bounded to a
        // few compressed blocks per thread.
        int window = Math.Max(1, threads * 2);
        var inFlight = new Queue<Task<byte[]>>(window);
        using var slots = new SemaphoreSlim(threads);
        long next = 0;
        try
        {
            while (next < blockCount || inFlight.Count > 0)
            {
                while (next < blockCount && inFlight.Count < window)
                {
                    long offset = next * blockSize;
                    int length = (int)Math.Min(blockSize, dataByteLength - offset);
                    inFlight.Enqueue(Task.Run(() =>
                    {
                        slots.Wait();
                        try
                        {
                            return GzipMemberFormat.CompressMember(BytesOf(data, offset, length), level);
                        }
                        finally
                        {
                            slots.Release();
                        }
                    }));
                    next++;
                }

                destination.Write(inFlight.Dequeue().GetAwaiter().GetResult());
            }
        }
        finally
        {
            // On a failed write, let the remaining compressions finish before the data array can go away.
            foreach (var pending in inFlight)
            {
                pending.ContinueWith(static _ => { }, TaskScheduler.Default).Wait();
            }
        }
    }

    /// <summary>A span over bytes [offset, offset+length) of a primitive array (arrays can exceed 2 GiB, spans cannot).</summary>
    internal static Span<byte> BytesOf(Array data, long offset, int length)
    {
        ref byte start = ref MemoryMarshal.GetArrayDataReference(data);
        return MemoryMarshal.CreateSpan(ref Unsafe.Add(ref start, (nint)offset), length);
    }
}
