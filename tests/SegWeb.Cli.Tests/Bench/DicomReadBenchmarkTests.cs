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
}
