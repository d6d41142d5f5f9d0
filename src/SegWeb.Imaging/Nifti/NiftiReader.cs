using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.Win32.SafeHandles;
using SegWeb.Imaging.Compression;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Nifti;

/// <summary>
/// Reads NIfTI-1 and NIfTI-2 single files (.nii, and gzip-compressed .nii.gz, recognised by content, not by
/// name), either byte order, into a 3D <see cref="Volume"/> of the stored type with nibabel's affine and
/// scaling. Every problem with the input is an <see cref="ImageFormatException"/> naming the file.
/// </summary>
/// <remarks>
/// Hostile input is bounded before anything is allocated: the voxel payload must fit
/// <see cref="NiftiReadOptions.MaxVoxelBytes"/> and what the file can actually hold (its length, or for gzip
/// the member sizes or deflate's 1032:1 maximum ratio), and no more than the bytes the header needs are
/// ever inflated. Files SegWeb wrote (multi-member gzip with size fields) are inflated in parallel, each
/// member straight into the voxel array; other gzip files stream through one inflater into the array.
/// </remarks>
public static class NiftiReader
{
    private const string StreamName = "<stream>";

    /// <summary>Reads a NIfTI file into a 3D volume.</summary>
    /// <exception cref="ImageFormatException">The file is missing, unreadable, not NIfTI, corrupt, truncated, 4D+, of an unsupported datatype, or beyond the limits.</exception>
    public static NiftiImage Read(string path, NiftiReadOptions? options = null) =>
        (NiftiImage)ReadFile(path, options ?? NiftiReadOptions.Default, headerOnly: false);

    /// <summary>Reads only the header and its extensions (any rank and datatype).</summary>
    public static NiftiHeader ReadHeader(string path, NiftiReadOptions? options = null) =>
        (NiftiHeader)ReadFile(path, options ?? NiftiReadOptions.Default, headerOnly: true);

    /// <summary>Reads a NIfTI image from a stream (sequentially; the stream need not be seekable).</summary>
    /// <param name="stream">The .nii or .nii.gz bytes.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <param name="options">Limits.</param>
    public static NiftiImage Read(Stream stream, string? name = null, NiftiReadOptions? options = null) =>
        (NiftiImage)ReadStream(stream, name ?? StreamName, options ?? NiftiReadOptions.Default, headerOnly: false);

    /// <summary>Reads only the header and extensions from a stream.</summary>
    public static NiftiHeader ReadHeader(Stream stream, string? name = null, NiftiReadOptions? options = null) =>
        (NiftiHeader)ReadStream(stream, name ?? StreamName, options ?? NiftiReadOptions.Default, headerOnly: true);

    private static object ReadFile(string path, NiftiReadOptions options, bool headerOnly)
    {
        ArgumentNullException.ThrowIfNull(path);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ImageFormatException(path, $"cannot open: {e.Message}", e);
        }

