namespace SegWeb.Imaging.Nifti;

/// <summary>Limits and tuning for <see cref="NiftiReader"/>. The limits are what stops a hostile header from making SegWeb allocate or inflate absurd amounts.</summary>
public sealed record NiftiReadOptions
{
    /// <summary>The shared default options.</summary>
    public static NiftiReadOptions Default { get; } = new();

    /// <summary>Largest voxel payload accepted, in bytes (default 16 GiB); a header claiming more is refused before anything is allocated.</summary>
    public long MaxVoxelBytes { get; init; } = 16L << 30;

    /// <summary>Largest header-extension region accepted (between the header and vox_offset), in bytes (default 64 MiB).</summary>
    public long MaxExtensionBytes { get; init; } = 64L << 20;

    /// <summary>Threads used to inflate SegWeb's multi-member .nii.gz files; ≤ 0 means all cores.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}

/// <summary>A NIfTI file as read: the header as stored and the 3D volume (stored datatype, nibabel's affine and scaling).</summary>
/// <param name="Header">Every header field and extension, as stored in the file.</param>
/// <param name="Volume">The voxels in the stored type with <see cref="Volumes.Volume.Slope"/>/<see cref="Volumes.Volume.Intercept"/> set.</param>
public sealed record NiftiImage(NiftiHeader Header, Volumes.Volume Volume);
