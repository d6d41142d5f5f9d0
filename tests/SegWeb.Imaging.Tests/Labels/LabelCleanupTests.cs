using System.Globalization;
using SegWeb.Imaging.Labels;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.Labels;

public class LabelCleanupTests
{
    // A NumPy/scipy re-implementation of TotalSegmentator's keep_largest_blob_multilabel and
    // remove_small_blobs_multilabel (postprocessing.py), with the mm³ → voxel threshold of nnunet.py
    // (np.prod of float32 zooms). argv: folder, sx, sy, sz, min_mm3, structure rank (1 = 6-conn, 3 = 26-conn).
    private const string Reference = """
        import sys, os
        import numpy as np
        from scipy import ndimage
        folder = sys.argv[1]
        zooms = tuple(np.float32(v) for v in sys.argv[2:5])
        min_mm3 = float(sys.argv[5])
        structure = ndimage.generate_binary_structure(3, int(sys.argv[6]))

        def keep_largest_blob(data):
            blob_map, n = ndimage.label(data, structure=structure)
            counts = [np.sum(blob_map == i) for i in range(1, n + 1)]
            if len(counts) == 0:
                return data
            return (blob_map == np.argmax(counts) + 1).astype(np.uint8)

        def remove_small_blobs(img, interval):
            mask, n = ndimage.label(img, structure=structure)
            counts = np.bincount(mask.flatten())
            if len(counts) <= 1:
                return img
            remove = np.where((counts <= interval[0]) | (counts > interval[1]), True, False)
            mask[np.isin(mask, np.nonzero(remove)[0])] = 0
            mask[mask > 0] = 1
            return mask

        def per_label(data, labels, fn):
            for idx in labels:
                roi = data == idx
                cleaned = fn(roi) > 0.5
                data[roi] = 0
                data[cleaned] = idx
            return data

        m = np.load(os.path.join(folder, "map.npy"))
        labels = [int(v) for v in np.unique(m) if v != 0]
        kept = per_label(m.copy(), labels, keep_largest_blob)
        np.save(os.path.join(folder, "largest.npy"), np.asfortranarray(kept))
        vox_vol = np.prod(zooms)
        cleaned = per_label(m.copy(), labels, lambda r: remove_small_blobs(r, [min_mm3 / vox_vol, 1e10]))
        np.save(os.path.join(folder, "small.npy"), np.asfortranarray(cleaned))
        print(repr(float(vox_vol)))
        """;

    [SkippableTheory]
    [InlineData(Connectivity.Six, 10.0)]
    [InlineData(Connectivity.TwentySix, 10.0)]
    [InlineData(Connectivity.Six, 2.275)] // exactly one voxel (0.7·1.3·2.5 mm³ in float32): the "<=" boundary
    public void Keep_largest_and_remove_small_match_TotalSegmentator_on_an_anisotropic_oblique_grid(Connectivity connectivity, double minMm3)
    {
        ReferencePython.Require("numpy", "scipy");
        using var tmp = new TempDirectory("cleanup");
        var affine = RandomVolumes.ObliqueAnisotropic();
        var map = RandomVolumes.LabelMap<byte>(new VolumeShape(37, 29, 13), labelCount: 5, boxes: 120, seed: 11, affine);
        Npy.WriteVolume(tmp.File("map.npy"), map);
        var (sx, sy, sz) = map.Spacing;
        var inv = CultureInfo.InvariantCulture;
        var printed = ReferencePython.Run(Reference, tmp.Path, sx.ToString("R", inv), sy.ToString("R", inv), sz.ToString("R", inv),
            minMm3.ToString("R", inv), connectivity == Connectivity.Six ? "1" : "3");
        Assert.Equal(double.Parse(printed.Trim(), inv), LabelCleanup.VoxelVolumeMm3(map));

        var largest = new Volume<byte>(map.Shape, map.Affine, (byte[])map.Data.Clone());
        long erased = 0;
        for (byte label = 1; label <= 5; label++)
        {
            erased += LabelCleanup.KeepLargestComponent(largest, label, connectivity);
        }

        var expectedLargest = Npy.ReadVolume<byte>(tmp.File("largest.npy")).Data;
        Assert.True(erased > 0, "the random map should have several components per label");
        AssertSameVoxels(expectedLargest, largest.Data, "keep largest");

        var small = new Volume<byte>(map.Shape, map.Affine, (byte[])map.Data.Clone());
        long removed = LabelCleanup.RemoveSmallComponents(small, minMm3, connectivity);
        var expectedSmall = Npy.ReadVolume<byte>(tmp.File("small.npy")).Data;
        Assert.True(removed > 0, "some components should be below the threshold");
        Assert.Contains(small.Data, v => v != 0);
        AssertSameVoxels(expectedSmall, small.Data, "remove small");
    }

