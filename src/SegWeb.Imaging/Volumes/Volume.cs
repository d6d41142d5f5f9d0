using SegWeb.Imaging.Geometry;

namespace SegWeb.Imaging.Volumes;

/// <summary>
/// A 3D image: voxels in their stored type, a shape, and a voxel-to-world <see cref="Affine"/> (RAS+ mm).
/// Real-world values are <c>stored × <see cref="Slope"/> + <see cref="Intercept"/></c> (NIfTI's
/// scl_slope/scl_inter); most volumes have slope 1 and intercept 0.
/// </summary>
/// <remarks>
/// The non-generic base lets code handle any voxel type; hot loops work on <see cref="Volume{T}"/>
/// and its array directly. Volumes are not thread-safe for writes; share them read-only.
/// </remarks>
public abstract class Volume
{
    protected Volume(VolumeShape shape, Affine affine, double slope, double intercept)
    {
        ArgumentNullException.ThrowIfNull(affine);
        if (shape.X <= 0 || shape.Y <= 0 || shape.Z <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "Every dimension of a volume must be at least 1.");
        }

        Shape = shape;
        Affine = affine;
        Slope = slope;
        Intercept = intercept;
    }

    public VolumeShape Shape { get; }

    public Affine Affine { get; }

    /// <summary>Multiplier from stored to real values (1 when the data needs no scaling).</summary>
    public double Slope { get; }

    /// <summary>Offset from stored to real values (0 when the data needs no scaling).</summary>
    public double Intercept { get; }

    public bool IsScaled => Slope != 1 || Intercept != 0;

    public abstract VoxelType VoxelType { get; }

    /// <summary>Voxel size in mm along each voxel axis (column norms of the affine).</summary>
    public (double X, double Y, double Z) Spacing => Affine.Spacing;

    /// <summary>The voxel array (a <c>T[]</c> of the voxel type), for I/O code that is type-agnostic.</summary>
    public abstract Array RawData { get; }

    /// <summary>The real (scaled) value at a linear index. Convenient, not fast: hot loops use <see cref="Volume{T}.Data"/>.</summary>
    public abstract double GetValue(long index);

    /// <summary>The same voxels and scaling on another grid placement.</summary>
    public abstract Volume WithAffine(Affine affine);

    /// <summary>Real values as float32 (scaling applied). Allocates a new array.</summary>
    public abstract Volume<float> ToFloat32();
}
