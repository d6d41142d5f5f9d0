namespace SegWeb.Dicom.Series;

/// <summary>Caps that keep a hostile zip (a bomb, millions of entries) bounded in memory and time.</summary>
public sealed record DicomArchiveLimits
{
    public static DicomArchiveLimits Default { get; } = new();

    /// <summary>Most entries an archive may list.</summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>Largest single entry, uncompressed (entries are read into memory one at a time).</summary>
    public long MaxEntryBytes { get; init; } = 1L << 30;

    /// <summary>Most bytes all entries together may inflate to.</summary>
    public long MaxTotalBytes { get; init; } = 16L << 30;

    /// <summary>Largest uncompressed/compressed ratio for entries over 1 MiB (real DICOM rarely passes 20).</summary>
    public double MaxCompressionRatio { get; init; } = 200;
}
