using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Postprocessing;

namespace SegWeb.Inference.Tests.Postprocessing;

public sealed class TaskPostprocessingTests
{
    private static readonly Dictionary<int, string> Body = new() { [1] = "body_trunc", [2] = "body_extremities" };

    [Fact]
    public void Body_task_keeps_the_largest_trunc_and_drops_extremity_blobs_up_to_50000_mm3()
    {
        // 6 mm voxels (216 mm³): 50 000 mm³ is 231.5 voxels.
        var labels = Volume<byte>.Zeros(new VolumeShape(40, 40, 40), Affine.FromSpacing(6, 6, 6));
        Fill(labels, 1, (0, 0, 0), (10, 10, 10));       // trunc, 1000 voxels: kept
        Fill(labels, 1, (20, 20, 20), (23, 23, 23));    // trunc, 27 voxels: not the largest
        Fill(labels, 2, (30, 0, 0), (36, 6, 6));        // extremity, 216 voxels ≤ 231.5: removed
        Fill(labels, 2, (0, 30, 30), (8, 38, 34));      // extremity, 256 voxels: kept
        var removed = TaskPostprocessing.Apply(labels, Body, "body", removeSmallBlobsMm3: null);

        Assert.Equal(27 + 216, removed);
        Assert.Equal(1000, labels.Data.Count(v => v == 1));
        Assert.Equal(256, labels.Data.Count(v => v == 2));
        Assert.Equal(0, labels[21, 21, 21]);
    }

    [Fact]
    public void Other_tasks_are_untouched_unless_small_blobs_are_asked_for_with_anisotropic_voxels()
    {
        // 0.8 × 0.8 × 5 mm voxels (3.2 mm³): 200 mm³ is 62.5 voxels.
        var labels = Volume<byte>.Zeros(new VolumeShape(30, 30, 10), Affine.FromSpacing(0.8, 0.8, 5));
        Fill(labels, 3, (0, 0, 0), (8, 8, 1));          // 64 voxels: kept
        Fill(labels, 3, (20, 20, 0), (26, 26, 1));      // 36 voxels: removed
        Fill(labels, 5, (10, 0, 2), (12, 31, 3));       // clipped to 2 × 30 = 60 voxels: removed
        var names = new Dictionary<int, string> { [3] = "liver", [5] = "spleen" };
        var copy = (byte[])labels.Data.Clone();

        Assert.Equal(0, TaskPostprocessing.Apply(labels, names, "total", removeSmallBlobsMm3: null));
        Assert.Equal(copy, labels.Data);
        Assert.Equal(36 + 60, TaskPostprocessing.Apply(labels, names, "total", TaskPostprocessing.SmallBlobMm3));
        Assert.Equal(64, labels.Data.Count(v => v != 0));
        Assert.Empty(TaskPostprocessing.KeepLargestFor("total"));
        Assert.Equal(["body_trunc"], TaskPostprocessing.KeepLargestFor("body"));
    }

    private static void Fill(Volume<byte> v, byte label, (int X, int Y, int Z) from, (int X, int Y, int Z) to)
    {
        for (int z = from.Z; z < Math.Min(to.Z, v.Shape.Z); z++)
        {
            for (int y = from.Y; y < Math.Min(to.Y, v.Shape.Y); y++)
            {
                for (int x = from.X; x < Math.Min(to.X, v.Shape.X); x++)
                {
                    v.Data[v.Shape.IndexOf(x, y, z)] = label;
                }
            }
        }
    }
}
