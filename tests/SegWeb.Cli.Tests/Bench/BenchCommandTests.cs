using SegWeb.Cli.Commands;

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
    public void Bench_segment_quick_times_every_stage_cold_and_warm()
    {
        var (rc, stdout, stderr) = Run("bench", "segment", "--quick");
        Assert.True(rc == 0, stdout + stderr);
        Assert.Matches(@"\| cold \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ % \|", stdout);
        Assert.Matches(@"\| warm \|", stdout);
        Assert.Matches(@"peak RSS of this process \(VmHWM.*\): \d+ MB", stdout);
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
