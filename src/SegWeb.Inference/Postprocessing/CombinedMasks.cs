using SegWeb.Imaging;
using SegWeb.Imaging.Statistics;
using SegWeb.Imaging.Volumes;
using SegWeb.Models.Catalog;

namespace SegWeb.Inference.Postprocessing;

/// <summary>
/// TotalSegmentator's combined masks (`totalseg_combine_masks -m …`): one binary mask made of several structures, for
/// the groups TotalSegmentator defines: both lungs or one from their lobes, all ribs, all vertebrae (with the sacrum:
/// the classes of `total`'s vertebrae part), vertebrae and ribs, the pelvis (femurs and hips) and the body (trunk and
/// extremities of the `body` task). A voxel is in the result when it is in any member (a mask value above 0.5, as
/// TotalSegmentator tests them); the result is uint8 0/1 on the members' grid.
/// </summary>
public static class CombinedMasks
{
    /// <summary>The group names, as TotalSegmentator's -m spells them.</summary>
    public static readonly IReadOnlyList<string> Groups = ["lung", "lung_left", "lung_right", "ribs", "vertebrae", "vertebrae_ribs", "pelvis", "body"];

    /// <summary>The structures of <paramref name="group"/>, in TotalSegmentator's order.</summary>
    /// <exception cref="SegWebException">An unknown group, or a catalogue without `total`'s vertebrae part.</exception>
    public static IReadOnlyList<string> Members(string group, TaskCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(catalog);
        string[] leftLung = ["lung_upper_lobe_left", "lung_lower_lobe_left"];
        string[] rightLung = ["lung_upper_lobe_right", "lung_middle_lobe_right", "lung_lower_lobe_right"];
        string[] ribs = [.. Enumerable.Range(1, 12).Select(i => $"rib_left_{i}"), .. Enumerable.Range(1, 12).Select(i => $"rib_right_{i}")];
        return group switch
        {
            "lung" => [.. leftLung, .. rightLung],
            "lung_left" => leftLung,
            "lung_right" => rightLung,
            "ribs" => ribs,
            "vertebrae" => Vertebrae(catalog),
            "vertebrae_ribs" => [.. Vertebrae(catalog), .. ribs],
            "pelvis" => ["femur_left", "femur_right", "hip_left", "hip_right"],
            "body" => ["body_trunc", "body_extremities"],
            _ => throw new SegWebException($"unknown mask group '{group}' (expected {string.Join(", ", Groups)})"),
        };
    }

    /// <summary>The union of binary masks; every mask must lie on the first one's grid (<paramref name="masks"/>: name for messages, volume).</summary>
    /// <exception cref="SegWebException">No masks, or a mask on another grid (named).</exception>
    public static Volume<byte> Union(IEnumerable<(string Name, Func<Volume> Load)> masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        Volume<byte>? result = null;
        string? first = null;
        foreach (var (name, load) in masks)
        {
            var mask = load();
            if (result is null)
            {
                result = new Volume<byte>(mask.Shape, mask.Affine, new byte[mask.Shape.VoxelCount]);
                first = name;
            }
            else
            {
                LabelStatistics.RequireSameGrid(result, first!, mask, name);
            }

            var data = result.Data;
            for (long i = 0; i < data.LongLength; i++)
            {
                if (data[i] == 0 && mask.GetValue(i) > 0.5)
                {
                    data[i] = 1;
                }
            }
        }

        return result ?? throw new SegWebException("no masks to combine");
    }

    /// <summary>The voxels of a label map whose label is one of <paramref name="labels"/>, as a 0/1 mask on its grid.</summary>
    public static Volume<byte> FromLabelMap(Volume labelMap, IReadOnlySet<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labelMap);
        ArgumentNullException.ThrowIfNull(labels);
        var data = new byte[labelMap.Shape.VoxelCount];
        for (long i = 0; i < data.LongLength; i++)
        {
            double value = labelMap.GetValue(i);
            if (value == Math.Round(value) && labels.Contains((int)value))
            {
                data[i] = 1;
            }
        }

        return new Volume<byte>(labelMap.Shape, labelMap.Affine, data);
    }

    private static string[] Vertebrae(TaskCatalog catalog)
    {
        var part = catalog.Find("total")?.Variants.FirstOrDefault(v => v.Name == "default")?.Models
            .FirstOrDefault(m => m.ModelName.Contains("vertebrae", StringComparison.Ordinal));
        return part?.Labels is { Count: > 0 } labels
            ? [.. labels.Where(l => l.Local != 0).OrderBy(l => l.Local).Select(l => l.Name)]
            : throw new SegWebException("the task catalogue has no vertebrae part of 'total' to take the vertebrae from");
    }
}
