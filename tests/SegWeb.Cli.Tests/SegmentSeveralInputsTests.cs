using System.Text.Json;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Cli.Tests;

/// <summary>Several -i in one `segweb segment` call: one folder per input, the model loaded once, all or nothing.</summary>
public sealed class SegmentSeveralInputsTests(SegmentDemoModelFixture model) : IClassFixture<SegmentDemoModelFixture>
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";

    [SkippableFact]
    public void Each_input_gets_its_own_folder_and_the_onnx_session_is_created_once_for_all()
    {
        var ct = TestData.Require(Ct);
        using var tmp = new TempDirectory("segment-many");
        var a = tmp.File("a.nii.gz");
        File.Copy(ct, a);
        var b = SegmentTestFiles.Crop(ct, tmp.File("b.nii"), 10, 10, 5, new VolumeShape(100, 80, 20));
        var output = tmp.File("out");
        var report = tmp.File("run.json");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", a, "-i", b, "-o", output, "-s", "--report", report, "--model", model.PackageDirectory);

        Assert.True(code == 0, stderr);
        Assert.Contains("segweb: [1/2 a] predict 100%", stderr, StringComparison.Ordinal);
        Assert.Contains("segweb: [2/2 b] predict 100%", stderr, StringComparison.Ordinal);
        Assert.Equal(["a", "b"], Directory.GetFileSystemEntries(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([Path.GetFileName(a), Path.GetFileName(b), "out", "run.json"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var (name, input) in new[] { ("a", a), ("b", b) })
        {
            var folder = Path.Combine(output, name);
            Assert.Equal(8, Directory.GetFiles(folder).Length); // 7 masks + statistics.json
            var mask = NiftiReader.Read(Path.Combine(folder, "liver.nii.gz")).Volume;
            var image = NiftiReader.Read(input).Volume;
            Assert.Equal(image.Shape, mask.Shape);
            Assert.Equal(image.Affine, mask.Affine);
        }

        // The report counts the ONNX sessions the one pipeline created: one per ONNX file, not one per input.
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var root = json.RootElement;
        int onnxFiles = root.GetProperty("model").GetProperty("parts").EnumerateArray().Sum(p => p.GetProperty("files").GetArrayLength());
        Assert.Equal(1, onnxFiles);
        Assert.Equal(onnxFiles, root.GetProperty("onnx_sessions_created").GetInt32());
        Assert.Equal(2, root.GetProperty("inputs").GetArrayLength());
        Assert.Equal([100, 80, 20], root.GetProperty("inputs")[1].GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var outputsOfB = root.GetProperty("inputs")[1].GetProperty("outputs").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(8, outputsOfB.Count);
        Assert.All(outputsOfB, p => Assert.True(File.Exists(p) && p.StartsWith(Path.Combine(output, "b"), StringComparison.Ordinal), p));
    }

    [SkippableFact]
    public void With_ml_each_input_folder_holds_segmentations_nii_gz_and_the_preview()
    {
        var ct = TestData.Require(Ct);
        using var tmp = new TempDirectory("segment-many");
        var scans = Directory.CreateDirectory(tmp.File("scans")).FullName;
        var first = SegmentTestFiles.Crop(ct, Path.Combine(scans, "first.nii"), 0, 0, 0, new VolumeShape(122, 101, 20));
        var second = SegmentTestFiles.Crop(ct, Path.Combine(scans, "second.nii"), 0, 0, 10, new VolumeShape(122, 101, 20));
        var output = tmp.File("results");
        Directory.CreateDirectory(Path.Combine(output, "first"));
        File.WriteAllText(Path.Combine(output, "first", "keep.txt"), "a file already there stays");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", first, "-i", second, "-o", output, "--ml", "-p", "-q", "--model", model.PackageDirectory);

        Assert.True(code == 0, stderr);
        Assert.Equal(string.Empty, stderr);
        Assert.Equal(["keep.txt", "preview_Dataset900_SegWebDemo.png", "segmentations.nii.gz"],
            Directory.GetFiles(Path.Combine(output, "first")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["preview_Dataset900_SegWebDemo.png", "segmentations.nii.gz"],
            Directory.GetFiles(Path.Combine(output, "second")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var (labels, names) = MultilabelNifti.Read(Path.Combine(output, "second", "segmentations.nii.gz"));
        Assert.Equal(7, names.Count);
        Assert.Equal(new VolumeShape(122, 101, 20), labels.Volume.Shape);
        Assert.Empty(Directory.GetDirectories(tmp.Path, ".segweb*"));
    }

    [SkippableFact]
    public void A_failure_on_the_last_input_leaves_no_output_folder_and_no_staging()
    {
        var ct = TestData.Require(Ct);
        using var tmp = new TempDirectory("segment-many");
        var good = tmp.File("good.nii.gz");
        File.Copy(ct, good);
        // Its header is fine; only reading its voxels (after the first scan was segmented and staged) fails.
        var bad = SegmentTestFiles.Write(tmp.File("bad.nii.gz"), new VolumeShape(40, 40, 10), (3, 3, 3), (x, y, z) => (short)((x * 31) ^ (y * 17) ^ z));
        var bytes = File.ReadAllBytes(bad);
        File.WriteAllBytes(bad, bytes[..(bytes.Length / 2)]);
        var output = Path.Combine(tmp.Path, "nested", "out");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", good, "-i", bad, "-o", output, "--model", model.PackageDirectory, "--report", tmp.File("run.json"));

        Assert.Equal(1, code);
        Assert.Contains("[1/2 good] predict 100%", stderr, StringComparison.Ordinal);
        var last = stderr.TrimEnd().Split('\n')[^1];
        Assert.StartsWith($"segweb: {bad}: ", last, StringComparison.Ordinal);
        Assert.Equal(["bad.nii.gz", "good.nii.gz"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_bad_header_among_several_inputs_fails_before_any_work()
    {
        using var tmp = new TempDirectory("segment-many");
        var fine = SegmentTestFiles.Write(tmp.File("fine.nii"), new VolumeShape(40, 40, 10), (3, 3, 3), (x, y, z) => (short)(x + y + z));
        var text = tmp.File("text.nii.gz");
        File.WriteAllText(text, "not an image, certainly not a NIfTI one, whatever its name says");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", fine, "-i", text, "-o", tmp.File("out"), "--model", model.PackageDirectory);

        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith($"segweb: {text}: not a NIfTI file", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("out")));
    }

    [Fact]
    public void An_absurd_voxel_size_in_the_last_header_fails_before_any_work()
    {
        using var tmp = new TempDirectory("segment-many");
        var fine = SegmentTestFiles.Write(tmp.File("fine.nii"), new VolumeShape(40, 40, 10), (3, 3, 3), (x, y, z) => (short)(x + y + z));
        var bad = SegmentTestFiles.Write(tmp.File("bad.nii"), new VolumeShape(40, 40, 10), (3, 3, 3), (x, y, z) => (short)(x - y + z));
        SegmentTestFiles.PatchXSpacing(bad, 1000);

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", fine, "-i", bad, "-o", tmp.File("out"), "--model", model.PackageDirectory);

        Assert.Equal(1, code);
        Assert.Equal($"segweb: {bad}: voxel size 1000 × 3 × 3 mm is outside 0.01–50 mm; the image's affine is unusable for segmentation", stderr.Trim());
        Assert.False(Directory.Exists(tmp.File("out")));
    }

    [Fact]
    public void Several_inputs_need_a_folder_not_a_nifti_file_name()
    {
        using var tmp = new TempDirectory("segment-many");
        var one = SegmentTestFiles.Write(tmp.File("one.nii"), new VolumeShape(8, 8, 8), (3, 3, 3), (x, _, _) => (short)x);
        var two = SegmentTestFiles.Write(tmp.File("two.nii"), new VolumeShape(8, 8, 8), (3, 3, 3), (x, _, _) => (short)x);
        var output = tmp.File("all.nii.gz");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", one, "-i", two, "-o", output, "--ml", "--model", model.PackageDirectory);

        Assert.Equal(1, code);
        Assert.Equal($"segweb: -o {output}: with several inputs -o is a folder (one subfolder per input), not a .nii/.nii.gz file", stderr.Trim());
        Assert.False(Directory.Exists(output) || File.Exists(output));
    }

    [Fact]
    public void Two_inputs_that_would_share_a_folder_are_refused()
    {
        using var tmp = new TempDirectory("segment-many");
        var one = SegmentTestFiles.Write(Path.Combine(Directory.CreateDirectory(tmp.File("x")).FullName, "ct.nii"), new VolumeShape(8, 8, 8), (3, 3, 3), (x, _, _) => (short)x);
        var two = SegmentTestFiles.Write(Path.Combine(Directory.CreateDirectory(tmp.File("y")).FullName, "ct.nii"), new VolumeShape(8, 8, 8), (3, 3, 3), (x, _, _) => (short)x);

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", one, "-i", two, "-o", tmp.File("out"), "--model", model.PackageDirectory);

        Assert.Equal(1, code);
        Assert.Contains($"{two}: its output folder 'ct' is the same as that of {one}", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("out")));
    }
}
