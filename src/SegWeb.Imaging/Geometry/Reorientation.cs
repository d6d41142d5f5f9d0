using System.Numerics;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Geometry;

/// <summary>A volume after reorientation, with what is needed to take it (or anything on its grid) back.</summary>
/// <param name="Volume">The reoriented volume (the input itself when no change was needed).</param>
/// <param name="Undo">Takes a volume on the reoriented grid back to the original grid, exactly.</param>
public sealed record ReorientedVolume(Volume Volume, ReorientationUndo Undo);

/// <summary>
/// Reverses one reorientation exactly: the voxels move back and the original affine is restored as it
/// was (stored, not recomputed, so floating-point round-off cannot creep in).
/// </summary>
public sealed class ReorientationUndo
{
    internal ReorientationUndo(AxisOrientation transform, VolumeShape originalShape, Affine originalAffine)
    {
        Transform = transform;
        OriginalShape = originalShape;
        OriginalAffine = originalAffine;
        ReorientedShape = AxisPermutation.TransformedShape(originalShape, transform);
    }

    /// <summary>The forward transform that was applied (nibabel ornt).</summary>
    public AxisOrientation Transform { get; }

    public VolumeShape OriginalShape { get; }

    public Affine OriginalAffine { get; }

    /// <summary>The shape a volume must have to be undone (the reoriented shape).</summary>
    public VolumeShape ReorientedShape { get; }

    /// <summary>
    /// Takes a volume on the reoriented grid (the reoriented volume itself, or e.g. a label map computed
    /// from it, of any voxel type) back to the original grid and affine.
    /// </summary>
    /// <exception cref="ArgumentException">The volume's shape is not the reoriented shape.</exception>
    public Volume Apply(Volume reoriented)
    {
        ArgumentNullException.ThrowIfNull(reoriented);
        if (reoriented.Shape != ReorientedShape)
        {
            throw new ArgumentException(
                $"Cannot undo a reorientation on a volume of shape {reoriented.Shape}: the reoriented grid is {ReorientedShape}.",
                nameof(reoriented));
        }

        var inverse = Orientation.Inverse(Transform);
        return VolumeDispatch.Apply(reoriented, new Reorientation.Permute(inverse, OriginalAffine));
    }
}

/// <summary>
/// Reorientation of volumes with nibabel's semantics: <see cref="ToClosestCanonical"/> is nibabel's
/// as_closest_canonical, <see cref="ToOrientation"/> reorients to any axis codes, and each result carries
/// an exact undo. Voxels are only moved (never interpolated), so results are identical to nibabel's.
/// </summary>
public static class Reorientation
{
    /// <summary>
    /// The volume reoriented to the closest canonical (RAS) orientation, as nibabel's
    /// as_closest_canonical(img): voxels flipped/transposed by io_orientation(affine), affine × inv_ornt_aff.
    /// </summary>
    /// <exception cref="ArgumentException">The affine is degenerate (an axis has no direction).</exception>
    public static ReorientedVolume ToClosestCanonical(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return Apply(volume, RequireOrientation(volume));
    }

    /// <summary>The shape and affine <see cref="ToClosestCanonical"/> gives <paramref name="volume"/>, without touching a voxel.</summary>
    /// <exception cref="ArgumentException">A degenerate affine.</exception>
    public static (VolumeShape Shape, Affine Affine) ClosestCanonicalGrid(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var transform = RequireOrientation(volume);
        return (AxisPermutation.TransformedShape(volume.Shape, transform), ReorientedAffine(volume, transform));
    }

