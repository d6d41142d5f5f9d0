using SegWeb.Imaging.Labels;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Statistics;

/// <summary>
/// Per-structure volume and intensity exactly as TotalSegmentator's <c>--statistics</c> computes them
/// (totalsegmentator/statistics.py, get_basic_statistics):
/// <list type="bullet">
/// <item>intensity: the image as nibabel's <c>get_fdata()</c> (scaled), cast to int16, then <c>np.average</c> over the
/// mask (or <c>np.median</c>), rounded to 5 decimals the numpy way (<c>rint(x·10⁵)/10⁵</c>); no erosion;</item>
/// <item>volume: voxel count × voxel volume in mm³, the voxel volume being the float32 product of the three zooms;
/// not rounded;</item>
/// <item>a mask with any voxel in the outer <see cref="BorderMargin"/> planes of any face (<c>mask[:3]</c>,
/// <c>mask[-3:]</c> on each axis) is incomplete: volume 0 and intensity 0 unless
/// <see cref="StatisticsOptions.IncludeIncomplete"/> (<c>-sii</c>);</item>
/// <item>every class of the map is listed, in label order, with 0 and 0 when absent.</item>
/// </list>
/// </summary>
public static class LabelStatistics
{
    /// <summary>How many outer voxel planes on each face make a mask "incomplete" (TotalSegmentator's touches_border).</summary>
    public const int BorderMargin = 3;

    /// <summary>The largest difference between two affines' entries still taken as the same grid (mm, or direction cosines).</summary>
    public const double GridTolerance = 1e-3;

    /// <summary>
    /// Statistics of every class of a label map, in one pass over the volume.
    /// </summary>
    /// <param name="image">The intensity image (any voxel type; its scaling applies).</param>
    /// <param name="labels">The label map, on the image's grid (same shape and affine).</param>
    /// <param name="classNames">Label value → structure name; every entry is reported, in ascending label order. Label 0 is background and not allowed.</param>
    /// <param name="options">Metric, incomplete masks, extra fields.</param>
    /// <exception cref="GridMismatchException">The label map is not on the image's grid.</exception>
    public static IReadOnlyList<StructureStatistics> Compute(Volume image, Volume labels, IReadOnlyDictionary<int, string> classNames,
        StatisticsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.ContainsKey(0))
        {
            throw new ArgumentException("Label 0 is the background and has no statistics.", nameof(classNames));
        }

        options ??= StatisticsOptions.Default;
        RequireSameGrid(image, "image", labels, "labels");
        var keys = classNames.Keys.Order().ToArray();
        var result = StatisticsEngine.Run(image, labels, keys, binary: false, options);
        double voxelVolume = VoxelVolumeMm3(image, options);
        var list = new StructureStatistics[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            list[i] = Finish(keys[i], classNames[keys[i]], result.Totals[i], result.Medians?[i], voxelVolume, options);
        }

        return list;
    }

    /// <summary>Statistics of one binary mask (every non-zero voxel belongs to the structure), reported with label 1.</summary>
    /// <exception cref="GridMismatchException">The mask is not on the image's grid.</exception>
    public static StructureStatistics ComputeMask(Volume image, Volume mask, string name, StatisticsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(name);
        options ??= StatisticsOptions.Default;
        RequireSameGrid(image, "image", mask, name);
        var result = StatisticsEngine.Run(image, mask, [1], binary: true, options);
        return Finish(1, name, result.Totals[0], result.Medians?[0], VoxelVolumeMm3(image, options), options);
    }

    /// <summary>
    /// Throws unless both volumes have the same shape and affines within <see cref="GridTolerance"/>; the message
    /// names both (pass file paths as names so the user sees which files disagree).
    /// </summary>
    /// <exception cref="GridMismatchException">The grids differ.</exception>
    public static void RequireSameGrid(Volume image, string imageName, Volume labels, string labelsName)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(labels);
        if (image.Shape != labels.Shape)
        {
            throw new GridMismatchException(
                $"{labelsName}: its grid {labels.Shape} is not the grid {image.Shape} of {imageName}; labels must be on the image's voxel grid");
        }

        double difference = image.Affine.MaxAbsDifference(labels.Affine);
        if (!(difference <= GridTolerance))
        {
            throw new GridMismatchException(
                $"{labelsName}: its affine differs from the affine of {imageName} by up to {difference:G4} (more than {GridTolerance}); labels must be on the image's voxel grid");
        }
    }

    /// <summary>The voxel volume TotalSegmentator multiplies by: the float32 product of the zooms (x·y first, then ·z).</summary>
    public static double VoxelVolumeMm3(Volume image, StatisticsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (sx, sy, sz) = options?.VoxelSpacing ?? image.Spacing;
        float v = (float)sx * (float)sy;
        v *= (float)sz;
        return v;
    }

    /// <summary>numpy's <c>round(x, 5)</c> for a float64: <c>rint(x·10⁵) / 10⁵</c> (ties to even, on the scaled value).</summary>
    public static double RoundLikeNumpy(double value, int decimals = 5)
    {
        double scale = Math.Pow(10, decimals);
        return Math.Round(value * scale, MidpointRounding.ToEven) / scale;
    }

    private static StructureStatistics Finish(int label, string name, in StatisticsEngine.Accumulator a, double? median, double voxelVolume,
        StatisticsOptions options)
    {
        bool excluded = a.TouchesBorder && !options.IncludeIncomplete;
        bool measured = !excluded && a.Count > 0;
        double volume = excluded ? 0 : a.Count * voxelVolume;
        double intensity = 0;
        if (measured)
        {
            intensity = RoundLikeNumpy(options.Metric == IntensityMetric.Median ? median!.Value : a.Sum / a.Count);
        }

        ExtraStatistics? extra = null;
        if (options.Extra)
        {
            extra = measured
                ? new ExtraStatistics(
                    a.Count,
                    RoundLikeNumpy(Math.Sqrt(a.SquaredDeviations / a.Count)),
                    RoundLikeNumpy(a.Min),
                    RoundLikeNumpy(a.Max),
                    (RoundLikeNumpy((double)a.SumX / a.Count), RoundLikeNumpy((double)a.SumY / a.Count), RoundLikeNumpy((double)a.SumZ / a.Count)),
                    new ComponentBox(a.MinX, a.MinY, a.MinZ, a.MaxX, a.MaxY, a.MaxZ))
                : new ExtraStatistics(0, 0, 0, 0, null, null);
        }

        return new StructureStatistics(label, name, a.Count, a.TouchesBorder, excluded, volume, intensity, extra);
    }
}

/// <summary>An image and a label map (or mask) that are not on the same voxel grid.</summary>
public class GridMismatchException : SegWebException
{
    public GridMismatchException()
    {
    }

    public GridMismatchException(string message)
        : base(message)
    {
    }

    public GridMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
