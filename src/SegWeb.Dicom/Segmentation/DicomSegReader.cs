using System.Globalization;
using SegWeb.Dicom.Series;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Dicom.Segmentation;

/// <summary>
/// Reads a DICOM-SEG (BINARY, or FRACTIONAL thresholded at half its maximum) into segment masks and a label volume,
/// on the grid of a reference series (frames placed by ImagePositionPatient, so any frame order and any subset of
/// slices works) or, without one, on the grid its own frames span (same layout as <see cref="DicomSeriesLoader"/>:
/// i along the rows, j flipped, k along the normal).
/// </summary>
public static class DicomSegReader
{
    /// <summary>How far (in voxels) a frame may lie from a grid position and still be placed there.</summary>
    private const double PositionTolerance = 0.1;

    /// <summary>Reads <paramref name="segPath"/>, onto <paramref name="reference"/>'s grid when given.</summary>
    /// <exception cref="DicomFormatException">Not DICOM, not a SEG, truncated or inconsistent, compressed, another frame of reference
    /// than the reference series', or its frames do not lie on the grid.</exception>
    public static DicomSegmentation Read(string segPath, DicomSeriesVolume? reference = null)
    {
        ArgumentNullException.ThrowIfNull(segPath);
        var file = DicomFile.Open(segPath);
        if (reference is not null && DicomUids.IsValid(reference.SeriesInfo.FrameOfReferenceUid)
            && file.Dataset.GetUid(DicomTags.FrameOfReferenceUid) is { } frameOfReference && DicomUids.IsValid(frameOfReference)
            && frameOfReference != reference.SeriesInfo.FrameOfReferenceUid)
        {
            // Positions only mean the same place within one frame of reference: another one is another patient space.
            throw new DicomFormatException(file.SourceName,
                $"its frame of reference {frameOfReference} is not the reference series' ({reference.SeriesInfo.FrameOfReferenceUid})");
        }

        return Read(file, reference?.Volume.Shape, reference?.Volume.Affine);
    }

    /// <summary>Reads a parsed SEG onto an explicit grid (shape and RAS affine), or its own grid when both are null.</summary>
    public static DicomSegmentation Read(DicomFile file, VolumeShape? shape, Affine? affine)
    {
        ArgumentNullException.ThrowIfNull(file);
        var name = file.SourceName;
        var ds = file.Dataset;
        DicomFormatException Bad(string problem) => new(name, problem);

        var sopClass = ds.GetUid(DicomTags.SopClassUid) ?? file.FileMetaInformation.GetUid(DicomTags.MediaStorageSopClassUid);
        if (sopClass != DicomUids.SegmentationStorage)
        {
            throw Bad($"not a DICOM Segmentation (SOP class {sopClass ?? "none"}, modality {ds.GetString(DicomTags.Modality) ?? "none"})");
        }

        if (file.TransferSyntax.IsEncapsulated)
        {
            throw Bad($"its pixel data is compressed ({file.TransferSyntax.Name}); SegWeb reads SEGs with native pixel data");
        }

        var type = ds.GetString(SegmentationTags.SegmentationType) ?? string.Empty;
        int bitsAllocated = ds.GetInt(DicomTags.BitsAllocated) ?? 0;
        bool fractional = type == "FRACTIONAL";
        if (!(type == "BINARY" && bitsAllocated == 1) && !(fractional && bitsAllocated == 8))
        {
            throw Bad($"SegmentationType '{type}' with BitsAllocated {bitsAllocated} is not a SEG encoding SegWeb reads (BINARY with 1 bit, FRACTIONAL with 8)");
        }

        int rows = ds.GetInt(DicomTags.Rows) ?? 0, columns = ds.GetInt(DicomTags.Columns) ?? 0, frameCount = ds.GetInt(DicomTags.NumberOfFrames) ?? 1;
        if (rows <= 0 || columns <= 0 || frameCount <= 0)
        {
            throw Bad($"Rows {rows}, Columns {columns}, NumberOfFrames {frameCount} do not describe an image");
        }

        if ((long)rows * columns > 1 << 26)
        {
            throw Bad($"frames of {columns}×{rows} pixels are larger than SegWeb reads (at most 2^26 pixels a frame)");
        }

        var segments = ReadSegments(ds, Bad);
        var perFrame = ds.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence);
        var shared = ds.GetFirstItem(DicomTags.SharedFunctionalGroupsSequence);
        if (perFrame.Count != frameCount)
        {
            throw Bad($"{perFrame.Count} per-frame functional groups for {frameCount} frames");
        }

