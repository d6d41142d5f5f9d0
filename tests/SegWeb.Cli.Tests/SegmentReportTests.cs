using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Tests;

/// <summary>`segweb segment --report run.json`: the file parses and holds the run's real values.</summary>
public sealed class SegmentReportTests(SegmentDemoModelFixture model) : IClassFixture<SegmentDemoModelFixture>
{
    [SkippableFact]
    public void Report_holds_versions_model_checksums_options_input_geometry_timings_memory_and_outputs()
    {
        var ct = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        ReferencePython.Require("nibabel");
        using var tmp = new TempDirectory("segment-report");
        var output = tmp.File("seg.nii.gz");
        var report = tmp.File("run.json");
        var before = DateTimeOffset.UtcNow;

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ct, "-o", output, "--ml", "-s", "-p", "--step-size", "0.7",
            "--report", report, "--model", model.PackageDirectory);

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var root = json.RootElement;
        Assert.Equal("segweb-run/1", root.GetProperty("schema").GetString());
        Assert.StartsWith("0.1.0", root.GetProperty("segweb_version").GetString(), StringComparison.Ordinal);
        Assert.Equal("1.31.1", root.GetProperty("onnxruntime_version").GetString()); // Directory.Packages.props' Microsoft.ML.OnnxRuntime
        var started = root.GetProperty("started_at").GetDateTimeOffset();
        Assert.InRange(started, before.AddSeconds(-1), root.GetProperty("finished_at").GetDateTimeOffset());
        Assert.True(root.GetProperty("total_seconds").GetDouble() > 0);
        Assert.InRange(root.GetProperty("peak_working_set_bytes").GetInt64(), 20L << 20, 64L << 30);
        Assert.Equal("Cpu", root.GetProperty("execution_provider").GetString());

        // Model: identity from the manifest, checksums equal to the files' SHA-256 computed here.
        var manifest = ModelPackage.Load(model.PackageDirectory).Manifest;
        var m = root.GetProperty("model");
        Assert.Equal(manifest.Name, m.GetProperty("name").GetString());
        Assert.Equal(manifest.Version, m.GetProperty("version").GetString());
        Assert.Equal(Path.GetFullPath(model.PackageDirectory), m.GetProperty("directory").GetString());
        var onnx = m.GetProperty("parts")[0].GetProperty("files")[0].GetString()!;
        using (var stream = File.OpenRead(Path.Combine(model.PackageDirectory, onnx)))
        {
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stream)), m.GetProperty("sha256").GetProperty(onnx).GetString());
        }

        // Options as given (and defaults for the rest).
        var options = root.GetProperty("options");
        Assert.True(options.GetProperty("ml").GetBoolean());
        Assert.True(options.GetProperty("preview").GetBoolean());
        Assert.Equal(0.7, options.GetProperty("step-size").GetDouble(), 9);
        Assert.Equal("cpu", options.GetProperty("device").GetString());
        Assert.False(options.GetProperty("tta").GetBoolean());

        // The input as nibabel describes it.
        var input = root.GetProperty("inputs")[0];
        var nib = ReferencePython.Run("""
            import sys, nibabel as nib
            img = nib.load(sys.argv[1])
            print(*img.shape, *[float(z) for z in img.header.get_zooms()], "".join(nib.aff2axcodes(img.affine)))
            """, ct).Trim().Split(' ');
        Assert.Equal(Path.GetFullPath(ct), input.GetProperty("path").GetString());
        Assert.Equal("nifti", input.GetProperty("format").GetString());
        Assert.Equal(nib[..3].Select(v => int.Parse(v, CultureInfo.InvariantCulture)), input.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var spacing = input.GetProperty("spacing_mm").EnumerateArray().Select(e => e.GetDouble()).ToList();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(double.Parse(nib[3 + i], CultureInfo.InvariantCulture), spacing[i], 5);
        }

        Assert.Equal(nib[6], input.GetProperty("orientation").GetString());
        Assert.Equal("Int16", input.GetProperty("voxel_type").GetString());
        var stages = input.GetProperty("timings").EnumerateArray().Select(t => t.GetProperty("stage").GetString()).ToList();
        Assert.Equal(["read", "reorient", "crop", "normalize", "resample", "predict", "postprocess", "export", "write"], stages);
        Assert.True(input.GetProperty("timings")[stages.IndexOf("predict")].GetProperty("seconds").GetDouble() > 0);
        Assert.Equal(0, input.GetProperty("warnings").GetArrayLength());
        var outputs = input.GetProperty("outputs").EnumerateArray().Select(e => Path.GetFileName(e.GetString()!)).Order(StringComparer.Ordinal);
        Assert.Equal([$"preview_{manifest.Task}.png", "seg.nii.gz", "statistics.json"], outputs);
        Assert.Equal(0, root.GetProperty("warnings").GetArrayLength());
    }

    [SkippableFact]
    public void Warnings_of_the_run_are_in_the_report()
    {
        using var tmp = new TempDirectory("segment-report");
        var input = SegmentTestFiles.Write(tmp.File("flat.nii"), new Imaging.Volumes.VolumeShape(40, 40, 12), (3, 3, 3), (_, _, _) => 7);
        var report = tmp.File("run.json");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", input, "-o", tmp.File("out"), "-q", "--report", report, "--model", model.PackageDirectory);

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var expected = $"{input}: every voxel has the same value; the segmentation will be empty or meaningless";
        Assert.Equal([expected], json.RootElement.GetProperty("warnings").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([expected], json.RootElement.GetProperty("inputs")[0].GetProperty("warnings").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void A_report_path_in_a_missing_folder_is_refused_before_any_work()
    {
        using var tmp = new TempDirectory("segment-report");
        var input = SegmentTestFiles.Write(tmp.File("scan.nii"), new Imaging.Volumes.VolumeShape(40, 40, 12), (3, 3, 3), (x, y, z) => (short)(x + y + z));
        var report = Path.Combine(tmp.Path, "missing", "run.json");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", input, "-o", tmp.File("out"), "--report", report, "--model", model.PackageDirectory);

        Assert.Equal(1, code);
        Assert.Equal($"segweb: --report {report}: the folder {Path.GetDirectoryName(report)} does not exist", stderr.Trim());
        Assert.False(Directory.Exists(tmp.File("out")));
    }
}
