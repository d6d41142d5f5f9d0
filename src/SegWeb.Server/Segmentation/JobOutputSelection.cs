namespace SegWeb.Server.Segmentation;

/// <summary>
/// The result files a job can write, named as they are downloaded, and which of them a request's <c>outputs</c> list
/// selects. The viewer's two files (<see cref="Volume"/> and <see cref="Multilabel"/>) are written for every job, so they
/// need not be asked for.
/// </summary>
public static class JobOutputSelection
{
    /// <summary>The multilabel NIfTI with the label table in its header (TotalSegmentator's --ml file). Always written.</summary>
    public const string Multilabel = "multilabel.nii.gz";

    /// <summary>The input volume as NIfTI on its own grid, for the viewer (the converted series for DICOM input). Always written.</summary>
    public const string Volume = "volume.nii.gz";

    /// <summary>One &lt;class&gt;.nii.gz mask per class of the model, zipped.</summary>
    public const string Masks = "segmentations.zip";

    /// <summary>TotalSegmentator's statistics.json (volume in mm³ and mean intensity per class).</summary>
    public const string StatisticsJson = "statistics.json";

    /// <summary>The same statistics as CSV.</summary>
    public const string StatisticsCsv = "statistics.csv";

    /// <summary>A DICOM-SEG referencing the source instances (DICOM input only).</summary>
    public const string DicomSeg = "seg.dcm";

    /// <summary>What ran: SegWeb and model versions, options, per-stage timings, warnings, the input.</summary>
    public const string Report = "report.json";

    /// <summary>A preview image, written by an <see cref="IJobPreviewRenderer"/> when one is registered.</summary>
    public const string Preview = "preview.png";

    /// <summary>Every name a request may list.</summary>
    public static IReadOnlyList<string> Known { get; } = [Multilabel, Volume, Masks, StatisticsJson, StatisticsCsv, DicomSeg, Report, Preview];

    /// <summary>True for the input formats a DICOM-SEG can be made from (it references the source instances).</summary>
    public static bool IsDicom(string? inputFormat) => inputFormat?.StartsWith("dicom", StringComparison.Ordinal) == true;

    /// <summary>
    /// Why the request's list cannot be honoured (an unknown name, seg.dcm for NIfTI input, preview.png without a
    /// renderer), or null when it can. Checked when the job is created, so the client hears it at once.
    /// </summary>
    public static string? Problem(IReadOnlyList<string>? requested, string? inputFormat, bool previewAvailable)
    {
        foreach (var name in requested ?? [])
        {
            if (Canonical(name) is not { } known)
            {
                return $"unknown output '{name}': choose from {string.Join(", ", Known)}";
            }

            if (known == DicomSeg && !IsDicom(inputFormat))
            {
                return $"{DicomSeg} needs DICOM input (a DICOM-SEG references the source instances); this input is {inputFormat ?? "not DICOM"}";
            }

            if (known == Preview && !previewAvailable)
            {
                return $"{Preview} is not available on this server yet (no preview renderer)";
            }
        }

        return null;
    }

    /// <summary>
    /// The files to write: the viewer's two, plus the requested ones, or when none are listed every output that applies
    /// (seg.dcm for DICOM input, preview.png when a renderer exists). Ordered as <see cref="Known"/>.
    /// </summary>
    public static IReadOnlySet<string> Resolve(IReadOnlyList<string>? requested, string? inputFormat, bool previewAvailable)
    {
        var chosen = new HashSet<string>(StringComparer.Ordinal) { Multilabel, Volume };
        if (requested is { Count: > 0 })
        {
            foreach (var name in requested)
            {
                chosen.Add(Canonical(name) ?? throw new Imaging.SegWebException($"unknown output '{name}'"));
            }
        }
        else
        {
            chosen.UnionWith([Masks, StatisticsJson, StatisticsCsv, Report]);
            if (IsDicom(inputFormat))
            {
                chosen.Add(DicomSeg);
            }

            if (previewAvailable)
            {
                chosen.Add(Preview);
            }
        }

        return chosen;
    }

    private static string? Canonical(string name) => Known.FirstOrDefault(k => string.Equals(k, name?.Trim(), StringComparison.OrdinalIgnoreCase));
}
