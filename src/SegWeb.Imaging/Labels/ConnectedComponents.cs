using System.Numerics;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Labels;

/// <summary>
/// 3D connected components of a binary mask or of one label of a label map, with 6- or 26-connectivity.
/// The partition is the one scipy.ndimage.label gives with generate_binary_structure(3, 1) or (3, 3);
/// only the numbering differs (SegWeb numbers components in X-fastest order of their first voxel).
/// </summary>
public static class ConnectedComponents
{
    /// <summary>Labels the components of the non-zero voxels of <paramref name="mask"/>.</summary>
    public static ComponentLabeling LabelMask<T>(Volume<T> mask, Connectivity connectivity)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(mask);
        return ToResult(mask, RunLabeling<T>.Build(mask, RunMode.NonZero, T.Zero, connectivity));
    }

    /// <summary>Labels the components of the voxels equal to <paramref name="label"/> in a label map.</summary>
    public static ComponentLabeling LabelOf<T>(Volume<T> labels, T label, Connectivity connectivity)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (label == T.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(label), label, "Label 0 is the background and has no components.");
        }

        return ToResult(labels, RunLabeling<T>.Build(labels, RunMode.SingleLabel, label, connectivity));
    }

    private static ComponentLabeling ToResult<T>(Volume<T> source, RunLabeling<T> runs)
        where T : unmanaged, INumber<T>
    {
        var ids = new Volume<int>(source.Shape, source.Affine, runs.ToIdArray());
        return new ComponentLabeling(ids, runs.ComponentCount, runs.VoxelCounts, runs.Boxes);
    }
}
