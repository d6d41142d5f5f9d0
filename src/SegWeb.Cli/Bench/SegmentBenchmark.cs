using System.Diagnostics;
using System.Globalization;
using SegWeb.Inference.Pipeline;
using SegWeb.Models.Catalog;
using SegWeb.Models.Packages;
using SegWeb.Models.Twins;

namespace SegWeb.Cli.Bench;

/// <summary>
/// `segweb bench segment`: the whole pipeline on the bundled example CT (deploy/example/example_ct_sm.nii.gz) with the
/// architecture twin of TotalSegmentator's `--fast` model (random weights, its architecture, patch and 118 outputs;
/// speed does not depend on weight values). Prints per-stage wall times for a cold run (sessions load) and a warm
/// run (sessions reused, as a worker runs every scan after its first), the share of time in the predict stage (the
/// sliding window's forward passes), and the process's peak RSS. `--quick` uses the small demo model instead.
/// TotalSegmentator itself is not installed here; its own CI figure for `--fast --statistics` on this file on 2 CPUs
/// (13–16 s, 4.1 GB) is printed for context, not measured in this run.
/// </summary>
public static class SegmentBenchmark
{
    public static int Run(TextWriter output, string workDir, bool quick)
    {
        ArgumentNullException.ThrowIfNull(output);
        Directory.CreateDirectory(workDir);
        string root = FindRepositoryRoot();
        string input = Path.Combine(root, "deploy", "example", "example_ct_sm.nii.gz");
        var clock = Stopwatch.StartNew();
        ModelPackage package = quick
            ? NnUNetImporter.Import(Path.Combine(root, "models", "segweb-demo-nnunet"), Path.Combine(workDir, "demo"))
            : TwinPackageWriter.Write(ArchitectureTwin.Resolve("total-fast", TaskCatalog.LoadEmbedded()), Path.Combine(workDir, "total-fast-twin"), seed: 1);
        double packageSeconds = clock.Elapsed.TotalSeconds;
        string model = quick ? "the demo model (7 classes)" : "the total-fast twin (random weights)";
        output.WriteLine($"Segment benchmark: {Path.GetFileName(input)} with {model}, package written in {packageSeconds:F1} s, {Environment.ProcessorCount} cores");
        output.WriteLine();
        output.WriteLine("| run  | read | reorient | normalize | resample | predict | export | total s | predict share |");
        output.WriteLine("|------|------|----------|-----------|----------|---------|--------|---------|---------------|");
        using (var pipeline = new SegmentationPipeline(new PipelineOptions()))
        {
            foreach (var run in new[] { "cold", "warm" })
            {
                var sw = Stopwatch.StartNew();
                var result = pipeline.Segment(input, package);
                double total = sw.Elapsed.TotalSeconds;
                double Stage(string name) => result.Timings.Where(t => t.Stage == name).Sum(t => t.Elapsed.TotalSeconds);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {run} | {Stage(PipelineStages.Read):F2} | {Stage(PipelineStages.Reorient):F2} | {Stage(PipelineStages.Normalize):F2} | {Stage(PipelineStages.Resample):F2} | {Stage(PipelineStages.Predict):F2} | {Stage(PipelineStages.Export):F2} | {total:F2} | {100 * Stage(PipelineStages.Predict) / total:F1} % |"));
            }
        }

        output.WriteLine();
        output.WriteLine($"peak RSS of this process (VmHWM, model packaging included): {PeakRssMegabytes():F0} MB");
        output.WriteLine("for context, not measured here: TotalSegmentator's CI reports 13–16 s and 4.1 GB for --fast --statistics on this file on 2 CPUs");
        return 0;
    }

    private static double PeakRssMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }

    // The benchmark's input and the demo model live in the repository; look upward from here and from the binary.
    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "deploy", "example", "example_ct_sm.nii.gz")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new Imaging.SegWebException("segweb bench segment: run it inside the SegWeb repository (it needs deploy/example/example_ct_sm.nii.gz)");
    }
}
