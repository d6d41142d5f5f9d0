using System.Buffers;
using System.IO.Compression;
using SegWeb.Dicom.Series;
using SegWeb.Imaging;
using SegWeb.Imaging.Nifti;

namespace SegWeb.Server.Inputs;

/// <summary>
/// Decides what an uploaded file is from its bytes (never its name or Content-Type), validates it and describes it.
/// Every failure is an <see cref="ImageFormatException"/> naming the client's file name (never a server path).
/// </summary>
public static class InputInspector
{
    private static readonly byte[] ZipMagic = "PK\u0003\u0004"u8.ToArray();

    /// <summary>Validates and describes one complete file: NIfTI (.nii or .nii.gz), a zip of DICOM files, or one DICOM file.</summary>
    /// <param name="path">The stored file.</param>
    /// <param name="displayName">The client's name for it, used in messages.</param>
    /// <param name="maxVoxelBytes">Largest NIfTI voxel payload accepted.</param>
    /// <exception cref="ImageFormatException">Empty, unrecognised, truncated, corrupt or hostile.</exception>
    public static InputDescription Inspect(string path, string displayName, long maxVoxelBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        var head = new byte[352];
        int n;
        long length;
        using (var s = File.OpenRead(path))
        {
            length = s.Length;
            n = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        if (length == 0)
        {
            throw new ImageFormatException(displayName, "the upload is empty (0 bytes)");
        }

        return Rename(path, displayName, () =>
        {
            var bytes = head.AsSpan(0, n);
            if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
            {
                return InspectNifti(path, displayName, maxVoxelBytes, gzip: true);
            }

            if (IsNiftiHeader(bytes))
            {
                return InspectNifti(path, displayName, maxVoxelBytes, gzip: false);
            }

            if (bytes.StartsWith(ZipMagic))
            {
                return DescribeDicom(DicomSeriesScanner.Scan(DicomInput.FromPath(path)), "dicom-zip", displayName);
            }

            if (bytes.Length >= 132 && bytes.Slice(128, 4).SequenceEqual("DICM"u8))
            {
                return DescribeDicom(DicomSeriesScanner.Scan(DicomInput.FromPath(path)), "dicom-file", displayName);
            }

            throw new ImageFormatException(displayName, $"not a NIfTI file, a DICOM file or a zip of DICOM files{Guess(bytes)}");
        });
    }

    /// <summary>Validates and describes the files of a multi-file input (a dropped DICOM folder).</summary>
    /// <param name="paths">The stored files.</param>
    /// <param name="displayName">The input's name, used in messages.</param>
    /// <param name="clientNameOf">The client's name of a stored file, for the warnings (stored names are GUIDs).</param>
    public static InputDescription InspectDicomFiles(IReadOnlyList<string> paths, string displayName, Func<string, string?>? clientNameOf = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            throw new ImageFormatException(displayName, "the input has no files");
        }

        return DescribeDicom(DicomSeriesScanner.Scan(DicomInput.FromFiles(paths)), "dicom-files", displayName, clientNameOf);
    }

    private static bool IsNiftiHeader(ReadOnlySpan<byte> b)
    {
        if (b.Length < 348)
        {
            return false;
        }

        int le = BitConverter.ToInt32(b[..4]);
        int be = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(b[..4]);
        return le is 348 or 540 || be is 348 or 540;
    }

    private static InputDescription InspectNifti(string path, string displayName, long maxVoxelBytes, bool gzip)
    {
        var options = new NiftiReadOptions { MaxVoxelBytes = maxVoxelBytes };
        NiftiHeader header;
        using (var s = File.OpenRead(path))
        {
            header = NiftiReader.ReadHeader(s, displayName, options);
        }

        int rank = (int)Math.Clamp(header.Dim[0], 1, 7);
        var shape = header.Dim.Skip(1).Take(rank).ToList();
        long voxels = shape.Aggregate(1L, (a, d) => a * Math.Max(d, 1));
        long needed = header.VoxOffset + (voxels * Math.Max((int)header.Bitpix, 8) / 8);

        // ReadHeader stops after the header: prove the voxels are all there too (a truncated gzip or .nii must be
        // refused now, not when a job runs), streaming, without holding the voxels in memory.
        long available = gzip ? InflatedLength(path, displayName, needed) : new FileInfo(path).Length;
        if (available < needed)
        {
            throw new ImageFormatException(displayName, gzip
                ? $"truncated: the gzip stream inflates to {available} bytes but the header needs {needed}"
                : $"truncated: the file has {available} bytes but the header needs {needed}");
        }

        var zooms = NiftiAffine.EffectiveZooms(header);
        return new InputDescription(
            gzip ? "nifti-gz" : "nifti",
            null,
            shape,
            [zooms.X, zooms.Y, zooms.Z],
            Enum.IsDefined((NiftiDataType)header.Datatype) ? ((NiftiDataType)header.Datatype).ToString() : header.Datatype.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [],
            []);
    }

    /// <summary>Inflates up to <paramref name="limit"/> bytes, counting them; corrupt deflate data is an error.</summary>
    private static long InflatedLength(string path, string displayName, long limit)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            using var file = File.OpenRead(path);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            long total = 0;
            while (total < limit)
            {
                int read = gz.Read(buffer, 0, (int)Math.Min(buffer.Length, limit - total));
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return total;
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException(displayName, $"corrupt or truncated gzip data: {e.Message}", e);
        }
        catch (EndOfStreamException e)
        {
            throw new ImageFormatException(displayName, "truncated gzip data", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static InputDescription DescribeDicom(DicomScanResult scan, string format, string displayName, Func<string, string?>? clientNameOf = null)
    {
        var warnings = scan.Skipped.Take(20).Select(s => $"{clientNameOf?.Invoke(s.Name) ?? Path.GetFileName(s.Name)}: {s.Reason}").ToList();
        if (scan.Skipped.Count > 20)
        {
            warnings.Add($"… and {scan.Skipped.Count - 20} more files passed over");
        }

        if (scan.Series.Count == 0)
        {
            string why = scan.Skipped.Count > 0 ? $" ({scan.Skipped.Count} files passed over; first: {warnings[0]})" : "";
            throw new ImageFormatException(displayName, $"no DICOM image series found{why}");
        }

        var series = scan.Series.Select(s => new SeriesSummary(s.Key, s.SeriesInstanceUid, s.Modality, s.SeriesDescription, s.SeriesNumber,
            s.InstanceCount, s.FrameCount, s.Rows, s.Columns, s.TransferSyntaxes)).ToList();
        var first = scan.Series[0];
        return new InputDescription(format, first.Modality, [first.Columns, first.Rows, first.FrameCount], null, null, series, warnings);
    }

    /// <summary>Runs an inspection, replacing the server's path with the client's name in any error.</summary>
    private static InputDescription Rename(string path, string displayName, Func<InputDescription> inspect)
    {
        try
        {
            return inspect();
        }
        catch (ImageFormatException e) when (e.Message.Contains(path, StringComparison.Ordinal))
        {
            throw new ImageFormatException(displayName, (e.Problem ?? e.Message).Replace(path, displayName, StringComparison.Ordinal), e);
        }
        catch (IOException e)
        {
            throw new ImageFormatException(displayName, $"unreadable: {e.Message.Replace(path, displayName, StringComparison.Ordinal)}", e);
        }
    }

    private static string Guess(ReadOnlySpan<byte> b)
    {
        if (b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return " (it starts like a JPEG image)";
        }

        if (b.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']))
        {
            return " (it starts like a PNG image)";
        }

        return b.StartsWith("%PDF"u8) ? " (it starts like a PDF document)" : "";
    }
}
