using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using SegWeb.Inference.Runtime;
using SegWeb.Inference.SlidingWindow;
using Xunit.Abstractions;

namespace SegWeb.Inference.Tests.Benchmarks;

/// <summary>
/// Prints time and memory of the sliding window's own work (tile extraction, averaging, Gaussian aggregation,
/// argmax) around a trivial network, plus the memory estimates for TotalSegmentator-sized runs. Not a test of speed:
/// it asserts only that the run completed. Run with
/// <c>SEGWEB_BENCH=1 dotnet test tests/SegWeb.Inference.Tests --filter SlidingWindowBenchmark --logger "console;verbosity=detailed"</c>;
/// SEGWEB_BENCH_SIZE=D,H,W (default 200,512,512), SEGWEB_BENCH_CLASSES (default 25, one part of <c>total</c>),
/// SEGWEB_BENCH_PRECISION=Single|Half (default both; one alone makes the printed peak working set that run's).
/// </summary>
public sealed class SlidingWindowBenchmark(ITestOutputHelper output)
{
    [SkippableFact]
    public void Sliding_window_overhead_and_memory()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("SEGWEB_BENCH") == "1", "benchmark: set SEGWEB_BENCH=1 to run it");
        int[] size = (Environment.GetEnvironmentVariable("SEGWEB_BENCH_SIZE") ?? "200,512,512").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int classes = int.Parse(Environment.GetEnvironmentVariable("SEGWEB_BENCH_CLASSES") ?? "25", CultureInfo.InvariantCulture);
        int[] patch = [128, 128, 128];

        foreach (var (label, d, h, w, k) in new[]
        {
            ("total part (24 classes + background), 512×512×824 at full resolution", 824, 512, 512, 25),
            ("total part at 1.5 mm, a 0.8×0.8×1.0 mm 512×512×824 CT resampled to 549×273×273", 549, 273, 273, 25),
            ("all 117 classes in one network, 512×512×824", 824, 512, 512, 118),
        })
        {
            var probe = new SlidingWindowPredictor([new ScaleNetwork(k)], new SlidingWindowOptions { PatchSize = patch });
            output.WriteLine($"estimate {label}, patch 128³: float32 sums {probe.EstimateBytes([d, h, w], AccumulatorPrecision.Single) / (1 << 20)} MiB, " +
                $"half sums {probe.EstimateBytes([d, h, w], AccumulatorPrecision.Half) / (1 << 20)} MiB (+ input {(long)d * h * w * 4 / (1 << 20)} MiB float32, + ONNX Runtime's activations)");
        }

        var image = new float[(long)size[0] * size[1] * size[2]];
        var random = new Random(1);
        for (int i = 0; i < image.Length; i++)
        {
            image[i] = (float)random.NextDouble();
        }

        if (Environment.GetEnvironmentVariable("SEGWEB_BENCH_PRECISION") is not { Length: > 0 })
        {
            AggregatorAlone(size, classes, patch);
        }

        // The process's peak working set only means something for the first run of a process: pick one precision
        // with SEGWEB_BENCH_PRECISION=Single|Half to read it for that one.
        var precisions = Environment.GetEnvironmentVariable("SEGWEB_BENCH_PRECISION") is { Length: > 0 } one
            ? [Enum.Parse<AccumulatorPrecision>(one, ignoreCase: true)]
            : new[] { AccumulatorPrecision.Single, AccumulatorPrecision.Half };
        foreach (var precision in precisions)
        {
            GC.Collect();
            long before = GC.GetTotalMemory(forceFullCollection: true);
            var network = new ScaleNetwork(classes);
            var predictor = new SlidingWindowPredictor([network], new SlidingWindowOptions
            {
                PatchSize = patch,
                StepSize = 0.5,
                Precision = precision,
                MemoryLimitBytes = long.MaxValue,
            });
            var clock = Stopwatch.StartNew();
            var result = predictor.Predict(image, size);
            clock.Stop();
            var info = GC.GetGCMemoryInfo();
            output.WriteLine($"{string.Join("×", size)}, {classes} classes, {precision}: {result.Tiles} tiles in {clock.Elapsed.TotalSeconds:F1} s " +
                $"({clock.Elapsed.TotalMilliseconds / result.Tiles:F0} ms/tile, of which network {network.Elapsed.TotalMilliseconds / result.Tiles:F0} ms), " +
                $"estimate {result.EstimatedPeakBytes / (1 << 20)} MiB, managed heap before {before / (1 << 20)} MiB, GC peak-ish committed {info.TotalCommittedBytes / (1 << 20)} MiB, " +
                $"process peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB, {Environment.ProcessorCount} CPUs");
            Assert.Equal(image.Length, result.Labels.Length);
        }
    }

    /// <summary>The aggregator alone: tiles of constant logits added and finalised (its own method so its memory is freed after).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void AggregatorAlone(int[] size, int classes, int[] patch)
    {
        var padding = PaddingRegion.For(size, patch);
        var tiles = TilePlanner.Tiles(padding.PaddedSize, patch, 0.5);
        var gaussian = GaussianImportanceMap.Compute(patch);
        var logits = new float[classes * 128 * 128 * 128];
        logits.AsSpan().Fill(0.5f);
        var aggregator = new SlabAggregator(classes, padding.PaddedSize, patch, padding);
        var clock = Stopwatch.StartNew();
        foreach (var tile in tiles)
        {
            aggregator.Add(tile, logits, gaussian);
        }

        var addTime = clock.Elapsed;
        aggregator.Complete();
        output.WriteLine($"aggregator alone: {tiles.Count} tiles, {addTime.TotalMilliseconds / tiles.Count:F0} ms/tile including finalisation, total {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Logit c = (c + 1) · input: vectorised and cheap, so the figures show the sliding window's own cost.</summary>
    private sealed class ScaleNetwork(int classes) : ITileNetwork
    {
        public TimeSpan Elapsed { get; private set; }

        public int InputChannels => 1;

        public int OutputChannels => classes;

        public Inference.SlidingWindow.ClassifierHead? Head => null;

        public void Run(float[] input, float[] output, int batch, IReadOnlyList<int> patchSize, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            int pv = patchSize[0] * patchSize[1] * patchSize[2];
            Parallel.For(0, batch * classes, unit =>
            {
                int b = unit / classes, c = unit % classes;
                TensorPrimitives.Multiply(input.AsSpan(b * pv, pv), c + 1, output.AsSpan(unit * pv, pv));
            });
            Elapsed += clock.Elapsed;
        }
    }
}
