using SegWeb.Cli.Bench.Segment;

namespace SegWeb.Cli.Bench;

/// <summary>
/// `segweb bench segment`: memory and speed of the whole segmentation on the architecture twins of TotalSegmentator's
/// models (random weights, real shapes; speed and memory do not depend on weight values), each case in a fresh
/// process so its peak RSS and its wall time (process start and model load included) are its own. Cases (all by
/// default; <c>SEGWEB_BENCH_SEGMENT_CASES=runtime,example,ct458-3mm,ct458-parts,ct824-parts</c> picks some):
/// ONNX Runtime settings on one forward pass; example_ct_sm with the <c>--fast</c> twin; a synthetic 512×512×458 CT
/// with the 3 mm twin and with the five 1.5 mm part twins; the 117-class model (five parts) on a 512×512×824 CT at
/// 1.5 mm for peak memory. Cases whose full forward passes would take hours on this machine run a sample of them and
/// say so. `--quick` runs small variants with the demo model (for CI: the figures mean little).
/// </summary>
public static class SegmentBenchmark
{
    /// <summary>Runs the selected cases and prints their tables; returns 0, or 1 when a case failed.</summary>
    public static int Run(TextWriter output, string workDir, bool quick)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (ChildProcess.Request is { } request)
        {
            SegmentCases.RunChild(output, ChildRequest.Parse(request));
            return 0;
        }

        Directory.CreateDirectory(workDir);
        return SegmentCases.Run(output, workDir, quick, SelectedCases());
    }

    private static HashSet<string> SelectedCases()
    {
        var chosen = Environment.GetEnvironmentVariable("SEGWEB_BENCH_SEGMENT_CASES");
        return chosen is { Length: > 0 }
            ? chosen.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : [.. SegmentCases.All];
    }
}