        using (handle)
        {
            return Guard(path, () =>
            {
                long length = RandomAccess.GetLength(handle);
                Span<byte> magic = stackalloc byte[2];
                bool gzip = RandomAccess.Read(handle, magic, 0) == 2 && GzipMemberFormat.HasGzipMagic(magic);
                using var file = new FileStream(handle, FileAccess.Read, bufferSize: 1 << 16);
                if (!gzip)
                {
                    return ReadPayload(file, path, options, headerOnly, (layout, header) => layout.DataBytes > length - header.VoxOffset
                        ? Truncated(layout, Math.Max(0, length - header.VoxOffset), "file has")
                        : null);
                }

                using var inflater = new GZipStream(file, CompressionMode.Decompress);
                var index = headerOnly ? null : GzipMemberIndex.TryBuild(handle, length, maxMemberBytes: 256 << 20);
                if (index is null)
                {
                    return ReadPayload(inflater, path, options, headerOnly, (layout, header) =>
                    {
                        long most = DeflateLimits.MaxInflatedLength(length) - header.VoxOffset;
                        return layout.DataBytes > most
                            ? $"truncated or corrupt: header needs {layout.DataBytes} bytes of voxel data, a gzip file of {length} bytes cannot hold more than {Math.Max(0, most)}"
                            : null;
                    });
                }

                return ReadPayload(inflater, path, options, headerOnly,
                    (layout, header) => layout.DataBytes > index.TotalUncompressed - header.VoxOffset
                        ? Truncated(layout, Math.Max(0, index.TotalUncompressed - header.VoxOffset), "file has")
                        : null,
                    (header, data, bytes) => ParallelGzipReader.ReadRange(handle, index, header.VoxOffset, data, bytes, options.MaxDegreeOfParallelism));
            });
        }
    }

    private static object ReadStream(Stream stream, string name, NiftiReadOptions options, bool headerOnly)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Guard(name, () =>
        {
            var peek = new byte[2];
            int got = stream.ReadAtLeast(peek, 2, throwOnEndOfStream: false);
            var source = new PrefixedStream(peek.AsMemory(0, got), stream);
            long? length = stream.CanSeek ? stream.Length : null;
            if (!GzipMemberFormat.HasGzipMagic(peek.AsSpan(0, got)))
            {
                return ReadPayload(source, name, options, headerOnly, (layout, header) =>
                    length is long n && layout.DataBytes > n - header.VoxOffset ? Truncated(layout, Math.Max(0, n - header.VoxOffset), "stream has") : null);
            }

            using var inflater = new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
            return ReadPayload(inflater, name, options, headerOnly, (layout, header) =>
            {
                if (length is not long n)
                {
                    return null;
                }

                long most = DeflateLimits.MaxInflatedLength(n) - header.VoxOffset;
                return layout.DataBytes > most
                    ? $"truncated or corrupt: header needs {layout.DataBytes} bytes of voxel data, a gzip stream of {n} bytes cannot hold more than {Math.Max(0, most)}"
                    : null;
            });
        });
    }

    private static string Truncated(NiftiVolumeLayout layout, long available, string has) =>
        $"truncated: header needs {layout.DataBytes} bytes of voxel data, {has} {available}";

    // Turns every failure below into the one exception type callers handle.
    private static object Guard(string name, Func<object> read)
    {
        try
        {
            return read();
        }
        catch (ImageFormatException)
        {
            throw;
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException(name, $"corrupt gzip data: {e.Message}", e);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is InvalidDataException or IOException))
        {
            throw new ImageFormatException(name, $"corrupt gzip data: {e.InnerExceptions[0].Message}", e);
        }
        catch (IOException e)
        {
            throw new ImageFormatException(name, $"read error: {e.Message}", e);
        }
    }

    /// <summary>Reads header, extensions and (unless header-only) voxels from an uncompressed byte stream positioned at the start.</summary>
    /// <param name="checkAvailable">Given the layout, a truncation problem known before allocating (or null).</param>
    /// <param name="readData">Fills the voxel array another way (parallel inflation); null reads from <paramref name="input"/>.</param>
    private static object ReadPayload(Stream input, string name, NiftiReadOptions options, bool headerOnly,
        Func<NiftiVolumeLayout, NiftiHeader, string?> checkAvailable, Action<NiftiHeader, Array, long>? readData = null)
    {
        var header = ReadHeaderAndExtensions(input, name, options);
        if (headerOnly)
        {
            return header;
        }

        var (layout, problem) = NiftiHeaderValidator.CheckVolume(header, options);
        if (layout is null)
        {
            throw new ImageFormatException(name, problem!);
        }

        if (checkAvailable(layout, header) is string missing)
        {
            throw new ImageFormatException(name, missing);
        }

        var data = VoxelArrays.Allocate(layout.Type, layout.Shape.VoxelCount);
        if (readData is not null)
        {
            readData(header, data, layout.DataBytes);
        }
        else
        {
            ReadExactly(input, data, layout, name);
        }

        if (header.IsBigEndian)
        {
            VoxelArrays.ReverseEndianness(data, layout.Type.SizeInBytes(), layout.DataBytes);
        }

        return new NiftiImage(header, VoxelArrays.CreateVolume(data, layout.Shape, layout.Affine, layout.Slope, layout.Intercept));
    }

    // Streams exactly the payload into the array, chunk by chunk: never more than the header needs is
    // read (or inflated), whatever follows in the file.
    private static void ReadExactly(Stream input, Array data, NiftiVolumeLayout layout, string name)
    {
        const int Chunk = 1 << 24;
        for (long offset = 0; offset < layout.DataBytes; offset += Chunk)
        {
            int want = (int)Math.Min(Chunk, layout.DataBytes - offset);
            int got = input.ReadAtLeast(ParallelGzipWriter.BytesOf(data, offset, want), want, throwOnEndOfStream: false);
            if (got < want)
            {
                throw new ImageFormatException(name, Truncated(layout, offset + got, "file has"));
            }
        }
    }

    private static NiftiHeader ReadHeaderAndExtensions(Stream input, string name, NiftiReadOptions options)
    {
        var block = new byte[NiftiHeaderCodec.Nifti2Size];
        int got = input.ReadAtLeast(block.AsSpan(0, NiftiHeaderCodec.Nifti1Size), NiftiHeaderCodec.Nifti1Size, throwOnEndOfStream: false);
        if (got < 4)
        {
            throw new ImageFormatException(name, $"not a NIfTI file: only {got} bytes");
        }

        if (NiftiHeaderCodec.Identify(block) is not var (version, bigEndian, size))
        {
            throw new ImageFormatException(name, $"not a NIfTI file: sizeof_hdr is {BinaryPrimitives.ReadInt32LittleEndian(block)} (expected 348 or 540)");
        }

        if (got < NiftiHeaderCodec.Nifti1Size
            || (size > got && input.ReadAtLeast(block.AsSpan(got, size - got), size - got, throwOnEndOfStream: false) < size - got))
        {
            throw new ImageFormatException(name, $"truncated: the NIfTI-{(int)version} header needs {size} bytes");
        }

        NiftiHeader header;
        try
        {
            header = NiftiHeaderCodec.Parse(block.AsSpan(0, size), version, bigEndian);
        }
        catch (FormatException e)
        {
            throw new ImageFormatException(name, e.Message, e);
        }

        if (NiftiHeaderValidator.CheckStructure(header, options) is string problem)
        {
            throw new ImageFormatException(name, problem);
        }

        // Between the header and vox_offset: a 4-byte flag (first byte non-zero = extensions follow), then
        // the extensions. The region is bounded by MaxExtensionBytes (checked above).
        var region = new byte[header.VoxOffset - size];
        if (input.ReadAtLeast(region, region.Length, throwOnEndOfStream: false) < region.Length)
        {
            throw new ImageFormatException(name, $"truncated: vox_offset is {header.VoxOffset} but the file ends before it");
        }

        if (region[0] != 0)
        {
            header.Extensions = ParseExtensions(region.AsSpan(4), bigEndian, name);
        }

        return header;
    }

    // Same walk as nibabel's Nifti1Extensions.from_fileobj: while at least 16 bytes remain, an
    // (esize, ecode) pair and esize − 8 content bytes; content loses its trailing NUL padding.
    private static List<NiftiExtension> ParseExtensions(ReadOnlySpan<byte> region, bool bigEndian, string name)
    {
        var list = new List<NiftiExtension>();
        while (region.Length >= 16)
        {
            int esize = bigEndian ? BinaryPrimitives.ReadInt32BigEndian(region) : BinaryPrimitives.ReadInt32LittleEndian(region);
            int ecode = bigEndian ? BinaryPrimitives.ReadInt32BigEndian(region[4..]) : BinaryPrimitives.ReadInt32LittleEndian(region[4..]);
            if (esize < 8 || esize > region.Length)
            {
                throw new ImageFormatException(name, $"header extension {list.Count} has size {esize}, but {region.Length} bytes remain before vox_offset");
            }

            var content = region[8..esize];
            int end = content.LastIndexOfAnyExcept((byte)0) + 1;
            list.Add(new NiftiExtension(ecode, content[..end].ToArray()));
            region = region[esize..];
        }

        return list;
    }
}
