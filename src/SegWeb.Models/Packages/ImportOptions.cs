namespace SegWeb.Models.Packages;

/// <summary>Options of <see cref="NnUNetImporter.Import"/>.</summary>
public sealed record ImportOptions
{
    /// <summary>Package name (default: the dataset name from plans.json, else the folder name).</summary>
    public string? Name { get; init; }

    /// <summary>Task name recorded in the manifest (default: the dataset name).</summary>
    public string? Task { get; init; }

    /// <summary>Licence of the weights, recorded in the provenance.</summary>
    public string? Licence { get; init; }

    /// <summary>SNOMED codes and colours per structure name (TotalSegmentator's CSV layout), optional.</summary>
    public ClassMetadataTable? ClassMetadata { get; init; }

    /// <summary>Global label id per local label (default: identity), for parts of a multi-part task.</summary>
    public IReadOnlyDictionary<int, int>? LabelMap { get; init; }

    /// <summary>
    /// Which configuration to import when the folder or zip holds several (3d_fullres, or a full
    /// Trainer__Plans__configuration folder name); null when there is only one.
    /// </summary>
    public string? Configuration { get; init; }

    /// <summary>Replace an existing package of the same name.</summary>
    public bool Overwrite { get; init; }
}