    /// <summary>
    /// <see cref="ToClosestCanonical"/> as float32 (slope and intercept applied, a new array), for callers that need the
    /// float copy anyway. When the reorientation only flips axes (LPS, LAS, LPI … scans, the usual CT) the float copy is
    /// made from the input and flipped in place, so no reoriented copy of the input ever exists: the segmentation
    /// pipeline held the input, its reoriented copy and the float copy at once (1.7 GB for a 512×512×824 int16 CT, the
    /// run's peak with preprocessing's other buffers). Other reorientations permute a copy first, as before. The voxels
    /// and affine equal <c>ToClosestCanonical(volume).Volume.ToFloat32()</c>'s.
    /// </summary>
    /// <exception cref="ArgumentException">A degenerate affine.</exception>
    public static ReorientedVolume ToClosestCanonicalFloat32(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var transform = RequireOrientation(volume);
        if (transform.X.Axis != 0 || transform.Y.Axis != 1 || transform.Z.Axis != 2)
        {
            var permuted = Apply(volume, transform);
            return new ReorientedVolume(permuted.Volume.ToFloat32(), permuted.Undo);
        }

        var undo = new ReorientationUndo(transform, volume.Shape, volume.Affine);
        var floats = volume.ToFloat32();
        if (transform.IsIdentity)
        {
            return new ReorientedVolume(floats, undo);
        }

        var affine = ReorientedAffine(volume, transform);
        AxisFlips.InPlace(floats.Data, floats.Shape, transform.X.Flip < 0, transform.Y.Flip < 0, transform.Z.Flip < 0);
        return new ReorientedVolume(new Volume<float>(floats.Shape, affine, floats.Data), undo);
    }

    /// <summary>The volume reoriented so that its axis codes are <paramref name="axisCodes"/> (e.g. "LPS", "PIR").</summary>
    /// <exception cref="ArgumentException">Bad axis codes, or a degenerate affine.</exception>
    public static ReorientedVolume ToOrientation(Volume volume, string axisCodes)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var target = Orientation.FromAxisCodes(axisCodes);
        return Apply(volume, Orientation.Transform(RequireOrientation(volume), target));
    }

    /// <summary>
    /// Applies an orientation transform (nibabel's img.as_reoriented(ornt)): voxels by apply_orientation,
    /// affine = affine · inv_ornt_aff(ornt, shape). The identity transform returns the input volume itself.
    /// </summary>
    public static ReorientedVolume Apply(Volume volume, AxisOrientation transform)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var undo = new ReorientationUndo(transform, volume.Shape, volume.Affine);
        if (transform.IsIdentity)
        {
            return new ReorientedVolume(volume, undo);
        }

        var affine = ReorientedAffine(volume, transform);
        var result = VolumeDispatch.Apply(volume, new Permute(transform, affine));
        return new ReorientedVolume(result, undo);
    }

    // nibabel: affine · inv_ornt_aff(ornt, shape).
    private static Affine ReorientedAffine(Volume volume, AxisOrientation transform) =>
        volume.Affine.Multiply(Orientation.InverseTransformAffine(transform, volume.Shape));

    private static AxisOrientation RequireOrientation(Volume volume)
    {
        var orientation = Orientation.FromAffine(volume.Affine);
        if (!orientation.IsComplete)
        {
            throw new ArgumentException(
                $"The volume's affine is degenerate (axis codes {Orientation.ToAxisCodes(orientation)}), so it has no orientation to reorient from.",
                nameof(volume));
        }

        return orientation;
    }

    /// <summary>Moves the voxels by a transform and attaches the given affine (scaling kept).</summary>
    internal sealed class Permute(AxisOrientation transform, Affine affine) : IVolumeFunc<Volume>
    {
        public Volume Invoke<T>(Volume<T> volume)
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            if (transform.IsIdentity)
            {
                return new Volume<T>(volume.Shape, affine, (T[])volume.Data.Clone(), volume.Slope, volume.Intercept);
            }

            var shape = AxisPermutation.TransformedShape(volume.Shape, transform);
            var data = AxisPermutation.Apply(volume.Data, volume.Shape, transform);
            return new Volume<T>(shape, affine, data, volume.Slope, volume.Intercept);
        }
    }
}