        long required = SegPixels.RequiredBytes(frameCount, rows * columns, fractional);
        if (ds[DicomTags.PixelData] is not { } pixelElement || pixelElement is DicomFragments)
        {
            throw Bad("no native PixelData");
        }

        if (pixelElement.Value.LongLength < required)
        {
            throw Bad($"PixelData holds {pixelElement.Value.LongLength} bytes but {frameCount} frames of {rows}×{columns} need {required} (truncated)");
        }

        // Frame geometry: per-frame groups, falling back to the shared ones.
        var frames = new List<(int Segment, Vec3 Position)>(frameCount);
        double[]? orientation = null, spacing = null;
        for (int f = 0; f < frameCount; f++)
        {
            DicomDataset? Group(DicomTag sequence) => perFrame[f].GetFirstItem(sequence) ?? shared?.GetFirstItem(sequence);
            var segment = Group(SegmentationTags.SegmentIdentificationSequence)?.GetInt(SegmentationTags.ReferencedSegmentNumber)
                ?? throw Bad($"frame {f + 1} has no ReferencedSegmentNumber");
            if (!segments.Any(s => s.Number == segment))
            {
                throw Bad($"frame {f + 1} refers to segment {segment}, which SegmentSequence does not describe");
            }

            var position = Group(DicomTags.PlanePositionSequence)?.GetDoubles(DicomTags.ImagePositionPatient) ?? [];
            var o = Group(DicomTags.PlaneOrientationSequence)?.GetDoubles(DicomTags.ImageOrientationPatient) ?? [];
            var s = Group(DicomTags.PixelMeasuresSequence)?.GetDoubles(DicomTags.PixelSpacing) ?? [];
            if (position.Length < 3 || o.Length < 6 || s.Length < 2 || !(s[0] > 0) || !(s[1] > 0))
            {
                throw Bad($"frame {f + 1} lacks ImagePositionPatient, ImageOrientationPatient or PixelSpacing");
            }

            if (orientation is null)
            {
                (orientation, spacing) = (o, s);
            }
            else if (!Same(orientation, o, 1e-4) || !Same(spacing!, s, 1e-4))
            {
                throw Bad($"frame {f + 1} has another orientation or pixel spacing than frame 1; SegWeb reads SEGs whose frames share one plane geometry");
            }

            frames.Add((segment, Vec3.From(position)));
        }

        var row = Vec3.From(orientation!).Normalized();
        var column = Vec3.From(orientation!, 3).Normalized();
        if (shape is null || affine is null)
        {
            (shape, affine) = OwnGrid(shared, frames.Select(f => f.Position).ToList(), row, column, spacing!, rows, columns, Bad);
        }

