using SegWeb.Imaging.Volumes;

namespace SegWeb.Dicom.Series;

/// <summary>
/// A series loaded as a volume: values in HU (or the modality's units) after RescaleSlope/Intercept, laid out
/// as dcm2niix lays it out (see <see cref="DicomSeriesLoader"/>), with the warnings raised while stacking and
/// the source frame behind each slice (for DICOM-SEG references).
/// </summary>
public sealed record DicomSeriesVolume(
    Volume Volume,
    IReadOnlyList<string> Warnings,
    DicomSeriesInfo SeriesInfo,
    IReadOnlyList<DicomSliceInstance> SourceInstances,
    bool Resampled);

/// <summary>
/// One source frame of a loaded volume: its SOP instance, file, 1-based frame number (1 for single-frame files),
/// ImagePositionPatient (LPS mm) and where it lies on the volume's k axis (an integer unless the series was resampled).
/// </summary>
public sealed record DicomSliceInstance(string SopInstanceUid, string SourceName, int FrameNumber, (double X, double Y, double Z) PositionLps, double SliceIndex);

/// <summary>Choices for <see cref="DicomSeriesLoader"/>.</summary>
public sealed record DicomLoadOptions
{
    public static DicomLoadOptions Default { get; } = new();

    /// <summary>
    /// Resample a series with gantry tilt or uneven slice spacing onto a regular grid (default). When false such a
    /// series is stacked as it is, with an average slice step, and a warning says the geometry is approximate.
    /// </summary>
    public bool ResampleIrregular { get; init; } = true;

    /// <summary>Slice spacing of the resampled grid; default the smallest slice gap (not below a quarter of the median gap).</summary>
    public double? ResampledSliceSpacing { get; init; }
}
