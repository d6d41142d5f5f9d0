using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Cli.Tests;

/// <summary>`segweb combine-masks` (TotalSegmentator's totalseg_combine_masks) on TotalSegmentator's own output, checked against nibabel.</summary>
public sealed class CombineMasksCommandTests
{
    private const string Folder = "totalsegmentator/example_seg_fast";

    [SkippableTheory]
    [InlineData("lung", 5)]
    [InlineData("lung_left", 2)]
    [InlineData("lung_right", 3)]
    [InlineData("ribs", 24)]
    [InlineData("vertebrae", 26)]
    [InlineData("vertebrae_ribs", 50)]
    [InlineData("pelvis", 4)]
    public void A_segmentation_folder_combines_like_nibabel_over_the_same_masks(string group, int members)
    {
        var folder = TestData.Require(Folder);
        ReferencePython.Require("nibabel", "numpy");
        using var tmp = new TempDirectory("combine");
        var output = tmp.File($"{group}.nii.gz");

        var (code, stdout, stderr) = TasksCommandTests.Run("combine-masks", "-i", folder, "-o", output, "-m", group);

        Assert.True(code == 0, stderr);
        Assert.Contains($"{members} structures combined", stdout, StringComparison.Ordinal);
        var names = Inference.Postprocessing.CombinedMasks.Members(group, Models.Catalog.TaskCatalog.LoadEmbedded());
        Assert.Equal(members, names.Count);

        // The independent reference: nibabel loads each member, a voxel is inside when any is above 0.5.
        ReferencePython.Run(
            """
            import sys, numpy as np, nibabel as nib
            folder, out, names = sys.argv[1], sys.argv[2], sys.argv[3].split(',')
            first = nib.load(f"{folder}/{names[0]}.nii.gz")
            union = np.zeros(first.shape, dtype=np.uint8)
            for n in names:
                union[nib.load(f"{folder}/{n}.nii.gz").get_fdata() > 0.5] = 1
            written = nib.load(out)
            assert written.get_data_dtype() == np.uint8, written.get_data_dtype()
            assert np.array_equal(np.asanyarray(written.dataobj), union), "voxels differ"
            assert np.allclose(written.affine, first.affine, atol=1e-5), (written.affine, first.affine)
            print(int(union.sum()))
            """, folder, output, string.Join(',', names));
        Assert.Single(Directory.GetFiles(tmp.Path));
    }

    [SkippableFact]
    public void A_multilabel_file_gives_the_same_mask_as_the_folder()
    {
        var folder = TestData.Require(Folder);
        var multilabel = TestData.Require("totalsegmentator/example_seg_fast.nii.gz");
        using var tmp = new TempDirectory("combine");

        Assert.Equal(0, TasksCommandTests.Run("combine-masks", "-i", folder, "-o", tmp.File("a.nii.gz"), "-m", "lung").Code);
        var (code, _, stderr) = TasksCommandTests.Run("combine-masks", "-i", multilabel, "-o", tmp.File("b.nii.gz"), "-m", "lung");

        Assert.True(code == 0, stderr);
        var a = NiftiReader.Read(tmp.File("a.nii.gz"));
        var b = NiftiReader.Read(tmp.File("b.nii.gz"));
        Assert.Equal(((Volume<byte>)a.Volume).Data, ((Volume<byte>)b.Volume).Data);
        Assert.True(a.Volume.Affine.MaxAbsDifference(b.Volume.Affine) < 1e-5);
        Assert.Contains(((Volume<byte>)b.Volume).Data, v => v == 1);
        // A binary mask does not carry the 117-class label table of the file it came from.
        Assert.Empty(b.Header.Extensions);
    }

