using System.Diagnostics;
using System.Globalization;
using SegWeb.Inference.Runtime;

namespace SegWeb.Cli.Bench.Segment;

/// <summary>
/// ONNX Runtime's CPU settings compared on one network: each variant in a fresh process loads the model, runs a few
/// forward passes of one random patch and reports session load time, first and later pass times and the process's
/// peak RSS, with the CPU time of the passes beside their wall time (CPU time is steadier than wall time on a
/// loaded machine; spinning variants burn CPU while waiting, so theirs is inflated). The variants are the ones docs/inference.md discusses (arena growth, no arena, memory pattern,
/// spinning, a saved optimised model).
/// </summary>
internal static class RuntimeOptionsBenchmark
{
    private static readonly (string Name, ChildRequest Settings)[] Variants =
    [
        ("ORT defaults: arena (power-of-two growth), memory pattern, spinning", new ChildRequest { Case = "forward", Arena = CpuArenaMode.Grow, Pattern = true, Spinning = true }),
        ("shared arena same-as-requested, memory pattern, spinning", new ChildRequest { Case = "forward", Arena = CpuArenaMode.SameAsRequested, Pattern = true, Spinning = true }),
        ("shared arena same-as-requested, no memory pattern, no spinning", new ChildRequest { Case = "forward", Arena = CpuArenaMode.SameAsRequested, Pattern = false }),
        ("arena off, no memory pattern, no spinning", new ChildRequest { Case = "forward", Arena = CpuArenaMode.Off, Pattern = false }),
        ("SegWeb default: arena off, memory pattern, no spinning", new ChildRequest { Case = "forward" }),
        ("SegWeb default, SegWeb's kernels off (ONNX Runtime's Conv, InstanceNormalization, LeakyRelu)", new ChildRequest { Case = "forward", DirectKernels = false }),
        ("SegWeb default, classifier split off (the network up to its features, as the pipeline runs single-fold parts)", new ChildRequest { Case = "forward", ForwardWithoutClassifier = true }),
    ];

    /// <summary>Prints one row per variant for the network in <paramref name="onnx"/> with patch <paramref name="patch"/>.</summary>
    public static void Run(TextWriter output, string onnx, int[] patch, string workDir, int runs, bool quick)
    {
        output.WriteLine($"ONNX Runtime settings, one fresh process each: {Path.GetFileName(Path.GetDirectoryName(onnx))}, patch {string.Join("×", patch)}, {runs} forward passes after the first");
        output.WriteLine();
        output.WriteLine("| settings | session load s | first pass s | later passes s (mean) | first pass CPU s | later passes CPU s | peak RSS MB | load avg |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        var cache = Path.Combine(workDir, "optimized-models");
        // --quick keeps ONNX Runtime's defaults and SegWeb's, which is enough to show the table works.
        var variants = (quick ? [Variants[0], Variants[^2], Variants[^1]] : Variants).Append(("SegWeb default + optimised model saved (1st process) / loaded (2nd process)", new ChildRequest { Case = "forward", OptimizedModelCache = cache }))
            .Append(("SegWeb default + optimised model loaded", new ChildRequest { Case = "forward", OptimizedModelCache = cache }));
        foreach (var (name, settings) in variants)
        {
            var request = settings with { Onnx = onnx, Patch = patch, Runs = runs };
            double load = ProcessFigures.LoadAverage();
            var (result, _, problem) = ChildProcess.Run(request.ToJson(), TimeSpan.FromMinutes(10));
            if (result is not { } r)
            {
                output.WriteLine($"| {name} | failed: {problem} | | | | | | |");
                continue;
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {r.GetProperty("load").GetDouble():F2} | {r.GetProperty("first").GetDouble():F2} | {r.GetProperty("later").GetDouble():F2} | {r.GetProperty("firstCpu").GetDouble():F2} | {r.GetProperty("laterCpu").GetDouble():F2} | {r.GetProperty("peakRss").GetDouble():F0} | {load:F1} |"));
        }
    }

    /// <summary>The child side: load, run, report.</summary>
    public static void RunChild(TextWriter output, ChildRequest request)
    {
        var options = new InferenceRuntimeOptions
        {
            CpuArena = request.Arena,
            MemoryPattern = request.Pattern,
            AllowSpinning = request.Spinning,
            OptimizedModelCacheDirectory = request.OptimizedModelCache,
            DirectKernels = request.DirectKernels,
        };
        var patch = request.Patch ?? throw new InvalidOperationException("forward case without a patch");
        var clock = Stopwatch.StartNew();
        using var cache = new ModelSessionCache(options);
        var onnx = request.Onnx ?? throw new InvalidOperationException("forward case without a model");
        var runner = request.ForwardWithoutClassifier ? cache.SingleFoldRunner(onnx, patchSize: patch) : cache.Runner(onnx, patchSize: patch);
        double load = clock.Elapsed.TotalSeconds;
        int voxels = patch[0] * patch[1] * patch[2];
        var random = new Random(1);
        var input = new float[runner.InputChannels * voxels];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)((random.NextDouble() * 4) - 2);
        }

        var logits = new float[(long)runner.OutputChannels * voxels];
        using var self = Process.GetCurrentProcess();
        clock.Restart();
        var cpu = self.TotalProcessorTime;
        runner.Run(input, logits, 1, patch, CancellationToken.None);
        double first = clock.Elapsed.TotalSeconds;
        self.Refresh();
        double firstCpu = (self.TotalProcessorTime - cpu).TotalSeconds;
        clock.Restart();
        cpu = self.TotalProcessorTime;
        for (int i = 0; i < request.Runs; i++)
        {
            runner.Run(input, logits, 1, patch, CancellationToken.None);
        }

        double later = request.Runs > 0 ? clock.Elapsed.TotalSeconds / request.Runs : double.NaN;
        self.Refresh();
        double laterCpu = request.Runs > 0 ? (self.TotalProcessorTime - cpu).TotalSeconds / request.Runs : double.NaN;
        ChildProcess.WriteResult(output, new { load, first, later, firstCpu, laterCpu, peakRss = ProcessFigures.PeakRssMegabytes() });
    }
}
