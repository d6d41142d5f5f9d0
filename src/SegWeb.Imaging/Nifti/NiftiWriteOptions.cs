using SegWeb.Imaging.Compression;

namespace SegWeb.Imaging.Nifti;

/// <summary>Choices for <see cref="NiftiWriter"/>.</summary>
public sealed record NiftiWriteOptions
{
    /// <summary>The shared default options.</summary>
    public static NiftiWriteOptions Default { get; } = new();

    /// <summary>Header version; null keeps the template's (NIfTI-1 without one), switching to NIfTI-2 when a size exceeds NIfTI-1's 32767.</summary>
    public NiftiVersion? Version { get; init; }

    /// <summary>zlib level for .nii.gz (1–9).</summary>
    public int CompressionLevel { get; init; } = ParallelGzipWriter.DefaultLevel;

    /// <summary>Uncompressed bytes per gzip member.</summary>
    public int BlockSize { get; init; } = ParallelGzipWriter.DefaultBlockSize;

    /// <summary>Threads used to compress; ≤ 0 means all cores.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}
