namespace SegWeb.Dicom.Series;

/// <summary>One series found in an input, from headers only (what `segweb info` shows and what a caller picks from).</summary>
public sealed class DicomSeriesInfo
{
    internal DicomSeriesInfo(string key, IReadOnlyList<InstanceHeader> instances)
    {
        Key = key;
        Instances = instances;
        var first = instances[0].Dataset;
        SeriesInstanceUid = first.GetUid(DicomTags.SeriesInstanceUid);
        StudyInstanceUid = first.GetUid(DicomTags.StudyInstanceUid);
        FrameOfReferenceUid = first.GetUid(DicomTags.FrameOfReferenceUid);
        Modality = first.GetString(DicomTags.Modality);
        SeriesDescription = first.GetString(DicomTags.SeriesDescription);
        SeriesNumber = TryInt(first, DicomTags.SeriesNumber);
        PatientId = first.GetString(DicomTags.PatientId);
        PatientName = first.GetString(DicomTags.PatientName);
        StudyDate = first.GetString(DicomTags.StudyDate);
        Manufacturer = first.GetString(DicomTags.Manufacturer);
        Rows = TryInt(first, DicomTags.Rows) ?? 0;
        Columns = TryInt(first, DicomTags.Columns) ?? 0;
        FrameCount = instances.Sum(i => Math.Max(1, TryInt(i.Dataset, DicomTags.NumberOfFrames) ?? 1));
        TransferSyntaxes = instances.Select(i => i.TransferSyntax.Name).Distinct().Order(StringComparer.Ordinal).ToList();
        IsEnhancedMultiFrame = first.Contains(DicomTags.PerFrameFunctionalGroupsSequence);
        Files = instances.Select(i => i.SourceName).ToList();
    }

    /// <summary>
    /// What identifies the series to <see cref="DicomSeriesLoader.Load(DicomInput, string?, DicomLoadOptions?)"/>: the
    /// SeriesInstanceUID, or, when that is empty, "noseries:" with the frame of reference, orientation and size.
    /// </summary>
    public string Key { get; }

    public string? SeriesInstanceUid { get; }

    public string? StudyInstanceUid { get; }

    public string? FrameOfReferenceUid { get; }

    public string? Modality { get; }

    public string? SeriesDescription { get; }

    public int? SeriesNumber { get; }

    public string? PatientId { get; }

    public string? PatientName { get; }

    public string? StudyDate { get; }

    public string? Manufacturer { get; }

    /// <summary>Rows and columns of the first image.</summary>
    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Objects (files) in the series.</summary>
    public int InstanceCount => Instances.Count;

    /// <summary>Frames over all objects (a classic series has one per file).</summary>
    public int FrameCount { get; }

    /// <summary>Names of the transfer syntaxes its files use.</summary>
    public IReadOnlyList<string> TransferSyntaxes { get; }

    /// <summary>True for an enhanced multi-frame object (per-frame functional groups).</summary>
    public bool IsEnhancedMultiFrame { get; }

    /// <summary>The files (or "archive.zip!entry" names) of the series.</summary>
    public IReadOnlyList<string> Files { get; }

    internal IReadOnlyList<InstanceHeader> Instances { get; }

    public override string ToString() =>
        $"{Key}: {Modality} '{SeriesDescription}' #{SeriesNumber}, {InstanceCount} files, {FrameCount} frames of {Rows}×{Columns}";

    private static int? TryInt(DicomDataset ds, DicomTag tag)
    {
        try
        {
            return ds.GetInt(tag);
        }
        catch (DicomFormatException)
        {
            return null; // a malformed descriptive attribute must not hide the series
        }
    }
}

/// <summary>The scan of an input: its series and the files passed over.</summary>
public sealed record DicomScanResult(IReadOnlyList<DicomSeriesInfo> Series, IReadOnlyList<DicomSkippedFile> Skipped);

/// <summary>One object's header and the geometry of its frames (or why it has none).</summary>
internal sealed record InstanceHeader(string SourceName, DicomDataset Dataset, DicomTransferSyntax TransferSyntax, IReadOnlyList<FrameHeader> Frames, string? GeometryProblem, long PixelDataBytesInFile, long PixelDataOffset = -1);
