using SegWeb.Cli.Bench;

namespace SegWeb.Cli.Tests.Bench;

public sealed class NiftiIoBenchmarkTests
{
    [SkippableFact]
    public void Quick_run_prints_the_table_and_the_ratios_against_nibabel()
    {
        ReferencePython.Require("nibabel", "numpy");
        using var dir = new TempDirectory("bench-nifti");
        var output = new StringWriter();
        int rc = NiftiIoBenchmark.Run(output, dir.Path, quick: true);
        var text = output.ToString();
        Assert.True(rc == 0, text);
        Assert.Contains("| write .nii.gz", text, StringComparison.Ordinal);
        Assert.Contains("read nibabel's .nii.gz", text, StringComparison.Ordinal);
        Assert.Matches(@"ratios: write \d+\.\d\dx, read \d+\.\d\dx, read nibabel's file \d+\.\d\dx", text);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
