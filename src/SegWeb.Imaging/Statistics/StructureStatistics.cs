using SegWeb.Imaging.Labels;

namespace SegWeb.Imaging.Statistics;

/// <summary>
/// One structure's statistics, as TotalSegmentator's statistics.json reports it plus what SegWeb knows besides.
/// </summary>
/// <param name="Label">The label value in the label map (1 for a binary mask).</param>
/// <param name="Name">The structure name (the JSON key).</param>
/// <param name="VoxelCount">The mask's true voxel count, also when <see cref="Excluded"/>.</param>
/// <param name="TouchesBorder">Whether the mask reaches into the outer <see cref="LabelStatistics.BorderMargin"/> voxels.</param>
/// <param name="Excluded">Whether the mask was reported as 0 because it touches the border and incomplete masks were not included.</param>
/// <param name="Volume">Reported volume in mm³: voxel count × voxel volume, 0 when excluded.</param>
/// <param name="Intensity">Reported mean or median intensity rounded to 5 decimals, 0 when excluded or empty.</param>
/// <param name="Extra">The extra fields when <see cref="StatisticsOptions.Extra"/> was asked for, else null.</param>
public sealed record StructureStatistics(
    int Label,
    string Name,
    long VoxelCount,
    bool TouchesBorder,
    bool Excluded,
    double Volume,
    double Intensity,
    ExtraStatistics? Extra);

/// <summary>
/// SegWeb's <c>--extra</c> fields (TotalSegmentator's statistics.py has no such option to copy, so these are defined
/// here, in the same spirit: over the int16 intensities of the mask, rounded to 5 decimals like the mean). All are 0
/// (centroid and box null) when the structure is excluded or empty.
/// </summary>
/// <param name="VoxelCount">n_voxels: the number of mask voxels (0 when excluded).</param>
/// <param name="IntensityStd">intensity_std: population standard deviation (np.std, ddof 0).</param>
/// <param name="IntensityMin">intensity_min.</param>
/// <param name="IntensityMax">intensity_max.</param>
/// <param name="CentroidVoxel">centroid_vox: the mean voxel index per axis (x, y, z), rounded to 5 decimals.</param>
/// <param name="BoundingBoxVoxel">bbox_vox: the inclusive voxel bounding box, written [[minX, maxX], [minY, maxY], [minZ, maxZ]].</param>
public sealed record ExtraStatistics(
    long VoxelCount,
    double IntensityStd,
    double IntensityMin,
    double IntensityMax,
    (double X, double Y, double Z)? CentroidVoxel,
    ComponentBox? BoundingBoxVoxel);