    [Fact]
    public void Oblique_flipped_masks_keep_their_grid_and_a_mask_on_another_grid_is_refused()
    {
        using var tmp = new TempDirectory("combine");
        var folder = Directory.CreateDirectory(tmp.File("seg")).FullName;
        // LPS-like, oblique, anisotropic, with a flipped axis: the combined mask must keep exactly this affine.
        var affine = new Affine([-0.8, 0.1, 0, 100, 0.05, -0.9, 0.2, 80, 0, -0.15, 2.5, -40, 0, 0, 0, 1]);
        var shape = new VolumeShape(6, 5, 4);
        Write(folder, "lung_upper_lobe_left", shape, affine, i => i % 7 == 0);
        Write(folder, "lung_lower_lobe_left", shape, affine, i => i % 5 == 0);

        var (code, _, stderr) = TasksCommandTests.Run("combine-masks", "-i", folder, "-o", tmp.File("left.nii"), "-m", "lung_left");

        Assert.True(code == 0, stderr);
        var written = NiftiReader.Read(tmp.File("left.nii")).Volume;
        Assert.True(written.Affine.MaxAbsDifference(affine) < 1e-5, "the affine changed");
        var data = ((Volume<byte>)written).Data;
        for (int i = 0; i < data.Length; i++)
        {
            Assert.Equal(i % 7 == 0 || i % 5 == 0 ? 1 : 0, data[i]);
        }

        Write(folder, "lung_lower_lobe_left", new VolumeShape(6, 5, 3), affine, _ => true);
        (code, _, stderr) = TasksCommandTests.Run("combine-masks", "-i", folder, "-o", tmp.File("bad.nii.gz"), "-m", "lung_left");
        Assert.NotEqual(0, code);
        Assert.Contains("lung_lower_lobe_left.nii.gz", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(tmp.File("bad.nii.gz")));
    }

    [Fact]
    public void Missing_members_unknown_groups_and_unnamed_label_maps_are_clear_errors_that_write_nothing()
    {
        using var tmp = new TempDirectory("combine");
        var folder = Directory.CreateDirectory(tmp.File("seg")).FullName;
        Write(folder, "lung_upper_lobe_left", new VolumeShape(3, 3, 3), Affine.Identity, _ => true);

        var (code, _, stderr) = TasksCommandTests.Run("combine-masks", "-i", folder, "-o", tmp.File("out.nii.gz"), "-m", "lung");
        Assert.NotEqual(0, code);
        Assert.Contains("lung_lower_lobe_left.nii.gz", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("lung_upper_lobe_left.nii.gz", stderr, StringComparison.Ordinal);

        (code, _, stderr) = TasksCommandTests.Run("combine-masks", "-i", folder, "-o", tmp.File("out.nii.gz"), "-m", "kidneys");
        Assert.NotEqual(0, code);
        Assert.Contains("kidneys", stderr, StringComparison.Ordinal);

        NiftiWriter.Write(tmp.File("unnamed.nii.gz"), new Volume<byte>(new VolumeShape(3, 3, 3), Affine.Identity, new byte[27]));
        (code, _, stderr) = TasksCommandTests.Run("combine-masks", "-i", tmp.File("unnamed.nii.gz"), "-o", tmp.File("out.nii.gz"), "-m", "lung");
        Assert.NotEqual(0, code);
        Assert.Contains("label table", stderr, StringComparison.Ordinal);

        (code, _, stderr) = TasksCommandTests.Run("combine-masks", "-i", folder, "-o", tmp.File("out.png"), "-m", "lung_left");
        Assert.NotEqual(0, code);
        Assert.Contains(".nii", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(tmp.File("out.nii.gz")));
        Assert.False(File.Exists(tmp.File("out.png")));
    }

    private static void Write(string folder, string name, VolumeShape shape, Affine affine, Func<int, bool> inside)
    {
        var data = new byte[shape.VoxelCount];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = inside(i) ? (byte)1 : (byte)0;
        }

        NiftiWriter.Write(Path.Combine(folder, name + ".nii.gz"), new Volume<byte>(shape, affine, data));
    }
}