        var placed = Place(frames, row, column, spacing!, rows, columns, shape.Value, affine, Bad);
        var pixels = new SegPixels(pixelElement.Value, rows * columns, fractional, ds.GetInt(SegmentationTags.MaximumFractionalValue) ?? 255);
        var (labels, overlapping) = BuildLabelVolume(placed, pixels, shape.Value, affine, segments.Max(s => s.Number));
        return new DicomSegmentation(name, type, segments, labels, overlapping, placed, pixels, ds.GetUid(DicomTags.SopInstanceUid),
            ds.GetUid(DicomTags.FrameOfReferenceUid), ReferencedUids(ds, perFrame));
    }

    private static List<DicomSegment> ReadSegments(DicomDataset ds, Func<string, DicomFormatException> bad)
    {
        var items = ds.GetSequence(SegmentationTags.SegmentSequence);
        if (items.Count == 0)
        {
            throw bad("no SegmentSequence");
        }

        var segments = new List<DicomSegment>();
        foreach (var item in items)
        {
            int number = item.GetInt(SegmentationTags.SegmentNumber) ?? throw bad("a SegmentSequence item has no SegmentNumber");
            if (number is <= 0 or > ushort.MaxValue || segments.Any(s => s.Number == number))
            {
                throw bad($"SegmentNumber {number} is out of range or repeated");
            }

            var lab = item.GetDoubles(SegmentationTags.RecommendedDisplayCieLabValue);
            var typeItem = item.GetFirstItem(SegmentationTags.SegmentedPropertyTypeCodeSequence);
            segments.Add(new DicomSegment(
                number,
                item.GetString(SegmentationTags.SegmentLabel) ?? $"segment {number}",
                CodedConcept.FromSequence(item, SegmentationTags.SegmentedPropertyCategoryCodeSequence),
                CodedConcept.FromSequence(item, SegmentationTags.SegmentedPropertyTypeCodeSequence),
                typeItem is null ? null : CodedConcept.FromSequence(typeItem, SegmentationTags.SegmentedPropertyTypeModifierCodeSequence),
                lab.Length == 3 ? CieLab.FromDicom((ushort)lab[0], (ushort)lab[1], (ushort)lab[2]) : null,
                item.GetString(SegmentationTags.SegmentAlgorithmType),
                item.GetString(SegmentationTags.SegmentAlgorithmName)));
        }

        return segments;
    }

    /// <summary>The grid the frames span: their plane geometry, slices along the normal at the smallest gap.</summary>
    private static (VolumeShape, Affine) OwnGrid(DicomDataset? shared, List<Vec3> positions, Vec3 row, Vec3 column, double[] spacing,
        int rows, int columns, Func<string, DicomFormatException> bad)
    {
        var normal = row.Cross(column).Normalized();
        var heights = positions.Select(p => p.Dot(normal)).Order().ToList();
        var distinct = new List<double> { heights[0] };
        foreach (var h in heights.Skip(1))
        {
            if (h - distinct[^1] > 1e-3)
            {
                distinct.Add(h);
            }
        }

        double step;
        if (distinct.Count == 1)
        {
            var measures = shared?.GetFirstItem(DicomTags.PixelMeasuresSequence);
            step = measures?.GetDouble(DicomTags.SpacingBetweenSlices) is double between && between > 0 ? between
                : measures?.GetDouble(DicomTags.SliceThickness) is double thick && thick > 0 ? thick
                : Math.Min(spacing[0], spacing[1]);
        }
        else
        {
            step = Enumerable.Range(0, distinct.Count - 1).Min(i => distinct[i + 1] - distinct[i]);
        }

        double extent = (distinct[^1] - distinct[0]) / step;
        if (extent > 100_000)
        {
            throw bad($"the frames span {extent:0} slices of {step:0.###} mm, not a grid SegWeb can build");
        }

        int nz = (int)Math.Round(extent) + 1;
        if ((long)nz * rows * columns > Array.MaxLength)
        {
            throw bad($"the frames span a grid of {columns}×{rows}×{nz}, too large for one volume");
        }

        var first = positions.OrderBy(p => p.Dot(normal)).First();
        double dx = spacing[1], dy = spacing[0];
        Vec3 colI = row * dx, colJ = column * (-dy), colK = normal * step;
        var origin = first + (column * (dy * (rows - 1)));
        var affine = new Affine([
            -colI.X, -colJ.X, -colK.X, -origin.X,
            -colI.Y, -colJ.Y, -colK.Y, -origin.Y,
            colI.Z, colJ.Z, colK.Z, origin.Z,
            0, 0, 0, 1]);
        return (new VolumeShape(columns, rows, nz), affine);
    }

    /// <summary>Places each frame on slice k of the grid, checking that its plane is the grid's slice plane.</summary>
    private static List<SegFrame> Place(List<(int Segment, Vec3 Position)> frames, Vec3 row, Vec3 column, double[] spacing, int rows, int columns,
        VolumeShape shape, Affine affine, Func<string, DicomFormatException> bad)
    {
        if (shape.X != columns || shape.Y != rows)
        {
            throw bad($"its frames are {columns}×{rows} but the reference grid is {shape.X}×{shape.Y}");
        }

        var gridRow = new Vec3(-affine[0, 0], -affine[1, 0], affine[2, 0]);
        var gridColumn = new Vec3(affine[0, 1], affine[1, 1], -affine[2, 1]);
        if (row.Dot(gridRow.Normalized()) < 0.9999 || column.Dot(gridColumn.Normalized()) < 0.9999
            || Math.Abs(gridRow.Length - spacing[1]) > 1e-3 * spacing[1] || Math.Abs(gridColumn.Length - spacing[0]) > 1e-3 * spacing[0])
        {
            throw bad("its frames' orientation or pixel spacing differs from the reference series; SegWeb does not resample SEG frames");
        }

        var inverse = affine.Inverse();
        var placed = new List<SegFrame>(frames.Count);
        for (int f = 0; f < frames.Count; f++)
        {
            var p = frames[f].Position;
            var (i, j, k) = inverse.Apply(-p.X, -p.Y, p.Z);
            int kk = (int)Math.Round(k);
            if (Math.Abs(i) > PositionTolerance || Math.Abs(j - (rows - 1)) > PositionTolerance || Math.Abs(k - kk) > PositionTolerance || kk < 0 || kk >= shape.Z)
            {
                throw bad(string.Create(CultureInfo.InvariantCulture,
                    $"frame {f + 1} at ImagePositionPatient ({p.X:0.###}, {p.Y:0.###}, {p.Z:0.###}) is not on a slice of the grid (voxel {i:0.##}, {j:0.##}, {k:0.##})"));
            }

            placed.Add(new SegFrame(f, frames[f].Segment, kk));
        }

        return placed;
    }

    private static (Volume Labels, long Overlapping) BuildLabelVolume(List<SegFrame> frames, SegPixels pixels, VolumeShape shape, Affine affine, int maxSegment)
    {
        int nx = shape.X, ny = shape.Y;
        var numbers = new ushort[shape.VoxelCount];
        var counts = new byte[shape.VoxelCount];
        var buffer = new byte[nx * ny];
        foreach (var frame in frames)
        {
            pixels.Unpack(frame.FrameIndex, buffer);
            long plane = (long)frame.K * nx * ny;
            for (int row = 0; row < ny; row++)
            {
                long line = plane + ((long)(ny - 1 - row) * nx);
                for (int x = 0; x < nx; x++)
                {
                    if (buffer[(row * nx) + x] == 0)
                    {
                        continue;
                    }

                    long index = line + x;
                    if (counts[index] < 2 && numbers[index] != frame.Segment)
                    {
                        counts[index]++;
                    }

                    if (frame.Segment > numbers[index])
                    {
                        numbers[index] = (ushort)frame.Segment;
                    }
                }
            }
        }

        long overlapping = counts.AsSpan().Count((byte)2);
        if (maxSegment <= byte.MaxValue)
        {
            var bytes = new byte[numbers.Length];
            for (long i = 0; i < numbers.LongLength; i++)
            {
                bytes[i] = (byte)numbers[i];
            }

            return (new Volume<byte>(shape, affine, bytes), overlapping);
        }

        return (new Volume<ushort>(shape, affine, numbers), overlapping);
    }

    private static List<string> ReferencedUids(DicomDataset ds, IReadOnlyList<DicomDataset> perFrame)
    {
        var uids = new List<string>();
        foreach (var series in ds.GetSequence(DicomTags.ReferencedSeriesSequence))
        {
            foreach (var instance in series.GetSequence(SegmentationTags.ReferencedInstanceSequence))
            {
                if (instance.GetUid(DicomTags.ReferencedSopInstanceUid) is { } uid)
                {
                    uids.Add(uid);
                }
            }
        }

        foreach (var frame in perFrame)
        {
            foreach (var derivation in frame.GetSequence(SegmentationTags.DerivationImageSequence))
            {
                foreach (var source in derivation.GetSequence(SegmentationTags.SourceImageSequence))
                {
                    if (source.GetUid(DicomTags.ReferencedSopInstanceUid) is { } uid)
                    {
                        uids.Add(uid);
                    }
                }
            }
        }

        return uids.Distinct(StringComparer.Ordinal).ToList();
    }

    private static bool Same(double[] a, double[] b, double tolerance) =>
        a.Length == b.Length && a.Zip(b).All(p => Math.Abs(p.First - p.Second) <= tolerance);
}
