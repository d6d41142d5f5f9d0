using System.Globalization;
using SegWeb.Imaging.Labels;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.Labels;

public class ConnectedComponentsTests
{
    // Labels every mask_<i>.npy of a folder with scipy's 6- and 26-connectivity structures, in one process.
    private const string ScipyLabelScript = """
        import sys, glob, os
        import numpy as np
        from scipy import ndimage
        folder = sys.argv[1]
        for path in sorted(glob.glob(os.path.join(folder, "mask_*.npy"))):
            m = np.load(path)
            for conn, rank in ((6, 1), (26, 3)):
                lab, n = ndimage.label(m, structure=ndimage.generate_binary_structure(3, rank))
                np.save(path.replace("mask_", f"scipy{conn}_"), np.asfortranarray(lab.astype(np.int32)))
        """;

    private static readonly (VolumeShape Shape, double Density)[] Cases =
    [
        (new VolumeShape(17, 23, 11), 0.1),
        (new VolumeShape(17, 23, 11), 0.3),
        (new VolumeShape(33, 9, 14), 0.5),
        (new VolumeShape(33, 9, 14), 0.7),
        (new VolumeShape(64, 5, 33), 0.25),
        (new VolumeShape(1, 40, 9), 0.5),
        (new VolumeShape(31, 1, 1), 0.5),
        (new VolumeShape(7, 7, 40), 0.9),
        (new VolumeShape(20, 20, 20), 0.0),
        (new VolumeShape(6, 5, 4), 1.0),
    ];

    [SkippableFact]
    public void Partitions_match_scipy_ndimage_label_for_6_and_26_connectivity()
    {
        ReferencePython.Require("numpy", "scipy");
        using var tmp = new TempDirectory("cc");
        var masks = new List<Volume<byte>>();
        for (int i = 0; i < Cases.Length; i++)
        {
            var mask = RandomVolumes.Mask(Cases[i].Shape, Cases[i].Density, seed: 100 + i);
            masks.Add(mask);
            Npy.WriteVolume(tmp.File($"mask_{i:D2}.npy"), mask);
        }

        ReferencePython.Run(ScipyLabelScript, tmp.Path);

        for (int i = 0; i < masks.Count; i++)
        {
            foreach (var connectivity in new[] { Connectivity.Six, Connectivity.TwentySix })
            {
                var ours = ConnectedComponents.LabelMask(masks[i], connectivity);
                var scipy = Npy.ReadVolume<int>(tmp.File($"scipy{(int)connectivity}_{i:D2}.npy"));
                AssertSamePartition(ours, scipy.Data, $"case {i} {Cases[i].Shape} density {Cases[i].Density} {connectivity}");
            }
        }
    }

    [SkippableFact]
    public void One_label_of_a_label_map_matches_scipy_on_that_label()
    {
        ReferencePython.Require("numpy", "scipy");
        using var tmp = new TempDirectory("cc-label");
        var map = RandomVolumes.LabelMap<ushort>(new VolumeShape(40, 31, 17), labelCount: 3, boxes: 60, seed: 7);
        var mask = new Volume<byte>(map.Shape, map.Affine, map.Data.Select(v => v == 2 ? (byte)1 : (byte)0).ToArray());
        Npy.WriteVolume(tmp.File("mask_00.npy"), mask);
        ReferencePython.Run(ScipyLabelScript, tmp.Path);
        foreach (var connectivity in new[] { Connectivity.Six, Connectivity.TwentySix })
        {
            var ours = ConnectedComponents.LabelOf(map, (ushort)2, connectivity);
            var scipy = Npy.ReadVolume<int>(tmp.File($"scipy{(int)connectivity}_00.npy"));
            AssertSamePartition(ours, scipy.Data, $"label 2 {connectivity}");
        }
    }

    [Fact]
    public void Diagonal_neighbours_join_only_with_26_connectivity_and_boxes_are_inclusive()
    {
        var mask = Volume<byte>.Zeros(new VolumeShape(4, 4, 4), Geometry.Affine.Identity);
        mask[0, 0, 0] = 1;
        mask[1, 1, 1] = 1; // corner neighbour of (0,0,0)
        mask[2, 1, 1] = 1; // face neighbour of (1,1,1)
        mask[3, 3, 3] = 1; // touches nothing, even diagonally

        var six = ConnectedComponents.LabelMask(mask, Connectivity.Six);
        Assert.Equal(3, six.Count);
        Assert.Equal([0L, 1L, 2L, 1L], six.VoxelCounts);

        var twentySix = ConnectedComponents.LabelMask(mask, Connectivity.TwentySix);
        Assert.Equal(2, twentySix.Count);
        Assert.Equal(3L, twentySix.VoxelCounts[1]);
        Assert.Equal(new ComponentBox(0, 0, 0, 2, 1, 1), twentySix.Boxes[1]);
        Assert.Equal(new ComponentBox(3, 3, 3, 3, 3, 3), twentySix.Boxes[2]);
        Assert.Equal(twentySix.Ids[0, 0, 0], twentySix.Ids[2, 1, 1]);
        Assert.Equal(0, twentySix.Ids[1, 0, 0]);
    }

    [Fact]
    public void A_u_shape_merges_runs_met_in_different_order()
    {
        // Two arms that start as separate runs and join only at the bottom row: checks the union-find merge.
        var mask = Volume<byte>.Zeros(new VolumeShape(5, 4, 1), Geometry.Affine.Identity);
        for (int y = 0; y < 4; y++)
        {
            mask[0, y, 0] = 1;
            mask[4, y, 0] = 1;
        }

        for (int x = 0; x < 5; x++)
        {
            mask[x, 3, 0] = 1;
        }

        var result = ConnectedComponents.LabelMask(mask, Connectivity.Six);
        Assert.Equal(1, result.Count);
        Assert.Equal(11L, result.VoxelCounts[1]);
    }

    /// <summary>
    /// The same partition: background agrees voxel by voxel, and ids map one-to-one between the two labellings;
    /// component sizes then agree as multisets.
    /// </summary>
    internal static void AssertSamePartition(ComponentLabeling ours, int[] reference, string what)
    {
        var forward = new Dictionary<int, int>();
        var backward = new Dictionary<int, int>();
        var ids = ours.Ids.Data;
        Assert.Equal(reference.Length, ids.Length);
        for (int i = 0; i < ids.Length; i++)
        {
            int a = ids[i], b = reference[i];
            if ((a == 0) != (b == 0))
            {
                Assert.Fail($"{what}: voxel {i} is {(a == 0 ? "background" : "foreground")} for SegWeb but not for scipy");
            }

            if (a == 0)
            {
                continue;
            }

            if (forward.TryGetValue(a, out int mapped) && mapped != b)
            {
                Assert.Fail($"{what}: SegWeb component {a} spans scipy components {mapped} and {b}");
            }

            if (backward.TryGetValue(b, out int back) && back != a)
            {
                Assert.Fail($"{what}: scipy component {b} spans SegWeb components {back} and {a}");
            }

            forward[a] = b;
            backward[b] = a;
        }

        Assert.Equal(reference.Where(v => v != 0).Distinct().Count(), ours.Count);
        var ourSizes = ours.VoxelCounts.Skip(1).Order().ToArray();
        var refSizes = reference.Where(v => v != 0).GroupBy(v => v).Select(g => (long)g.Count()).Order().ToArray();
        Assert.True(ourSizes.SequenceEqual(refSizes), string.Create(CultureInfo.InvariantCulture, $"{what}: component sizes differ"));
    }
}
