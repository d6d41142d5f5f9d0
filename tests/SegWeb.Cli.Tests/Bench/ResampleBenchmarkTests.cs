using System.Globalization;
using System.Text.RegularExpressions;
using SegWeb.Cli.Bench;

namespace SegWeb.Cli.Tests.Bench;

public sealed class ResampleBenchmarkTests
{
    [SkippableFact]
    public void Quick_run_prints_times_ratios_memory_and_agrees_with_scipy()
    {
        ReferencePython.Require("scipy", "numpy");
        using var dir = new TempDirectory("bench-resample");
        var output = new StringWriter();
        int rc = ResampleBenchmark.Run(output, dir.Path, quick: true);
        var text = output.ToString();
        Assert.True(rc == 0, text);
        foreach (var order in new[] { "1", "3" })
        {
            var row = Regex.Match(text, $@"^\|\s+{order} \|\s+(\d+\.\d+) \|\s+(\d+\.\d+) \|\s+(\d+\.\d)x \|\s+(\d+\.\d) % \|.*\|\s+(\S+) \|$", RegexOptions.Multiline);
            Assert.True(row.Success, text);
            // Printed in seconds to the millisecond: the quick run's order-1 resampling (51×51×27) printed 0.000 once.
            Assert.True(double.Parse(row.Groups[1].Value, CultureInfo.InvariantCulture) >= 0, text);
            Assert.True(double.Parse(row.Groups[3].Value, CultureInfo.InvariantCulture) > 0, text);
            // The output itself is allocated, so the allocated share can never be below 100 %.
            Assert.True(double.Parse(row.Groups[4].Value, CultureInfo.InvariantCulture) >= 100, text);
            Assert.True(double.Parse(row.Groups[5].Value, CultureInfo.InvariantCulture) <= 1e-2, text);
        }

        Assert.Contains("96×96×40", text, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
