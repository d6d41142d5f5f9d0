using System.Text.RegularExpressions;
using SegWeb.Cli.Commands;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Cli.Tests.Bench;

public sealed class BenchCommandTests
{
    [SkippableFact]
    public void Bench_imaging_quick_runs_every_part_and_removes_its_temporary_folder()
    {
        ReferencePython.Require("nibabel", "numpy");
        var before = Directory.GetDirectories(Path.GetTempPath(), "segweb-bench-imaging-*").Length;
        var (rc, stdout, stderr) = Run("bench", "imaging", "--quick");
        Assert.True(rc == 0, stdout + stderr);
        Assert.Contains("NIfTI I/O benchmark", stdout, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetDirectories(Path.GetTempPath(), "segweb-bench-imaging-*").Length);
    }

    [SkippableFact]
    public void Bench_dicom_quick_compares_with_dcm2niix_and_pydicom()
    {
        ReferencePython.Require("pydicom", "numpy");
        var (rc, stdout, stderr) = Run("bench", "dicom", "--quick");
        Assert.True(rc == 0, stdout + stderr);
        Assert.Contains("dcm2niix", stdout, StringComparison.Ordinal);
        Assert.Contains("pydicom", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_labels_quick_prints_a_row_per_operation()
    {
        var (rc, stdout, stderr) = Run("bench", "labels", "--quick");
        Assert.True(rc == 0, stdout + stderr);
        Assert.Matches(@"\| statistics, mean \(117 classes\)\s+\|\s+\d+ \|", stdout);
        Assert.Contains("remove components", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_segment_quick_runs_every_case_in_its_own_process_and_prints_its_figures()
    {
        using var work = new TempDirectory();
        var (rc, stdout, stderr) = Run("bench", "segment", "--quick", "--work-dir", work.Path);
        Assert.True(rc == 0, stdout + stderr);
        // ONNX Runtime settings: session load, first pass, later passes, peak RSS per fresh process.
        Assert.True(Regex.IsMatch(stdout, @"\| ORT defaults[^|]*\| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [1-9]\d* \| [0-9.]+ \|"), stdout);
        Assert.True(Regex.IsMatch(stdout, @"\| SegWeb default \+ optimised model loaded \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [1-9]\d* \|"), stdout);
        Assert.Single(Directory.GetFiles(Path.Combine(work.Path, "optimized-models"), "*.optimized.onnx"));
        // One row per case with every stage, forward passes, shares and peak RSS.
        foreach (var row in new[] { "example_ct_sm, demo model", "96×96×86 CT (0.8×0.8×1 mm), demo model", "96×96×86 CT (0.8×0.8×1 mm), demo model as 2 parts" })
        {
            Assert.Matches(@"\| " + Regex.Escape(row) + @"[^|]*\| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [1-9]\d* \| [0-9.]+ \| [0-9.]+ % \| [0-9.]+ % \| [1-9]\d* \| [0-9.]+ \|", stdout);
        }

        Assert.DoesNotContain("failed", stdout, StringComparison.Ordinal);
        // The children really segmented: their outputs are label maps on the inputs' grids.
        var example = NiftiReader.Read(Path.Combine(work.Path, "outputs", "example", "segmentation.nii.gz")).Volume;
        Assert.Equal(new VolumeShape(122, 101, 30), example.Shape);
        var parts = NiftiReader.Read(Path.Combine(work.Path, "outputs", "ct458-parts", "segmentation.nii.gz")).Volume;
        Assert.Equal(new VolumeShape(96, 96, 86), parts.Shape);
        Assert.Contains(((Volume<byte>)parts).Data, v => v != 0);
    }

    [Fact]
    public void An_unknown_suite_is_a_usage_error()
    {
        var (rc, _, stderr) = Run("bench", "no-such-suite");
        Assert.Equal(CommandRunner.ExitUsage, rc);
        Assert.StartsWith("segweb:", stderr, StringComparison.Ordinal);
    }

    private static (int Rc, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int rc = CommandRunner.Invoke(Program.BuildRootCommand(), args, stdout, stderr);
        return (rc, stdout.ToString(), stderr.ToString());
    }
}
