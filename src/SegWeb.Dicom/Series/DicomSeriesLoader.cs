using SegWeb.Dicom.Pixels;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Dicom.Series;

/// <summary>
/// Loads one series as a volume.
/// <para>
/// Layout (chosen to match dcm2niix, which TotalSegmentator uses for DICOM input, voxel for voxel): voxel index i
/// runs along the image row direction (IOP's first cosine, i = column number), j runs against the column
/// direction (j = Rows − 1 − row number: dcm2niix flips the rows), k runs along the slice normal
/// (row × column cosines) in increasing ImagePositionPatient projection. The affine maps to RAS+ (DICOM's LPS
/// with x and y negated). Slice spacing comes from the positions, never from SliceThickness.
/// </para>
/// <para>
/// Values are stored × RescaleSlope + RescaleIntercept per frame: a <see cref="Volume{T}"/> of short when every
/// value is an integer in int16 range, else of float. Localizers and frames of another orientation or size are
/// dropped with a warning; a series with gantry tilt or uneven spacing is resampled (see
/// <see cref="StackResampler"/>) with a warning, never silently mis-stacked.
/// </para>
/// <para>
/// Memory: values are decoded straight into the volume's array (no staging copy). Single-frame native little-endian
/// files on disk — the usual CT/MR series — take <see cref="NativeSliceReader"/>'s parallel by-offset path, which
/// allocates nothing per file, so a load needs about the volume's size (1.05× measured on 512×512×400, see
/// SegWeb.Cli's DicomReadBenchmark). Headers that promise more pixels than their files hold are refused before
/// anything is allocated.
/// </para>
/// </summary>
public static class DicomSeriesLoader
{
    /// <summary>Loads from a folder, zip or file; <paramref name="seriesKey"/> picks a series when there are several.</summary>
    public static DicomSeriesVolume Load(string path, string? seriesKey = null, DicomLoadOptions? options = null) =>
        Load(DicomInput.FromPath(path), seriesKey, options);

    /// <summary>Loads one series of <paramref name="input"/> (by <see cref="DicomSeriesInfo.Key"/> or SeriesInstanceUID).</summary>
    /// <exception cref="DicomFormatException">No image series, several without a choice, or a series that cannot be stacked.</exception>
    public static DicomSeriesVolume Load(DicomInput input, string? seriesKey = null, DicomLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        options ??= DicomLoadOptions.Default;
        var scan = DicomSeriesScanner.Scan(input);
        var series = Choose(input, scan, seriesKey);
        var loaded = Load(input, series, options);
        if (scan.Skipped.Count == 0)
        {
            return loaded;
        }

        // Files passed over while scanning (not DICOM, corrupt, no pixel data) may have belonged to the series: say so.
        var listed = string.Join("; ", scan.Skipped.Take(3).Select(s => $"{s.Name}: {s.Reason}"));
        string note = $"skipped {scan.Skipped.Count} file(s) of the input: {listed}{(scan.Skipped.Count > 3 ? "; ..." : string.Empty)}";
        return loaded with { Warnings = [.. loaded.Warnings, note] };
    }

