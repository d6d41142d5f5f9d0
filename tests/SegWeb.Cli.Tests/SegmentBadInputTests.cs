using System.Diagnostics;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Cli.Tests;

/// <summary>
/// `segweb segment` on bad input, through the CLI with files made in the test: one line on stderr naming the file,
/// exit 1, and no output folder (nor staging debris) left behind.
/// </summary>
public sealed class SegmentBadInputTests(SegmentDemoModelFixture model) : IClassFixture<SegmentDemoModelFixture>
{
    private static readonly VolumeShape Small = new(40, 40, 12);

    private (int Code, string Stderr) Segment(TempDirectory tmp, string input, params string[] more)
    {
        var (code, stdout, stderr) = TasksCommandTests.Run(["segment", "-i", input, "-o", tmp.File("out"), "--model", model.PackageDirectory, .. more]);
        Assert.Equal(string.Empty, stdout);
        return (code, stderr);
    }

    private static void AssertRefused(TempDirectory tmp, string input, int code, string stderr, string expected)
    {
        Assert.True(code == 1, $"exit {code}: {stderr}");
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith($"segweb: {input}: ", stderr, StringComparison.Ordinal);
        Assert.True(stderr.Contains(expected, StringComparison.Ordinal), $"expected '{expected}' in: {stderr}");
        Assert.False(Directory.Exists(tmp.File("out")));
        Assert.Equal([Path.GetFileName(input)], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName)); // nothing staged left
    }

    [Theory]
    [InlineData("random.nii.gz")]
    [InlineData("random.nii")]
    [InlineData("notes.txt")]
    public void A_file_that_is_not_an_image_is_refused_naming_it(string name)
    {
        using var tmp = new TempDirectory("segment-bad");
        var input = tmp.File(name);
        var bytes = new byte[5000];
        new Random(3).NextBytes(bytes);
        File.WriteAllBytes(input, bytes);

        var (code, stderr) = Segment(tmp, input);

        AssertRefused(tmp, input, code, stderr, "not a NIfTI file");
    }

    [Fact]
    public void A_single_slice_is_refused_as_2d()
    {
        using var tmp = new TempDirectory("segment-bad");
        var input = SegmentTestFiles.Write(tmp.File("slice.nii"), new VolumeShape(64, 64, 1), (1, 1, 3), (x, y, _) => (short)(x + y));

        var (code, stderr) = Segment(tmp, input);

        AssertRefused(tmp, input, code, stderr, "64×64×1, a 2D image");
    }

    [Fact]
    public void A_true_2d_nifti_is_refused_as_2d()
    {
        using var tmp = new TempDirectory("segment-bad");
        var input = SegmentTestFiles.Write(tmp.File("image2d.nii"), new VolumeShape(64, 64, 1), (1, 1, 1), (x, y, _) => (short)(x * y));
        SegmentTestFiles.PatchDims(input, 2);

        var (code, stderr) = Segment(tmp, input);

        AssertRefused(tmp, input, code, stderr, "a 2D image");
    }

    [Fact]
    public void A_4d_image_is_refused()
    {
        using var tmp = new TempDirectory("segment-bad");
        var input = SegmentTestFiles.Write(tmp.File("dynamic.nii"), new VolumeShape(40, 40, 24), (2, 2, 2), (x, y, z) => (short)(x + y + z));
        SegmentTestFiles.PatchDims(input, 4, 40, 40, 12, 2); // same bytes read as 40×40×12 × 2 time points

        var (code, stderr) = Segment(tmp, input);

        AssertRefused(tmp, input, code, stderr, "40×40×12×2, a 4D image");
    }

    [Theory]
    [InlineData(0f, "voxel size 0 ")]
    [InlineData(float.NaN, "voxel size NaN × 3 × 3 mm")]
    [InlineData(1000f, "voxel size 1000 ")]
    [InlineData(0.001f, "voxel size 0.001 ")]
    public void Absurd_voxel_sizes_are_refused(float size, string expected)
    {
        using var tmp = new TempDirectory("segment-bad");
        var input = SegmentTestFiles.Write(tmp.File("spacing.nii"), Small, (3, 3, 3), (x, y, z) => (short)((x * 7) + y - z));
        SegmentTestFiles.PatchXSpacing(input, size);

        var (code, stderr) = Segment(tmp, input);

        AssertRefused(tmp, input, code, stderr, expected);
    }

    [Fact]
    public void A_header_claiming_4000_cubed_voxels_is_refused_before_anything_is_allocated()
    {
        using var tmp = new TempDirectory("segment-bad");
        var input = SegmentTestFiles.Write(tmp.File("huge.nii"), new VolumeShape(4, 4, 4), (1, 1, 1), (x, y, z) => (short)(x + y + z));
        SegmentTestFiles.PatchDims(input, 3, 4000, 4000, 4000);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();

        var (code, stderr) = Segment(tmp, input);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), clock.Elapsed.ToString());
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 64 << 20, "the refusal allocated voxel-sized memory");
        AssertRefused(tmp, input, code, stderr, "4000×4000×4000 voxels");
        Assert.Contains("GiB", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_all_zero_volume_warns_and_writes_its_segmentation_as_totalsegmentator_does()
    {
        // TotalSegmentator has no special case for empty images: it runs and writes what the model predicts.
        using var tmp = new TempDirectory("segment-bad");
        var input = SegmentTestFiles.Write(tmp.File("zeros.nii"), Small, (3, 3, 3), (_, _, _) => 0);
        var output = tmp.File("out");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", input, "-o", output, "--ml", "--model", model.PackageDirectory);

        Assert.True(code == 0, stderr);
        Assert.Contains($"segweb: warning: {input}: every voxel has the same value", stderr, StringComparison.Ordinal);
        var labels = NiftiReader.Read(output + ".nii.gz").Volume;
        Assert.Equal(Small, labels.Shape);
    }

    [SkippableFact]
    public void A_scan_smaller_than_one_patch_is_padded_and_segmented_on_its_own_grid()
    {
        // The demo model's patch is 32×64×64 voxels (network order) at 3 mm; this crop is 20×16×10.
        var ct = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        using var tmp = new TempDirectory("segment-bad");
        var input = SegmentTestFiles.Crop(ct, tmp.File("tiny.nii"), 20, 30, 10, new VolumeShape(20, 16, 10));
        var output = tmp.File("tiny-seg.nii.gz");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", input, "-o", output, "--ml", "-q", "--model", model.PackageDirectory);

        Assert.True(code == 0, stderr);
        var (labels, _) = MultilabelNifti.Read(output);
        var image = NiftiReader.Read(input).Volume;
        Assert.Equal(image.Shape, labels.Volume.Shape);
        Assert.Equal(image.Affine, labels.Volume.Affine);
        // The crop lies in the liver region of example_ct_sm: the model must find foreground there.
        Assert.Contains(Enumerable.Range(0, (int)labels.Volume.Shape.VoxelCount), i => labels.Volume.GetValue(i) != 0);
    }
}
