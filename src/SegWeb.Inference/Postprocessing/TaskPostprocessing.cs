using SegWeb.Imaging.Labels;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Inference.Postprocessing;

/// <summary>
/// TotalSegmentator's post-processing of a predicted label map, run (as TotalSegmentator runs it) on the labels at the
/// model's spacing, before they are resampled back to the input grid. Connectivity is scipy.ndimage.label's default
/// (6-connected), sizes in mm³ use the voxel volume of that grid.
/// </summary>
/// <remarks>
/// Facts from TotalSegmentator (totalsegmentator/nnunet.py, nnUNet_predict_image):
/// <list type="bullet">
/// <item><c>--remove_small_blobs</c>: every class of the task, components of at most 200 mm³ removed.</item>
/// <item>Task <c>body</c>, always: keep the largest component of <c>body_trunc</c>; remove
/// components of <c>body_extremities</c> of at most 50 000 mm³.</item>
/// </list>
/// TotalSegmentator keeps the largest component for no other class. Derived masks (TotalSegmentator's optional
/// combined structures) are not produced.
/// </remarks>
public static class TaskPostprocessing
{
    /// <summary>TotalSegmentator's <c>--remove_small_blobs</c> threshold (mm³).</summary>
    public const double SmallBlobMm3 = 200;

    /// <summary>TotalSegmentator's threshold for <c>body_extremities</c> blobs in the <c>body</c> task (mm³).</summary>
    public const double BodyExtremitiesMm3 = 50_000;

    /// <summary>
    /// The task's fixed rules (<see cref="KeepLargestFor"/>, body extremities), then, when
    /// <paramref name="removeSmallBlobsMm3"/> is set, removal of components of at most that volume for every class.
    /// </summary>
    /// <returns>The number of voxels set to background.</returns>
    public static long Apply(Volume<byte> labels, IReadOnlyDictionary<int, string> classNames, string? task, double? removeSmallBlobsMm3, bool taskRules = true)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        long removed = 0;
        if (taskRules && IsBodyTask(task))
        {
            foreach (var id in Ids(classNames, KeepLargestFor(task)))
            {
                removed += LabelCleanup.KeepLargestComponent(labels, id);
            }

            var extremities = Ids(classNames, ["body_extremities"]);
            if (extremities.Count > 0)
            {
                removed += LabelCleanup.RemoveSmallComponents(labels, BodyExtremitiesMm3, onlyLabels: extremities);
            }
        }

        if (removeSmallBlobsMm3 is double mm3)
        {
            removed += LabelCleanup.RemoveSmallComponents(labels, mm3, onlyLabels: classNames.Keys.Select(k => (byte)k).ToList());
        }

        return removed;
    }

    /// <summary>The classes TotalSegmentator keeps only the largest component of, for <paramref name="task"/> (empty for most tasks).</summary>
    public static IReadOnlyList<string> KeepLargestFor(string? task) => IsBodyTask(task) ? ["body_trunc"] : [];

    private static bool IsBodyTask(string? task) => task is "body";

    private static List<byte> Ids(IReadOnlyDictionary<int, string> classNames, IReadOnlyList<string> names) =>
        classNames.Where(c => names.Contains(c.Value)).Select(c => (byte)c.Key).ToList();
}