    [Fact]
    public void Threshold_uses_the_real_voxel_volume_and_a_label_subset()
    {
        // Two single-voxel blobs of label 1 and 2 and a 3-voxel blob of label 1, on 2 × 2 × 2.5 mm voxels (10 mm³).
        var shape = new VolumeShape(10, 3, 3);
        var map = Volume<short>.Zeros(shape, Geometry.Affine.FromSpacing(2, 2, 2.5));
        map[0, 0, 0] = 1;
        map[5, 1, 1] = 2;
        map[7, 2, 2] = 1;
        map[8, 2, 2] = 1;
        map[9, 2, 2] = 1;

        // 25 mm³ = 2.5 voxels: the single voxels go (when their label is in the subset), the 30 mm³ blob stays.
        var onlyTwo = new Volume<short>(shape, map.Affine, (short[])map.Data.Clone());
        Assert.Equal(1, LabelCleanup.RemoveSmallComponents(onlyTwo, 25, Connectivity.Six, [(short)2]));
        Assert.Equal(0, onlyTwo[5, 1, 1]);
        Assert.Equal(1, onlyTwo[0, 0, 0]);

        Assert.Equal(2, LabelCleanup.RemoveSmallComponents(map, 25));
        Assert.Equal(0, map[0, 0, 0]);
        Assert.Equal(1, map[8, 2, 2]);

        // 30 mm³ is exactly the blob's volume: TotalSegmentator removes "<=" the threshold.
        Assert.Equal(3, LabelCleanup.RemoveSmallComponents(map, 30));
        Assert.All(map.Data, v => Assert.Equal(0, v));
    }

    [Fact]
    public void Keep_largest_breaks_ties_like_scipy_and_leaves_other_labels_alone()
    {
        // Two equal blobs of label 3: scipy meets first the one with the smaller x (C order of the (X,Y,Z) array),
        // even though SegWeb's X-fastest scan meets the other first (smaller z).
        var map = Volume<int>.Zeros(new VolumeShape(6, 2, 3), Geometry.Affine.Identity);
        map[4, 0, 0] = 3;
        map[4, 1, 0] = 3;
        map[1, 0, 2] = 3;
        map[1, 1, 2] = 3;
        map[2, 0, 1] = 7;
        Assert.Equal(2, LabelCleanup.KeepLargestComponent(map, 3));
        Assert.Equal(3, map[1, 0, 2]);
        Assert.Equal(0, map[4, 0, 0]);
        Assert.Equal(7, map[2, 0, 1]);
    }

    [Fact]
    public void A_diagonal_touch_right_after_a_run_of_another_label_joins_in_26_connectivity()
    {
        // Row y=0: label 1 on x 0..2. Row y=1: label 2 on x 1..2, then label 1 at x=3, which touches (2,0) only at a
        // corner. A plain two-pointer sweep over the runs steps past the label-1 run of y=1 and misses that union.
        var map = Volume<byte>.Zeros(new VolumeShape(6, 2, 1), Geometry.Affine.Identity);
        map[0, 0, 0] = map[1, 0, 0] = map[2, 0, 0] = 1;
        map[1, 1, 0] = map[2, 1, 0] = 2;
        map[3, 1, 0] = 1;
        var copy = new Volume<byte>(map.Shape, map.Affine, (byte[])map.Data.Clone());
        Assert.Equal(0, LabelCleanup.RemoveSmallComponents(copy, 3.5, Connectivity.TwentySix, [(byte)1]));
        Assert.Equal(1, copy[3, 1, 0]);
        Assert.Equal(0, LabelCleanup.KeepLargestComponent(copy, (byte)1, Connectivity.TwentySix));
        Assert.Equal(1, LabelCleanup.KeepLargestComponent(map, (byte)1, Connectivity.Six));
        Assert.Equal(0, map[3, 1, 0]);
    }

    private static void AssertSameVoxels(byte[] expected, byte[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int differ = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                differ++;
                first = first < 0 ? i : first;
            }
        }

        Assert.True(differ == 0, $"{what}: {differ} voxels differ, first at {first}");
    }
}
