using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using SegWeb.Dicom.Pixels;

namespace SegWeb.Dicom.Series;

/// <summary>
/// The fast path for the common series: single-frame files on disk, native little-endian pixel data of 8 or 16 bits.
/// Each slice's pixel bytes are read by offset (known from the header scan) into a per-thread buffer and converted
/// straight into the volume's array, files in parallel: no per-file allocation, so loading needs little memory
/// beyond the volume itself. Anything else (zip, compressed, big endian, multi-frame) takes the general path.
/// </summary>
internal static class NativeSliceReader
{
    /// <summary>True when every frame of the stack can be read this way.</summary>
    public static bool Applies(DicomInput input, DicomSeriesInfo series, SliceStack stack)
    {
        if (!input.IsFileSystem)
        {
            return false;
        }

        var used = stack.Frames.Select(f => f.SourceName).ToHashSet(StringComparer.Ordinal);
        var instances = series.Instances.Where(i => used.Contains(i.SourceName)).ToList();
        return instances.Count == stack.Frames.Count && instances.All(i =>
            i.PixelDataOffset >= 0
            && i.TransferSyntax.Uid is "1.2.840.10008.1.2" or "1.2.840.10008.1.2.1"
            && i.Frames.Count == 1
            && Describe(i) is { SamplesPerPixel: 1, NumberOfFrames: 1, BitsAllocated: 8 or 16 } d
            && d.Rows == stack.Rows && d.Columns == stack.Columns);
    }

    /// <summary>
    /// Reads every slice into <paramref name="target"/> (rows flipped as dcm2niix does). For a short target returns
    /// false as soon as a rescaled value is not an integer in int16 range. Null when a file no longer looks as the
    /// scan saw it (then the caller takes the general path).
    /// </summary>
    public static bool? TryRead<T>(DicomSeriesInfo series, SliceStack stack, T[] target)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        var byName = series.Instances.ToDictionary(i => i.SourceName, StringComparer.Ordinal);
        int nx = stack.Columns, ny = stack.Rows;
        int misfit = 0, changed = 0;
        Exception? failure = null;
        Parallel.For(0, stack.Frames.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(Environment.ProcessorCount, 8) },
            () => new byte[nx * ny * 2],
            (slice, state, buffer) =>
            {
                if (state.ShouldExitCurrentIteration)
                {
                    return buffer;
                }

                try
                {
                    var frame = stack.Frames[slice];
                    var instance = byName[frame.SourceName];
                    var d = Describe(instance)!;
                    var bytes = buffer.AsSpan(0, nx * ny * (d.BitsAllocated / 8));
                    if (!ReadPixelBytes(instance, bytes))
                    {
                        Interlocked.Exchange(ref changed, 1);
                        state.Stop();
                        return buffer;
                    }

                    if (!Convert(bytes, d, frame.Slope, frame.Intercept, target.AsSpan((int)((long)slice * nx * ny), nx * ny), nx, ny))
                    {
                        Interlocked.Exchange(ref misfit, 1);
                        state.Stop();
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or DicomFormatException)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                    state.Stop();
                }

                return buffer;
            },
            _ => { });
        if (failure is DicomFormatException dfe)
        {
            throw dfe;
        }

        if (failure is not null)
        {
            throw new DicomFormatException(series.Key, $"a file of the series could not be read: {failure.Message}", failure);
        }

        return changed != 0 ? null : misfit == 0;
    }

    private static DicomPixelDescription? Describe(InstanceHeader instance)
    {
        try
        {
            return DicomPixelDescription.FromDataset(instance.Dataset);
        }
        catch (DicomFormatException)
        {
            return null;
        }
    }

    /// <summary>Reads the PixelData value at the scanned offset after checking its element header; false when it no longer matches.</summary>
    private static bool ReadPixelBytes(InstanceHeader instance, Span<byte> destination)
    {
        using SafeFileHandle handle = File.OpenHandle(instance.SourceName, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        long fileLength = RandomAccess.GetLength(handle);
        bool explicitVR = instance.TransferSyntax.IsExplicitVR;
        int headerLength = explicitVR ? 12 : 8;
        Span<byte> header = stackalloc byte[12];
        if (instance.PixelDataOffset + headerLength > fileLength || Fill(handle, header[..headerLength], instance.PixelDataOffset) < headerLength)
        {
            return false;
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(header) != 0x7FE0 || BinaryPrimitives.ReadUInt16LittleEndian(header[2..]) != 0x0010)
        {
            return false;
        }

        uint length = explicitVR ? BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (length == uint.MaxValue || length < destination.Length || instance.PixelDataOffset + headerLength + destination.Length > fileLength)
        {
            return false;
        }

        return Fill(handle, destination, instance.PixelDataOffset + headerLength) == destination.Length;
    }

    private static int Fill(SafeFileHandle handle, Span<byte> destination, long offset)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = RandomAccess.Read(handle, destination[total..], offset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>
    /// Stored values (shifted to HighBit, masked to BitsStored, sign-extended: the rule of
    /// <see cref="DicomPixelData.ToStoredValues"/>) × slope + intercept, rows flipped — fused into one pass, in
    /// integers for int16 output, to skip the general path's double buffer.
    /// </summary>
    private static bool Convert<T>(ReadOnlySpan<byte> bytes, DicomPixelDescription d, double slope, double intercept, Span<T> target, int nx, int ny)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        int shift = d.HighBit + 1 - d.BitsStored;
        int mask = (1 << d.BitsStored) - 1;
        int signBit = 1 << (d.BitsStored - 1);
        bool signed = d.IsSigned;
        bool wide = d.BitsAllocated == 16;
        bool integral = typeof(T) == typeof(short);
        long islope = (long)slope, iintercept = (long)intercept;
        for (int y = 0; y < ny; y++)
        {
            var to = target.Slice((ny - 1 - y) * nx, nx);
            int rowStart = y * nx;
            for (int x = 0; x < nx; x++)
            {
                int raw = wide ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(2 * (rowStart + x), 2)) : bytes[rowStart + x];
                int v = (raw >> shift) & mask;
                if (signed && (v & signBit) != 0)
                {
                    v -= mask + 1;
                }

                if (integral)
                {
                    // The caller only asks for int16 when slope and intercept are integers.
                    long h = (v * islope) + iintercept;
                    if (h < short.MinValue || h > short.MaxValue)
                    {
                        return false;
                    }

                    to[x] = T.CreateTruncating(h);
                }
                else
                {
                    to[x] = T.CreateTruncating((v * slope) + intercept);
                }
            }
        }

        return true;
    }
}
