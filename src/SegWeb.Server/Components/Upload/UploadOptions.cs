using SegWeb.Server.Jobs;

namespace SegWeb.Server.Components.Upload;

/// <summary>The model resolution TotalSegmentator offers: full (1.5 mm), fast (3 mm), fastest (6 mm).</summary>
public enum Resolution
{
    Full,
    Fast,
    Fastest,
}

/// <summary>The upload form's job options; <see cref="ToRequest"/> turns them into the API's <see cref="JobRequest"/>.</summary>
public sealed class UploadOptions
{
    /// <summary>The form's output choices (names of its checkboxes and their labels).</summary>
    public static readonly IReadOnlyList<(string Name, string Label)> AllOutputs =
    [
        ("segmentations", "NIfTI masks (one per structure, zipped)"),
        ("multilabel", "Multilabel NIfTI"),
        ("dicom-seg", "DICOM-SEG (DICOM input)"),
        ("statistics", "Statistics (volume, intensity)"),
        ("preview", "Preview image"),
    ];

    /// <summary>
    /// The result files each choice asks the API for (<see cref="Segmentation.JobOutputSelection"/>'s names). The
    /// viewer's volume and label map, and report.json, come with every job whatever is chosen.
    /// </summary>
    private static readonly Dictionary<string, string[]> ResultFiles = new(StringComparer.Ordinal)
    {
        ["segmentations"] = [Segmentation.JobOutputSelection.Masks],
        ["multilabel"] = [Segmentation.JobOutputSelection.Multilabel],
        ["dicom-seg"] = [Segmentation.JobOutputSelection.DicomSeg],
        ["statistics"] = [Segmentation.JobOutputSelection.StatisticsJson, Segmentation.JobOutputSelection.StatisticsCsv],
        ["preview"] = [Segmentation.JobOutputSelection.Preview],
    };

    public string Task { get; set; } = "total";

    public Resolution Resolution { get; set; } = Resolution.Full;

    /// <summary>Only these structures; empty: all.</summary>
    public List<string> RoiSubset { get; } = [];

    /// <summary>Chosen outputs.</summary>
    public HashSet<string> Outputs { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// What a drop runs with when nobody touches the form: the task, full resolution, all structures, every output.
    /// Every box ticked is sent as "the defaults" (an empty list), so the server makes every output that applies to
    /// the input — DICOM-SEG only for DICOM — and a drop never fails for asking DICOM-SEG of a NIfTI file.
    /// </summary>
    public static UploadOptions Defaults(string task)
    {
        var o = new UploadOptions { Task = task };
        o.Outputs.UnionWith(AllOutputs.Select(x => x.Name));
        return o;
    }

    /// <summary>
    /// The ROI autocomplete's suggestions: the task's classes containing <paramref name="text"/> (case-insensitive;
    /// all of them for empty text), without those already chosen, in the task's order.
    /// </summary>
    public IEnumerable<string> SuggestRoi(IReadOnlyList<string> classes, string? text)
    {
        ArgumentNullException.ThrowIfNull(classes);
        string needle = text?.Trim() ?? "";
        return classes.Where(c => !RoiSubset.Contains(c) && (needle.Length == 0 || c.Contains(needle, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>Adds a structure to the ROI subset if it is one of the task's classes and not chosen yet; false otherwise.</summary>
    public bool AddRoi(IReadOnlyList<string> classes, string? name)
    {
        ArgumentNullException.ThrowIfNull(classes);
        if (name is not { Length: > 0 } || RoiSubset.Contains(name) || !classes.Contains(name))
        {
            return false;
        }

        RoiSubset.Add(name);
        return true;
    }

    /// <summary>The job request for an input.</summary>
    public JobRequest ToRequest(Guid inputId) => new(
        inputId,
        Task,
        Fast: Resolution == Resolution.Fast,
        Fastest: Resolution == Resolution.Fastest,
        RoiSubset: RoiSubset.Count == 0 ? null : RoiSubset.ToList(),
        Outputs: Outputs.IsSupersetOf(AllOutputs.Select(o => o.Name))
            ? []
            : AllOutputs.Select(o => o.Name).Where(Outputs.Contains).SelectMany(o => ResultFiles[o]).ToList());
}
