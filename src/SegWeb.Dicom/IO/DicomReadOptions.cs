namespace SegWeb.Dicom;

/// <summary>What to read and the limits that keep hostile input bounded.</summary>
public sealed record DicomReadOptions
{
    /// <summary>Everything, pixel data included.</summary>
    public static DicomReadOptions Default { get; } = new();

    /// <summary>The header only: reading stops at the top-level PixelData element, which is not loaded.</summary>
    public static DicomReadOptions HeaderOnly { get; } = new() { StopAtPixelData = true };

    /// <summary>Stop before the top-level PixelData element (its bytes are never read).</summary>
    public bool StopAtPixelData { get; init; }

    /// <summary>Cap on the inflated size of a deflated dataset (a zip bomb inside DICOM).</summary>
    public long MaxInflatedBytes { get; init; } = 1L << 30;

    /// <summary>Cap on inflated size as a multiple of the deflated size.</summary>
    public int MaxInflateRatio { get; init; } = 1000;
}
