using SegWeb.Cli.Bench;

namespace SegWeb.Cli.Tests.Bench;

public sealed class DicomReadBenchmarkTests
{
    [SkippableFact]
    public void Quick_run_prints_times_ratios_memory_and_matching_sums()
    {
        ReferencePython.Require("pydicom", "nibabel", "numpy");
        Skip.IfNot(File.Exists("/usr/bin/dcm2niix"), "dcm2niix is not installed (apt-get install dcm2niix)");
        using var dir = new TempDirectory("bench-dicom");
        var output = new StringWriter();
        int rc = DicomReadBenchmark.Run(output, dir.Path, quick: true);
        var text = output.ToString();
        Console.WriteLine(text);
        Assert.True(rc == 0, text);
        Assert.Contains("| SegWeb DicomSeriesLoader", text, StringComparison.Ordinal);
        Assert.Contains("| dcm2niix -z n", text, StringComparison.Ordinal);
        Assert.Contains("| pydicom + numpy stack", text, StringComparison.Ordinal);
        Assert.Matches(@"ratios: dcm2niix \d+\.\d\dx, pydicom \d+\.\d\dx", text);
        Assert.Matches(@"peak managed heap growth \d+\.\d MB = \d+\.\d\d× the volume", text);
        Assert.DoesNotContain("WARNING", text, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>
    /// The full 512×512×400 run, for figures until `segweb bench dicom` is wired:
    /// SEGWEB_BENCH_FULL=1 dotnet test tests/SegWeb.Cli.Tests -c Release --filter FullyQualifiedName~DicomReadBenchmark --logger "console;verbosity=detailed"
    /// </summary>
    [SkippableFact]
    public void Full_run_when_asked_for()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("SEGWEB_BENCH_FULL") == "1", "the full DICOM read benchmark (~1 min, 420 MB of disk) runs only with SEGWEB_BENCH_FULL=1");
        ReferencePython.Require("pydicom", "nibabel", "numpy");
        using var dir = new TempDirectory("bench-dicom-full");
        var output = new StringWriter();
        int rc = DicomReadBenchmark.Run(output, dir.Path, quick: false);
        Console.WriteLine(output.ToString());
        Assert.True(rc == 0, output.ToString());
        Assert.DoesNotContain("WARNING", output.ToString(), StringComparison.Ordinal);
    }
}
