using SegWeb.Imaging.Nifti;
using SegWeb.Models.Catalog;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Tests;

/// <summary>
/// `segweb segment` with TotalSegmentator's task flags: --task/--fast/--fastest resolved to installed packages,
/// --roi_subset (6 mm crop pass, only the requested classes written), --body_seg, --force_split, --remove_small_blobs.
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