    /// <summary>Loads a series found by <see cref="DicomSeriesScanner.Scan(DicomInput)"/> on the same input.</summary>
    public static DicomSeriesVolume Load(DicomInput input, DicomSeriesInfo series, DicomLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(series);
        options ??= DicomLoadOptions.Default;
        var warnings = new List<string>();
        var frames = SelectFrames(input, series, warnings);
        var stack = new SliceStack(frames, warnings);
        CheckPixelBudget(series, stack);
        if ((long)stack.Columns * stack.Rows * stack.Frames.Count > Array.MaxLength)
        {
            throw new DicomFormatException(input.Description, $"the series would need {stack.Columns}×{stack.Rows}×{stack.Frames.Count} voxels, too many for one volume");
        }

        bool resample = (stack.IsTilted || stack.IsUneven) && options.ResampleIrregular;
        if (stack.IsTilted)
        {
            warnings.Add($"gantry tilt of about {stack.TiltDegrees:0.#}° (slice positions drift in-plane){(resample ? "; resampled onto an orthogonal grid" : "; NOT corrected, the geometry is sheared")}");
        }

        if (stack.IsUneven)
        {
            warnings.Add($"uneven slice spacing ({stack.MinGap:0.###} to {Enumerable.Range(0, stack.Heights.Length - 1).Max(k => stack.Heights[k + 1] - stack.Heights[k]):0.###} mm){(resample ? "; resampled to an even spacing" : "; NOT corrected, the slice positions are approximate")}");
        }

        int nx = stack.Columns, ny = stack.Rows, nz = stack.Frames.Count;
        var first = stack.Frames[0];
        Vec3 origin = first.Position, colI = stack.Row * stack.Dx, colJ = stack.Column * stack.Dy, colK;
        double[] sliceIndex;
        Func<VolumeShape, Affine, Volume> build;
        if (resample)
        {
            var grid = StackResampler.PlanGrid(stack, options.ResampledSliceSpacing);
            var source = new float[(long)nx * ny * nz];
            DecodeStack(input, stack, source, flipRows: false, out float fill);
            var values = StackResampler.Resample(source, stack, grid, fill);
            build = (shape, affine) => ToVolume(values, shape, affine);
            (nx, ny, nz) = (grid.Nx, grid.Ny, grid.Nz);
            origin = origin + (stack.Row * grid.U0) + (stack.Column * grid.V0);
            colK = stack.Normal * grid.Dz;
            sliceIndex = stack.Heights.Select(h => h / grid.Dz).ToArray();
        }
        else
        {
            colK = nz > 1
                ? (stack.Frames[^1].Position - first.Position) * (1.0 / (nz - 1))
                : stack.Normal * SingleSliceThickness(series, stack);
            sliceIndex = Enumerable.Range(0, nz).Select(k => (double)k).ToArray();
            build = (shape, affine) => DecodeToVolume(input, series, stack, shape, affine);
        }

        // dcm2niix's row flip: j counts rows from the last one up.
        origin += colJ * (ny - 1);
        colJ *= -1;
        var affine = new Affine([
            -colI.X, -colJ.X, -colK.X, -origin.X,
            -colI.Y, -colJ.Y, -colK.Y, -origin.Y,
            colI.Z, colJ.Z, colK.Z, origin.Z,
            0, 0, 0, 1]);
        var volume = build(new VolumeShape(nx, ny, nz), affine);
        var instances = stack.Frames.Select((f, k) => new DicomSliceInstance(f.SopInstanceUid, f.SourceName, f.FrameIndex + 1,
            (f.Position.X, f.Position.Y, f.Position.Z), sliceIndex[k])).ToList();
        return new DicomSeriesVolume(volume, warnings, series, instances, resample);
    }

    private static DicomSeriesInfo Choose(DicomInput input, DicomScanResult scan, string? key)
    {
        if (key is not null)
        {
            return scan.Series.FirstOrDefault(s => s.Key == key || s.SeriesInstanceUid == key)
                ?? throw new DicomFormatException(input.Description, $"no series '{key}' (found: {string.Join(", ", scan.Series.Select(s => s.Key))})");
        }

        return scan.Series.Count switch
        {
            0 => throw new DicomFormatException(input.Description, $"no DICOM image series found{(scan.Skipped.Count > 0 ? $" ({scan.Skipped.Count} files skipped, e.g. {scan.Skipped[0].Name}: {scan.Skipped[0].Reason})" : string.Empty)}"),
            1 => scan.Series[0],
            _ => throw new DicomFormatException(input.Description, $"{scan.Series.Count} series found; choose one: {string.Join("; ", scan.Series)}"),
        };
    }

