namespace SegWeb.Server.Inputs;

/// <summary>What validation found in an input (stored as JSON with the input and returned by the API).</summary>
/// <param name="Format">"nifti", "nifti-gz", "dicom-zip", "dicom-file" or "dicom-files".</param>
/// <param name="Modality">DICOM Modality of the first series (null for NIfTI, which does not record it).</param>
/// <param name="Shape">Voxels along x, y, z (NIfTI: dim[1..]; DICOM: columns, rows, frames of the first series).</param>
/// <param name="Spacing">Voxel size in mm (NIfTI pixdim; null for DICOM until the series geometry is loaded by a job).</param>
/// <param name="DataType">The NIfTI datatype code's name, or null.</param>
/// <param name="Series">The DICOM series found (empty for NIfTI).</param>
/// <param name="Warnings">Files passed over and similar remarks.</param>
public sealed record InputDescription(
    string Format,
    string? Modality,
    IReadOnlyList<long>? Shape,
    IReadOnlyList<double>? Spacing,
    string? DataType,
    IReadOnlyList<SeriesSummary> Series,
    IReadOnlyList<string> Warnings);

/// <summary>One DICOM series of an input.</summary>
public sealed record SeriesSummary(
    string Key,
    string? SeriesInstanceUid,
    string? Modality,
    string? Description,
    int? Number,
    int Instances,
    int Frames,
    int Rows,
    int Columns,
    IReadOnlyList<string> TransferSyntaxes);
