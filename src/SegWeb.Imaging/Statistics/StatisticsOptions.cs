namespace SegWeb.Imaging.Statistics;

/// <summary>Which intensity TotalSegmentator reports per structure (its <c>metric</c> argument).</summary>
public enum IntensityMetric
{
    /// <summary>The mean over the mask (TotalSegmentator's default).</summary>
    Mean,

    /// <summary>The median over the mask (np.median: the mean of the two middle values for an even count).</summary>
    Median,
}

/// <summary>Options of <see cref="LabelStatistics"/>, named after TotalSegmentator's command-line flags.</summary>
public sealed record StatisticsOptions
{
    /// <summary>The defaults of <c>TotalSegmentator --statistics</c>: mean, incomplete masks excluded, no extra fields.</summary>
    public static StatisticsOptions Default { get; } = new();

    /// <summary>Mean (default) or median intensity.</summary>
    public IntensityMetric Metric { get; init; } = IntensityMetric.Mean;

    /// <summary>
    /// TotalSegmentator's <c>--stats_include_incomplete</c> (<c>-sii</c>): also report masks that reach into the outer
    /// <see cref="LabelStatistics.BorderMargin"/> voxels of any face. Without it such masks get volume 0 and intensity 0.
    /// </summary>
    public bool IncludeIncomplete { get; init; }

    /// <summary>Also compute <see cref="ExtraStatistics"/> (voxel count, intensity spread, centroid and bounding box).</summary>
    public bool Extra { get; init; }

    /// <summary>
    /// As TotalSegmentator, cast the real (scaled) intensity to int16 before averaging (nibabel <c>get_fdata().astype(np.int16)</c>:
    /// truncation toward zero, out-of-range values wrapping as C's cast does on x86). Default true; false averages the
    /// real values, which suits float MR or PET images that int16 would flatten.
    /// </summary>
    public bool IntensityAsInt16 { get; init; } = true;

    /// <summary>
    /// The voxel size (mm) whose float32 product is the voxel volume, as nibabel's <c>header.get_zooms()</c>. Pass the
    /// NIfTI header's pixdim when there is one; null uses the image affine's column norms.
    /// </summary>
    public (double X, double Y, double Z)? VoxelSpacing { get; init; }
}
