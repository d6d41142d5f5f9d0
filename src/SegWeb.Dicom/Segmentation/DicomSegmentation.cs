using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Dicom.Segmentation;

/// <summary>One segment of a SEG as read: number, label and codes.</summary>
public sealed record DicomSegment(
    int Number,
    string Label,
    CodedConcept? Category,
    CodedConcept? Type,
    CodedConcept? TypeModifier,
    (double L, double A, double B)? CieLab,
    string? AlgorithmType,
    string? AlgorithmName);

/// <summary>
/// A SEG read onto a grid (the reference series', or the one its own frames define). <see cref="LabelVolume"/> holds
/// segment numbers; where segments overlap (allowed in DICOM-SEG) the voxel gets the highest segment number and
/// <see cref="OverlappingVoxels"/> counts such voxels; <see cref="GetMask"/> gives any one segment exactly.
/// </summary>
public sealed class DicomSegmentation
{
    private readonly IReadOnlyList<SegFrame> _frames;
    private readonly SegPixels _pixels;

    internal DicomSegmentation(string sourceName, string segmentationType, IReadOnlyList<DicomSegment> segments, Volume labelVolume,
        long overlapping, IReadOnlyList<SegFrame> frames, SegPixels pixels, string? sopInstanceUid, string? frameOfReferenceUid,
        IReadOnlyList<string> referencedSopInstanceUids)
    {
        SourceName = sourceName;
        SegmentationType = segmentationType;
        Segments = segments;
        LabelVolume = labelVolume;
        OverlappingVoxels = overlapping;
        _frames = frames;
        _pixels = pixels;
        SopInstanceUid = sopInstanceUid;
        FrameOfReferenceUid = frameOfReferenceUid;
        ReferencedSopInstanceUids = referencedSopInstanceUids;
    }

    /// <summary>The SEG file.</summary>
    public string SourceName { get; }

    /// <summary>BINARY or FRACTIONAL (fractional frames are thresholded at half the maximum value).</summary>
    public string SegmentationType { get; }

    /// <summary>The segments, in SegmentSequence order.</summary>
    public IReadOnlyList<DicomSegment> Segments { get; }

    /// <summary>Segment numbers on the grid (byte, or ushort beyond 255 segments); 0 outside every segment.</summary>
    public Volume LabelVolume { get; }

    public VolumeShape Shape => LabelVolume.Shape;

    public Affine Affine => LabelVolume.Affine;

    /// <summary>Voxels inside more than one segment.</summary>
    public long OverlappingVoxels { get; }

    public string? SopInstanceUid { get; }

    public string? FrameOfReferenceUid { get; }

    /// <summary>Every ReferencedSOPInstanceUID of the frames' derivation references and of ReferencedSeriesSequence.</summary>
    public IReadOnlyList<string> ReferencedSopInstanceUids { get; }

    /// <summary>The mask (1 inside) of one segment on the grid.</summary>
    public Volume<byte> GetMask(int segmentNumber)
    {
        var shape = LabelVolume.Shape;
        var mask = Volume<byte>.Zeros(shape, LabelVolume.Affine);
        foreach (var frame in _frames)
        {
            if (frame.Segment == segmentNumber)
            {
                Paint(frame, shape, mask.Data, (byte)1, null);
            }
        }

        return mask;
    }

    /// <summary>
    /// A label map with caller-chosen values: <paramref name="valueOf"/> gives each segment's label value (null or 0
    /// leaves it out), e.g. the model's class id found by segment label. Overlaps keep the higher segment number's value.
    /// </summary>
    public Volume<ushort> ToLabelMap(Func<DicomSegment, int?> valueOf)
    {
        ArgumentNullException.ThrowIfNull(valueOf);
        var map = Segments.ToDictionary(s => s.Number, s => valueOf(s) is int v and > 0 and <= ushort.MaxValue ? (ushort)v : (ushort)0);
        var result = Volume<ushort>.Zeros(LabelVolume.Shape, LabelVolume.Affine);
        var numbers = new ushort[result.Data.Length];
        foreach (var frame in _frames)
        {
            if (map.GetValueOrDefault(frame.Segment) is var value && value == 0)
            {
                continue;
            }

            Paint(frame, LabelVolume.Shape, result.Data, value, numbers);
        }

        return result;
    }

    /// <summary>
    /// Writes <paramref name="value"/> where the frame is set. With <paramref name="owners"/> (segment number per voxel)
    /// a voxel already owned by a higher segment number is left alone.
    /// </summary>
    private void Paint<T>(SegFrame frame, VolumeShape shape, T[] target, T value, ushort[]? owners)
    {
        int nx = shape.X, ny = shape.Y;
        var pixels = new byte[nx * ny];
        _pixels.Unpack(frame.FrameIndex, pixels);
        long plane = (long)frame.K * nx * ny;
        for (int row = 0; row < ny; row++)
        {
            long line = plane + ((long)(ny - 1 - row) * nx); // DICOM row 0 is j = ny − 1 (dcm2niix's flip)
            for (int x = 0; x < nx; x++)
            {
                if (pixels[(row * nx) + x] == 0)
                {
                    continue;
                }

                long index = line + x;
                if (owners is not null)
                {
                    if (owners[index] > frame.Segment)
                    {
                        continue;
                    }

                    owners[index] = (ushort)frame.Segment;
                }

                target[index] = value;
            }
        }
    }
}

/// <summary>One SEG frame placed on the grid: its segment, slice k and in-plane offset (always 0 here), 0-based frame number.</summary>
internal sealed record SegFrame(int FrameIndex, int Segment, int K);
