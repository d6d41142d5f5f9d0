using System.Numerics;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Labels;

/// <summary>
/// In-place clean-up of a label map, matching TotalSegmentator's postprocessing (totalsegmentator/postprocessing.py):
/// keep_largest_blob(_multilabel) and remove_small_blobs(_multilabel). Both use scipy.ndimage.label with its
/// default structure, i.e. <see cref="Connectivity.Six"/>; removed voxels become 0 (background).
/// </summary>
public static class LabelCleanup
{
    /// <summary>
    /// Keeps only the largest component of <paramref name="label"/> and sets the voxels of its other components to 0.
    /// Ties go to the component scipy would number first (its first voxel in C order of the (X, Y, Z) array),
    /// as TotalSegmentator's np.argmax over scipy's counts does.
    /// </summary>
    /// <returns>The number of voxels set to 0.</returns>
    public static long KeepLargestComponent<T>(Volume<T> labels, T label, Connectivity connectivity = Connectivity.Six)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (label == T.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(label), label, "Label 0 is the background.");
        }

        var runs = RunLabeling<T>.Build(labels, RunMode.SingleLabel, label, connectivity);
        if (runs.ComponentCount <= 1)
        {
            return 0;
        }

        int best = 1;
        for (int c = 2; c <= runs.ComponentCount; c++)
        {
            if (runs.VoxelCounts[c] > runs.VoxelCounts[best]
                || (runs.VoxelCounts[c] == runs.VoxelCounts[best] && runs.FirstCOrderKey[c] < runs.FirstCOrderKey[best]))
            {
                best = c;
            }
        }

        var remove = new bool[runs.ComponentCount + 1];
        Array.Fill(remove, true);
        remove[0] = false;
        remove[best] = false;
        return runs.Erase(labels.Data, remove);
    }

    /// <summary>
    /// Sets to 0 every component whose volume is at most <paramref name="minVolumeMm3"/>, for every non-zero label
    /// (or only the labels in <paramref name="onlyLabels"/>). All labels are handled in one labelling pass.
    /// </summary>
    /// <remarks>
    /// As TotalSegmentator (--remove_small_blobs, 200 mm³): the threshold becomes a voxel count
    /// <c>minVolumeMm3 / voxelVolume</c>, where the voxel volume is the float32 product of the three voxel sizes
    /// (nibabel's zooms are float32), and a component is removed when its voxel count is &lt;= that count.
    /// </remarks>
    /// <returns>The number of voxels set to 0.</returns>
    public static long RemoveSmallComponents<T>(Volume<T> labels, double minVolumeMm3, Connectivity connectivity = Connectivity.Six,
        IReadOnlyCollection<T>? onlyLabels = null)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!double.IsFinite(minVolumeMm3) || minVolumeMm3 < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(minVolumeMm3), minVolumeMm3, "The minimum volume must be a finite number of mm³, at least 0.");
        }

        double thresholdVoxels = minVolumeMm3 / VoxelVolumeMm3(labels);
        var runs = RunLabeling<T>.Build(labels, RunMode.PerLabel, T.Zero, connectivity);
        var subset = onlyLabels is null ? null : new HashSet<T>(onlyLabels);
        var remove = new bool[runs.ComponentCount + 1];
        bool any = false;
        for (int c = 1; c <= runs.ComponentCount; c++)
        {
            if (runs.VoxelCounts[c] <= thresholdVoxels && (subset is null || subset.Contains(runs.ComponentValue[c])))
            {
                remove[c] = true;
                any = true;
            }
        }

        return any ? runs.Erase(labels.Data, remove) : 0;
    }

    /// <summary>
    /// The voxel volume TotalSegmentator uses: np.prod of nibabel's float32 zooms, computed in float32.
    /// SegWeb's spacing comes from the affine's column norms, which round to the header's float32 pixdim.
    /// </summary>
    public static double VoxelVolumeMm3(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var (sx, sy, sz) = volume.Spacing;
        float v = (float)sx * (float)sy;
        v *= (float)sz;
        return v;
    }
}