    /// <summary>The frames that make the stack: no localizers, one orientation and size (the most common).</summary>
    private static List<FrameHeader> SelectFrames(DicomInput input, DicomSeriesInfo series, List<string> warnings)
    {
        var frames = new List<FrameHeader>();
        foreach (var instance in series.Instances)
        {
            if (instance.GeometryProblem is not null)
            {
                warnings.Add($"skipped {instance.SourceName}: {instance.GeometryProblem}");
                continue;
            }

            frames.AddRange(instance.Frames);
        }

        int localizers = frames.RemoveAll(f => f.IsLocalizer);
        if (localizers > 0)
        {
            warnings.Add($"dropped {localizers} localizer image(s)");
        }

        if (frames.Count == 0)
        {
            throw new DicomFormatException(input.Description, $"series {series.Key} has no image with usable geometry{(warnings.Count > 0 ? $" ({warnings[0]})" : string.Empty)}");
        }

        var main = frames.GroupBy(f => f.OrientationKey).OrderByDescending(g => g.Count()).First();
        if (main.Count() < frames.Count)
        {
            warnings.Add($"dropped {frames.Count - main.Count()} frame(s) whose orientation, size or pixel spacing differs from the other {main.Count()}");
        }

        return [.. main];
    }

    /// <summary>
    /// Refuses, before the volume is allocated, files whose headers describe more pixels than their bytes can hold
    /// (native data: the bytes left in the file; encapsulated: those bytes × the largest plausible compression
    /// ratio), so a few hostile kilobytes cannot make the loader allocate gigabytes.
    /// </summary>
    private static void CheckPixelBudget(DicomSeriesInfo series, SliceStack stack)
    {
        var used = stack.Frames.Select(f => f.SourceName).ToHashSet(StringComparer.Ordinal);
        foreach (var instance in series.Instances.Where(i => used.Contains(i.SourceName)))
        {
            var description = DicomPixelDescription.FromDataset(instance.Dataset);
            long needed = ((description.BitsPerFrame * description.NumberOfFrames) + 7) / 8;
            if (needed > DicomPixelData.MaxDecodedBytes(instance.TransferSyntax, instance.PixelDataBytesInFile))
            {
                throw new DicomFormatException(instance.SourceName,
                    $"the header describes {needed} bytes of pixels but the file holds {instance.PixelDataBytesInFile} bytes of pixel data");
            }
        }
    }

    /// <summary>
    /// Decodes the stack straight into the volume's own array, in dcm2niix's row order, so the load needs little
    /// beyond the volume itself: int16 when the rescaled values are integers that fit (tried first when the
    /// rescaling is integral; abandoned at the first value that does not fit), else float32.
    /// </summary>
    private static Volume DecodeToVolume(DicomInput input, DicomSeriesInfo series, SliceStack stack, VolumeShape shape, Affine affine)
    {
        bool fast = NativeSliceReader.Applies(input, series, stack);
        bool integral = stack.Frames.All(f => f.Slope == Math.Round(f.Slope) && f.Intercept == Math.Round(f.Intercept) && Math.Abs(f.Slope) < 1e9 && Math.Abs(f.Intercept) < 1e9);
        if (integral)
        {
            var shorts = new short[shape.VoxelCount];
            bool? fits = fast ? NativeSliceReader.TryRead(series, stack, shorts) : null;
            if (fits ?? DecodeStack(input, stack, shorts, flipRows: true, out _))
            {
                return new Volume<short>(shape, affine, shorts);
            }
        }

        var floats = new float[shape.VoxelCount];
        if (!fast || NativeSliceReader.TryRead(series, stack, floats) is null)
        {
            DecodeStack(input, stack, floats, flipRows: true, out _);
        }

        return new Volume<float>(shape, affine, floats);
    }

