using SegWeb.Imaging.Nifti;
using SegWeb.Models.Catalog;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Tests;

/// <summary>
/// `segweb segment` with TotalSegmentator's task flags: --task/--fast/--fastest resolved to installed packages,
/// --roi_subset (6 mm crop pass, only the requested classes written), a task's own crop (liver_vessels inside the liver),
/// --body_seg, --force_split, --remove_small_blobs.
/// The "installed" TotalSegmentator models here are the demo network under the catalogue's folder names.
/// </summary>
public sealed class SegmentTaskOptionsTests(SegmentDemoModelFixture model) : IClassFixture<SegmentDemoModelFixture>
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";
    private static readonly TaskCatalog Catalog = TaskCatalog.LoadEmbedded();

    [SkippableFact]
    public void Task_fast_runs_the_installed_3mm_model_and_fastest_without_it_names_the_install_command()
    {
        var ctPath = TestData.Require(Ct);
        using var tmp = new TempDirectory("segment-fast");
        var models = tmp.File("models");
        Install(models, Catalog.Resolve("total", fast: true).Models.Single().ModelName);

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("out"), "--task", "total", "--fast", "--models-dir", models, "-q");
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(tmp.File("out"), "liver.nii.gz")));

        (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("out2"), "--task", "total", "--fastest", "--models-dir", models);
        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("segweb models install total --fastest", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("out2")));

        (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("out3"), "--model", model.PackageDirectory, "--fast");
        Assert.Equal(1, code);
        Assert.Contains("--task", stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Roi_subset_crops_with_the_6mm_model_and_writes_only_the_requested_classes()
    {
        var ctPath = TestData.Require(Ct);
        using var tmp = new TempDirectory("segment-roi");
        var models = tmp.File("models");
        Install(models, Catalog.Resolve("total", fast: true).Models.Single().ModelName);

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("out"), "--task", "total", "--fast",
            "--roi_subset", "liver", "spleen", "--models-dir", models);
        Assert.Equal(1, code);
        Assert.Contains("segweb models install total --fastest", stderr, StringComparison.Ordinal); // the crop pass's model

        Install(models, Catalog.Resolve("total", fastest: true).Models.Single().ModelName);
        (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("out"), "--task", "total", "--fast",
            "--roi_subset", "liver", "spleen", "--models-dir", models);
        Assert.True(code == 0, stderr);
        Assert.Contains("crop-pass", stderr, StringComparison.Ordinal);
        Assert.Equal(["liver.nii.gz", "spleen.nii.gz"], Directory.GetFiles(tmp.File("out")).Select(Path.GetFileName).Order());
        var liver = (Imaging.Volumes.Volume<byte>)NiftiReader.Read(Path.Combine(tmp.File("out"), "liver.nii.gz")).Volume;
        Assert.Contains(liver.Data, v => v == 1);

        (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("bad"), "--task", "total", "--fast",
            "--roi_subset", "no_such_organ", "--models-dir", models);
        Assert.Equal(1, code);
        Assert.Contains("no_such_organ", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("bad")));
    }

    [SkippableFact]
    public void Robust_crop_and_roi_subset_robust_crop_with_the_3mm_model_instead_of_the_6mm_one()
    {
        // Only the 3 mm model is installed: the plain --roi_subset crop pass (6 mm) is missing, the robust one is not.
        var ctPath = TestData.Require(Ct);
        using var tmp = new TempDirectory("segment-robust");
        var models = tmp.File("models");
        Install(models, Catalog.Resolve("total", fast: true).Models.Single().ModelName);

        foreach (var flags in new[] { new[] { "--roi_subset", "liver", "spleen", "--robust_crop" }, ["-rsr", "liver", "spleen"] })
        {
            var outDir = tmp.File($"out{flags[0]}");
            var (code, _, stderr) = TasksCommandTests.Run(["segment", "-i", ctPath, "-o", outDir, "--task", "total", "--fast", .. flags, "--models-dir", models]);
            Assert.True(code == 0, $"{string.Join(' ', flags)}: {stderr}");
            Assert.Contains("crop-pass", stderr, StringComparison.Ordinal);
            Assert.Equal(["liver.nii.gz", "spleen.nii.gz"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order());
        }

        var (plain, _, plainErr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("plain"), "--task", "total", "--fast",
            "--roi_subset", "liver", "--models-dir", models);
        Assert.Equal(1, plain);
        Assert.Contains("segweb models install total --fastest", plainErr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Higher_order_resampling_writes_labels_on_the_input_grid_and_refuses_force_split()
    {
        var ctPath = TestData.Require(Ct);
        using var tmp = new TempDirectory("segment-ho");
        var fine = tmp.File("fine.nii.gz");
        NiftiWriter.Write(fine, Imaging.Resampling.NnUNetResampling.ResampleData(NiftiReader.Read(ctPath).Volume, (1.5, 1.5, 1.5), order: 3));

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", fine, "-o", tmp.File("ho.nii.gz"), "--ml", "--model", model.PackageDirectory, "-ho", "-q");
        Assert.True(code == 0, stderr);
        (code, _, stderr) = TasksCommandTests.Run("segment", "-i", fine, "-o", tmp.File("nearest.nii.gz"), "--ml", "--model", model.PackageDirectory, "-q");
        Assert.True(code == 0, stderr);
        var ho = (Imaging.Volumes.Volume<byte>)NiftiReader.Read(tmp.File("ho.nii.gz")).Volume;
        var nearest = (Imaging.Volumes.Volume<byte>)NiftiReader.Read(tmp.File("nearest.nii.gz")).Volume;
        Assert.Equal(NiftiReader.Read(fine).Volume.Shape, ho.Shape);
        Assert.Equal(nearest.Affine, ho.Affine);
        Assert.NotEqual(nearest.Data, ho.Data); // the flag reaches the pipeline

        (code, _, stderr) = TasksCommandTests.Run("segment", "-i", fine, "-o", tmp.File("split"), "--model", model.PackageDirectory, "-ho", "--force_split");
        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("--force_split", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("split")));
    }

    [SkippableFact]
    public void Body_seg_without_the_body_model_is_one_line_naming_the_install_command()
    {
        var ctPath = TestData.Require(Ct);
        using var tmp = new TempDirectory("segment-body");
        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("out"), "--model", model.PackageDirectory,
            "--body_seg", "--models-dir", tmp.File("models"));
        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("segweb models install body", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("out")));
    }

    [SkippableFact]
    public void Body_seg_force_split_and_remove_small_blobs_run_with_installed_models()
    {
        var ctPath = TestData.Require(Ct);
        using var tmp = new TempDirectory("segment-body-run");
        var models = tmp.File("models");
        // Stands in for TotalSegmentator's 6 mm body model: any non-zero label is "body".
        Install(models, Catalog.Resolve("body", fast: true).Models.Single().ModelName, task: "body");
        var output = tmp.File("seg.nii.gz");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", output, "--ml", "--model", model.PackageDirectory,
            "--body_seg", "--force_split", "--remove_small_blobs", "--models-dir", models);

        Assert.True(code == 0, stderr);
        Assert.Contains("crop-pass", stderr, StringComparison.Ordinal);
        var (labels, names) = MultilabelNifti.Read(output);
        Assert.Equal(NiftiReader.Read(ctPath).Volume.Affine, labels.Volume.Affine);
        Assert.Contains("liver", names.Values);
    }

    [SkippableFact]
    public void A_task_with_a_crop_runs_the_6mm_total_model_first_and_labels_only_inside_the_organ_box()
    {
        var ctPath = TestData.Require(Ct);
        using var tmp = new TempDirectory("segment-task-crop");
        var models = tmp.File("models");
        // liver_vessels crops to the liver + 20 mm (catalogue: crop ["liver"], crop_addon 20, not robust): the crop pass is
        // TotalSegmentator's 6 mm total model. The demo network stands in for both.
        Install(models, Catalog.Resolve("liver_vessels").Models.Single().ModelName, task: "liver_vessels");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("out"), "--ml", "--task", "liver_vessels", "--models-dir", models);
        Assert.Equal(1, code);
        Assert.Contains("segweb models install total --fastest", stderr, StringComparison.Ordinal);
        Assert.Contains("liver", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(tmp.File("out.nii.gz")));

        Install(models, Catalog.Resolve("total", fastest: true).Models.Single().ModelName);
        (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("cropped.nii.gz"), "--ml", "--task", "liver_vessels", "--models-dir", models);
        Assert.True(code == 0, stderr);
        Assert.Contains("crop-pass", stderr, StringComparison.Ordinal);
        (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", tmp.File("whole.nii.gz"), "--ml", "--model", model.PackageDirectory, "-q");
        Assert.True(code == 0, stderr);

        // The crop pass is the same network on the whole scan, so its liver is the whole run's liver: every label of the
        // cropped run lies in that liver's box grown by 20 mm, and the whole run has labels outside it.
        var whole = (Imaging.Volumes.Volume<byte>)NiftiReader.Read(tmp.File("whole.nii.gz")).Volume;
        var (cropped, names) = MultilabelNifti.Read(tmp.File("cropped.nii.gz"));
        var croppedData = ((Imaging.Volumes.Volume<byte>)cropped.Volume).Data;
        int liver = names.Single(n => n.Value == "liver").Key;
        var shape = whole.Shape;
        var (sx, sy, sz) = whole.Spacing;
        int[] lo = [int.MaxValue, int.MaxValue, int.MaxValue], hi = [-1, -1, -1];
        for (int z = 0; z < shape.Z; z++)
        {
            for (int y = 0; y < shape.Y; y++)
            {
                for (int x = 0; x < shape.X; x++)
                {
                    if (whole.Data[shape.IndexOf(x, y, z)] == liver)
                    {
                        int[] p = [x, y, z];
                        for (int a = 0; a < 3; a++)
                        {
                            lo[a] = Math.Min(lo[a], p[a]);
                            hi[a] = Math.Max(hi[a], p[a]);
                        }
                    }
                }
            }
        }

        Assert.True(hi[0] >= 0, "the demo model found no liver on the example");
        int[] margin = [(int)(20 / sx) + 1, (int)(20 / sy) + 1, (int)(20 / sz) + 1];
        bool Inside(int x, int y, int z) => x >= lo[0] - margin[0] && x <= hi[0] + margin[0] && y >= lo[1] - margin[1] && y <= hi[1] + margin[1]
            && z >= lo[2] - margin[2] && z <= hi[2] + margin[2];
        int outsideWhole = 0, labelled = 0;
        for (int z = 0; z < shape.Z; z++)
        {
            for (int y = 0; y < shape.Y; y++)
            {
                for (int x = 0; x < shape.X; x++)
                {
                    long i = shape.IndexOf(x, y, z);
                    if (croppedData[i] != 0)
                    {
                        labelled++;
                        Assert.True(Inside(x, y, z), $"label {croppedData[i]} at ({x}, {y}, {z}) lies outside the liver box + 20 mm");
                    }

                    if (whole.Data[i] != 0 && !Inside(x, y, z))
                    {
                        outsideWhole++;
                    }
                }
            }
        }

        Assert.True(labelled > 0, "the cropped run labelled nothing");
        Assert.True(outsideWhole > 0, "the whole run has no labels outside the box, so this test would not see a missing crop");
        Assert.Equal(NiftiReader.Read(ctPath).Volume.Affine, cropped.Volume.Affine);
    }

    /// <summary>The demo package copied into <paramref name="models"/> under a catalogue model name, as `models install` lays it out.</summary>
    private void Install(string models, string name, string task = "total")
    {
        var source = ModelPackage.Load(model.PackageDirectory);
        var target = Path.Combine(models, name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source.Directory))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        var manifest = source.Manifest with { Name = name, Task = task };
        File.WriteAllText(Path.Combine(target, ModelManifest.FileName), manifest.ToJson());
    }
}
