namespace SegWeb.Dicom.Segmentation;

/// <summary>Choices and names for <see cref="DicomSegWriter"/>.</summary>
public sealed record DicomSegWriteOptions
{
    public static DicomSegWriteOptions Default { get; } = new();

    /// <summary>How the label map is named in messages (e.g. its file path).</summary>
    public string LabelsName { get; init; } = "label map";

    /// <summary>How the source series is named in messages (e.g. its folder or zip); default its series key.</summary>
    public string? SourceName { get; init; }

    public string SeriesDescription { get; init; } = "Segmentation";

    public int SeriesNumber { get; init; } = 300;

    /// <summary>ContentLabel (CS: upper case, digits, space, underscore; at most 16 characters).</summary>
    public string ContentLabel { get; init; } = "SEGMENTATION";

    public string ContentDescription { get; init; } = "SegWeb automatic segmentation";

    /// <summary>SoftwareVersions and the equipment's model version.</summary>
    public string SoftwareVersion { get; init; } = "0.1";

    /// <summary>SOP Instance UID of the SEG; default a new random UID.</summary>
    public string? SopInstanceUid { get; init; }

    /// <summary>Series Instance UID of the SEG; default a new random UID.</summary>
    public string? SeriesInstanceUid { get; init; }

    /// <summary>Content date and time; default now (UTC).</summary>
    public DateTime? ContentDateTime { get; init; }

    /// <summary>Voxels may be at most this far (in voxel sizes) from the source grid's at the volume's corners.</summary>
    public double GridTolerance { get; init; } = 0.05;
}

/// <summary>What <see cref="DicomSegWriter.Write"/> wrote.</summary>
/// <param name="SopInstanceUid">The SEG's SOP Instance UID.</param>
/// <param name="SeriesInstanceUid">The SEG's Series Instance UID.</param>
/// <param name="Segments">The segments written, in segment-number order (segment n is Segments[n − 1]).</param>
/// <param name="FrameCount">Frames written: one per (segment, source slice the segment occurs on).</param>
/// <param name="SourceUids">The source UIDs the SEG references (see <see cref="DicomSourceUids.WriteFilledSeries"/>).</param>
/// <param name="Warnings">Label values without a description (written as "label N", SCT Tissue), and similar notes.</param>
public sealed record DicomSegWriteResult(
    string SopInstanceUid,
    string SeriesInstanceUid,
    IReadOnlyList<SegmentDescription> Segments,
    int FrameCount,
    DicomSourceUids SourceUids,
    IReadOnlyList<string> Warnings);