    /// <summary>
    /// Decodes every frame of the stack, × slope + intercept, into <paramref name="target"/> (Columns × Rows ×
    /// slices, rows flipped when asked), reading each file once. For short targets, returns false as soon as a
    /// value is not an integer in int16 range.
    /// </summary>
    private static bool DecodeStack<T>(DicomInput input, SliceStack stack, T[] target, bool flipRows, out float min)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        int nx = stack.Columns, ny = stack.Rows;
        var bySource = stack.Frames.Select((f, k) => (Frame: f, Slice: k)).GroupBy(p => p.Frame.SourceName).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var skipped = new List<DicomSkippedFile>();
        var buffer = new double[nx * ny];
        var done = new HashSet<string>(StringComparer.Ordinal);
        double low = double.PositiveInfinity;
        foreach (var file in input.Read(DicomReadOptions.Default, skipped, bySource.ContainsKey))
        {
            if (!done.Add(file.SourceName))
            {
                continue;
            }

            var pixels = DicomPixelData.Open(file);
            if (pixels.Description.Rows != ny || pixels.Description.Columns != nx)
            {
                throw new DicomFormatException(file.SourceName, "the pixel data size changed between the header scan and the read");
            }

            foreach (var (frame, slice) in bySource[file.SourceName])
            {
                pixels.DecodeFrame(frame.FrameIndex, buffer);
                double slope = frame.Slope, intercept = frame.Intercept;
                long plane = (long)slice * nx * ny;
                for (int y = 0; y < ny; y++)
                {
                    var row = buffer.AsSpan(y * nx, nx);
                    var to = target.AsSpan((int)(plane + ((long)(flipRows ? ny - 1 - y : y) * nx)), nx);
                    for (int x = 0; x < nx; x++)
                    {
                        double v = (row[x] * slope) + intercept;
                        if (typeof(T) == typeof(short) && (v != Math.Round(v) || v < short.MinValue || v > short.MaxValue))
                        {
                            min = 0;
                            return false;
                        }

                        to[x] = T.CreateTruncating(v);
                        low = Math.Min(low, v);
                    }
                }
            }
        }

        var missing = bySource.Keys.Where(k => !done.Contains(k)).ToList();
        if (missing.Count > 0)
        {
            var reason = skipped.FirstOrDefault(s => s.Name == missing[0])?.Reason ?? "it could not be read again";
            throw new DicomFormatException(missing[0], $"a file of the series could not be read: {reason}");
        }

        min = double.IsFinite(low) ? (float)low : 0;
        return true;
    }

    /// <summary>The third axis of a single slice: SpacingBetweenSlices (as dcm2niix), else SliceThickness, else the smaller pixel spacing.</summary>
    private static double SingleSliceThickness(DicomSeriesInfo series, SliceStack stack)
    {
        var ds = series.Instances[0].Dataset;
        foreach (var tag in new[] { DicomTags.SpacingBetweenSlices, DicomTags.SliceThickness })
        {
            try
            {
                if (ds.GetDouble(tag) is double value && value > 0)
                {
                    return value;
                }
            }
            catch (DicomFormatException)
            {
                // a malformed optional attribute: try the next source
            }
        }

        return Math.Min(stack.Dx, stack.Dy);
    }

    /// <summary>
    /// Builds a resampled volume in dcm2niix's row order (flipping j) as short when every value is an exact int16, else float.
    /// </summary>
    private static Volume ToVolume(float[] values, VolumeShape shape, Affine affine)
    {
        int nx = shape.X, ny = shape.Y, nz = shape.Z;
        bool fitsShort = true;
        for (long i = 0; i < values.LongLength && fitsShort; i++)
        {
            float v = values[i];
            fitsShort = v == MathF.Round(v) && v >= short.MinValue && v <= short.MaxValue;
        }

        if (fitsShort)
        {
            var data = new short[values.LongLength];
            Parallel.For(0, nz, z => FlipRows(values, data, nx, ny, z));
            return new Volume<short>(shape, affine, data);
        }

        var floats = new float[values.LongLength];
        Parallel.For(0, nz, z => FlipRows(values, floats, nx, ny, z));
        return new Volume<float>(shape, affine, floats);
    }

    private static void FlipRows<T>(float[] source, T[] target, int nx, int ny, int z)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        long plane = (long)z * nx * ny;
        for (int y = 0; y < ny; y++)
        {
            long from = plane + ((long)y * nx), to = plane + ((long)(ny - 1 - y) * nx);
            for (int x = 0; x < nx; x++)
            {
                target[to + x] = T.CreateTruncating(source[from + x]);
            }
        }
    }
}
