using System.Globalization;
using System.Text.Json;
using SegWeb.Imaging.Nifti;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Tests;

/// <summary>The committed demo model imported once into a temporary models folder for `segweb segment`.</summary>
public sealed class SegmentDemoModelFixture : IDisposable
{
    private readonly TempDirectory _temp = new("segment-model");

    public SegmentDemoModelFixture()
    {
        PackageDirectory = NnUNetImporter.Import(Path.Combine(RepoPaths.Root, "models", "segweb-demo-nnunet"), _temp.File("segweb-demo")).Directory;
    }

    public string PackageDirectory { get; }

    public void Dispose() => _temp.Dispose();
}

/// <summary>`segweb segment` end to end with the demo model: outputs, layout, statistics, refusals.</summary>
public sealed class SegmentCommandTests(SegmentDemoModelFixture model) : IClassFixture<SegmentDemoModelFixture>
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";

    [SkippableFact]
    public void Skip_saving_writes_the_statistics_and_no_segmentation_and_refuses_dicom_seg()
    {
        var ctPath = TestData.Require(Ct);
        using var tmp = new TempDirectory("segment-skip");

        // TotalSegmentator's -ss, with its -v and -ndm accepted alongside.
        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("folder"), "-s", "-ss", "-v", "-ndm", "--model", model.PackageDirectory, "-q");
        Assert.True(code == 0, stderr);
        Assert.Equal(["statistics.json"], Directory.GetFiles(tmp.File("folder")).Select(Path.GetFileName));

        (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("ml/seg.nii.gz"), "--ml", "-s", "-ss", "--model", model.PackageDirectory, "-q");
        Assert.True(code == 0, stderr);
        Assert.Equal(["statistics.json"], Directory.GetFiles(tmp.File("ml")).Select(Path.GetFileName));

        // The statistics are those of the full run.
        (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("full"), "-s", "--model", model.PackageDirectory, "-q");
        Assert.True(code == 0, stderr);
        Assert.Equal(File.ReadAllText(tmp.File("full/statistics.json")), File.ReadAllText(tmp.File("folder/statistics.json")));
        Assert.True(Directory.GetFiles(tmp.File("full")).Length > 1);

        (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("seg"), "-ss", "-ot", "dicom_seg", "--model", model.PackageDirectory);
        Assert.Equal(1, code);
        Assert.Contains("--skip_saving", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("seg")));
    }

    [SkippableFact]
    public void Multilabel_output_is_on_the_input_grid_with_the_models_label_names_and_statistics_beside_it()
    {
        var ctPath = TestData.Require(Ct);
        ReferencePython.Require("nibabel", "numpy");
        using var tmp = new TempDirectory("segment-cli");
        var output = Path.Combine(tmp.Path, "result", "seg.nii.gz");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", output, "--ml", "--statistics", "-sii", "--model", model.PackageDirectory);

        Assert.True(code == 0, stderr);
        Assert.Contains("predict 100%", stderr, StringComparison.Ordinal);
        Assert.Equal(["seg.nii.gz", "statistics.json"], Directory.GetFiles(Path.GetDirectoryName(output)!).Select(Path.GetFileName).Order());
        Assert.DoesNotContain(Directory.GetDirectories(tmp.Path), d => Path.GetFileName(d).StartsWith('.'));
        var (image, names) = MultilabelNifti.Read(output);
        var manifest = ModelPackage.Load(model.PackageDirectory).Manifest;
        Assert.Equal(manifest.Classes.Where(c => c.Key != 0).Select(c => (c.Key, c.Value.Name)), names.OrderBy(n => n.Key).Select(n => (n.Key, n.Value)));

        // nibabel, independently: same shape and affine as the input, labels within the model's ids, and the
        // statistics (voxels × voxel volume, mean HU inside) of every class.
        const string script = """
            import json, sys
            import nibabel as nib, numpy as np
            ct = nib.load(sys.argv[1]); seg = nib.load(sys.argv[2])
            assert ct.shape == seg.shape, (ct.shape, seg.shape)
            assert np.allclose(ct.affine, seg.affine, atol=1e-6), (ct.affine, seg.affine)
            labels = np.asarray(seg.dataobj); data = ct.get_fdata()
            stats = json.load(open(sys.argv[3]))
            vox = float(np.prod(ct.header.get_zooms()))
            assert set(np.unique(labels)) <= set(range(8)), np.unique(labels)
            for key, name in json.loads(sys.argv[4]).items():
                m = labels == int(key)
                assert m.sum() > 0, name
                assert abs(stats[name]["volume"] - m.sum() * vox) < 1e-3, (name, stats[name], m.sum() * vox)
                assert abs(stats[name]["intensity"] - data[m].mean()) < 1e-3, (name, stats[name], data[m].mean())
            print("ok", len(stats))
            """;
        var classes = JsonSerializer.Serialize(names.ToDictionary(n => n.Key.ToString(CultureInfo.InvariantCulture), n => n.Value));
        Assert.Equal("ok 7", ReferencePython.Run(script, ctPath, output, Path.Combine(Path.GetDirectoryName(output)!, "statistics.json"), classes).Trim());
        Assert.Equal(image.Volume.Shape, NiftiReader.Read(ctPath).Volume.Shape);
    }

    [SkippableFact]
    public void Folder_output_has_one_binary_mask_per_class_matching_the_multilabel_result()
    {
        var ctPath = TestData.Require(Ct);
        using var tmp = new TempDirectory("segment-cli");
        var folder = tmp.File("masks");
        var ml = tmp.File("all.nii.gz");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", folder, "--model", model.PackageDirectory, "--quiet");
        Assert.True(code == 0, stderr);
        Assert.Equal(string.Empty, stderr);
        (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", ml, "--ml", "--model", model.PackageDirectory, "-q");
        Assert.True(code == 0, stderr);

        var (labels, names) = MultilabelNifti.Read(ml);
        Assert.Equal(names.Values.Select(n => n + ".nii.gz").Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        foreach (var (id, name) in names)
        {
            var mask = NiftiReader.Read(Path.Combine(folder, name + ".nii.gz")).Volume;
            Assert.Equal(labels.Volume.Affine, mask.Affine);
            long count = 0;
            for (long i = 0; i < mask.Shape.VoxelCount; i++)
            {
                bool inMask = mask.GetValue(i) == 1;
                Assert.Equal((int)labels.Volume.GetValue(i) == id, inMask);
                count += inMask ? 1 : 0;
            }

            Assert.True(count > 100, $"{name}: {count} voxels");
        }
    }

    [SkippableFact]
    public void Ml_output_without_a_nifti_suffix_gets_one_as_totalsegmentator_writes_a_file()
    {
        var ctPath = TestData.Require(Ct);
        using var tmp = new TempDirectory("segment-cli");
        var output = tmp.File("out");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", output, "--ml", "-s", "--model", model.PackageDirectory);

        Assert.True(code == 0, stderr);
        Assert.Contains("writing " + output + ".nii.gz", stderr, StringComparison.Ordinal);
        Assert.Equal(["out.nii.gz", "statistics.json"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName).Order());
        using var stats = JsonDocument.Parse(File.ReadAllText(tmp.File("statistics.json")));
        Assert.Equal(7, stats.RootElement.EnumerateObject().Count());
    }

    [Theory]
    [InlineData("text")]
    [InlineData("missing")]
    public void Bad_input_is_one_line_exit_1_and_no_output_folder(string kind)
    {
        using var tmp = new TempDirectory("segment-cli");
        var input = tmp.File("scan.nii.gz");
        if (kind == "text")
        {
            File.WriteAllText(input, "not an image at all\n");
        }

        var output = tmp.File("out");
        var (code, stdout, stderr) = TasksCommandTests.Run("segment", "-i", input, "-o", output, "--model", model.PackageDirectory);

        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains(input, stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout);
        Assert.False(Directory.Exists(output));
        Assert.Equal(kind == "text" ? 1 : 0, Directory.GetFileSystemEntries(tmp.Path).Length); // nothing staged left behind
    }

    [Theory]
    [InlineData("-ot", "dicom_rtstruct")]
    public void Flags_not_implemented_yet_fail_clearly_and_write_nothing(params string[] flag)
    {
        using var tmp = new TempDirectory("segment-cli");
        var output = tmp.File("out");
        string[] args = ["segment", "-i", "whatever.nii.gz", "-o", output, .. flag];
        if (flag[0] != "--task")
        {
            args = [.. args, "--model", model.PackageDirectory];
        }
        else
        {
            args = [.. args, "--models-dir", tmp.File("no-models")];
        }

        var (code, _, stderr) = TasksCommandTests.Run(args);

        Assert.Equal(1, code);
        Assert.Contains("not implemented yet", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("cpu", "Cpu", 0)]
    [InlineData("gpu", "Cuda", 0)]
    [InlineData("gpu:1", "Cuda", 1)]
    [InlineData("auto", "Auto", 0)]
    public void Device_words_follow_totalsegmentator(string word, string provider, int id)
    {
        var (kind, device) = Commands.SegmentCommand.ParseDevice(word);
        Assert.Equal(provider, kind.ToString());
        Assert.Equal(id, device);
    }
}
