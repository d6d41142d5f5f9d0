namespace SegWeb.Imaging.Labels;

/// <summary>Which neighbours of a voxel count as touching it when grouping voxels into components.</summary>
public enum Connectivity
{
    /// <summary>
    /// Face neighbours only (±x, ±y, ±z). This is scipy.ndimage.label's default structure
    /// (generate_binary_structure(3, 1)), and therefore what TotalSegmentator's keep_largest_blob and
    /// remove_small_blobs use.
    /// </summary>
    Six = 6,

    /// <summary>Face, edge and corner neighbours (scipy's generate_binary_structure(3, 3), cc3d's 26).</summary>
    TwentySix = 26,
}
