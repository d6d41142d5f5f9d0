using SegWeb.Inference.Progress;
using SegWeb.Inference.Runtime;
using SegWeb.Inference.SlidingWindow;

namespace SegWeb.Inference.Tests.SlidingWindow;

// GC.GetTotalAllocatedBytes counts every thread of the process: the allocation test must not share the process
// with other test classes running in parallel (it failed that way in the full suite with 18.7 MB counted).
[Collection(AllocationMeasurements.Name)]
public sealed class SlidingWindowPredictorTests
{
    [Theory]
    [InlineData(19, 23, 30, 1, false)]
    [InlineData(6, 20, 10, 2, true)]
    [InlineData(9, 17, 13, 3, true)]
    public void A_pointwise_network_comes_back_unchanged_through_padding_batching_mirroring_and_folds(int d, int h, int w, int batch, bool mirror)
    {
        var random = new Random(d * h * w);
        int[] size = [d, h, w];
        var image = Enumerable.Range(0, d * h * w).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        float[] scaleA = [1, -2, 0.5f], offsetA = [0, 0.3f, -0.1f];
        float[] scaleB = [1.5f, -1, 0.25f], offsetB = [0.2f, 0.1f, 0.4f];
        var folds = new ITileNetwork[] { new PointwiseNetwork(scaleA, offsetA), new PointwiseNetwork(scaleB, offsetB) };
        var logits = new float[3 * d * h * w];
        var predictor = new SlidingWindowPredictor(folds, new SlidingWindowOptions
        {
            PatchSize = [8, 16, 12],
            BatchSize = batch,
            MirrorAxes = mirror ? [0, 1, 2] : null,
            LogitsHandler = (plane, values) =>
            {
                for (int c = 0; c < 3; c++)
                {
                    values.Slice(c * h * w, h * w).CopyTo(logits.AsSpan((((c * d) + plane) * h * w), h * w));
                }
            },
        });
        var result = predictor.Predict(image, size);
        Assert.Equal(mirror ? 16 : 2, predictor.RunsPerTile);
        for (int i = 0; i < image.Length; i++)
        {
            int best = 0;
            float bestValue = float.NegativeInfinity;
            for (int c = 0; c < 3; c++)
            {
                float expected = (((scaleA[c] + scaleB[c]) * image[i]) + offsetA[c] + offsetB[c]) / 2;
                Assert.True(Math.Abs(logits[(c * image.Length) + i] - expected) < 1e-5, $"voxel {i} class {c}");
                if (expected > bestValue)
                {
                    (best, bestValue) = (c, expected);
                }
            }

            Assert.Equal(best, result.Labels[i]);
        }
    }

    [Theory]
    [InlineData(5, 20, 7, 1)]
    [InlineData(19, 23, 30, 2)]
    [InlineData(9, 17, 13, 3)]
    public void One_fold_without_mirroring_aggregates_the_network_output_directly(int d, int h, int w, int batch)
    {
        // The single-run path skips the averaging buffer; with padding on some axes (smaller than the patch) the
        // logits must still be exactly the network's, cropped, and the estimate must not count the skipped buffers.
        var random = new Random(d + h + w);
        int[] size = [d, h, w];
        var image = Enumerable.Range(0, d * h * w).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        float[] scale = [1, -2, 0.5f], offset = [0, 0.3f, -0.1f];
        var logits = new float[3 * d * h * w];
        var options = new SlidingWindowOptions
        {
            PatchSize = [8, 16, 12],
            BatchSize = batch,
            LogitsHandler = (plane, values) =>
            {
                for (int c = 0; c < 3; c++)
                {
                    values.Slice(c * h * w, h * w).CopyTo(logits.AsSpan((((c * d) + plane) * h * w), h * w));
                }
            },
        };
        var predictor = new SlidingWindowPredictor([new PointwiseNetwork(scale, offset)], options);
        var twoFolds = new SlidingWindowPredictor([new PointwiseNetwork(scale, offset), new PointwiseNetwork(scale, offset)], options with { LogitsHandler = null });
        var result = predictor.Predict(image, size);
        Assert.Equal(1, predictor.RunsPerTile);
        for (int i = 0; i < image.Length; i++)
        {
            int best = 0;
            float bestValue = float.NegativeInfinity;
            for (int c = 0; c < 3; c++)
            {
                float expected = (scale[c] * image[i]) + offset[c];
                Assert.True(Math.Abs(logits[(c * image.Length) + i] - expected) < 1e-5, $"voxel {i} class {c}");
                if (expected > bestValue)
                {
                    (best, bestValue) = (c, expected);
                }
            }

            Assert.Equal(best, result.Labels[i]);
        }

        Assert.Equal(twoFolds.Predict(image, size).Labels, result.Labels);
        long patchBytes = 8L * 16 * 12 * sizeof(float);
        // Two identical folds need the averaging buffer (3 classes × batch × patch) on top.
        Assert.Equal(3 * batch * patchBytes, twoFolds.EstimateBytes(size) - predictor.EstimateBytes(size));
    }

    [Fact]
    public void Channels_reach_the_network_as_separate_planes_of_each_tile()
    {
        int[] size = [7, 11, 19];
        int voxels = 7 * 11 * 19;
        var image = new float[2 * voxels];
        for (int i = 0; i < voxels; i++)
        {
            image[i] = (float)Math.Sin(i * 0.3);
            image[voxels + i] = (float)Math.Cos(i * 0.7);
        }

        float[] a = [1, -1, 0.2f], b = [-0.5f, 0.3f, 1];
        var planes = new float[3 * voxels];
        var predictor = new SlidingWindowPredictor([new TwoChannelNetwork(a, b)], new SlidingWindowOptions
        {
            PatchSize = [4, 8, 8],
            MirrorAxes = [2],
            BatchSize = 3,
            LogitsHandler = (plane, values) =>
            {
                for (int c = 0; c < 3; c++)
                {
                    values.Slice(c * 11 * 19, 11 * 19).CopyTo(planes.AsSpan((((c * 7) + plane) * 11 * 19), 11 * 19));
                }
            },
        });
        predictor.Predict(image, size);
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < voxels; i++)
            {
                float expected = (a[c] * image[i]) + (b[c] * image[voxels + i]);
                Assert.True(Math.Abs(planes[(c * voxels) + i] - expected) < 1e-5, $"class {c} voxel {i}");
            }
        }
    }

    [Fact]
    public void Progress_fractions_increase_monotonically_to_one_with_an_eta()
    {
        var events = new List<InferenceProgress>();
        var predictor = new SlidingWindowPredictor([new PointwiseNetwork([1, -1], [0, 0])], new SlidingWindowOptions { PatchSize = [4, 4, 4], MirrorAxes = [0, 2] });
        predictor.Predict(new float[10 * 9 * 8], [10, 9, 8], new SynchronousProgress(events.Add));
        Assert.True(events.Count > 10);
        Assert.All(events, e => Assert.Equal(InferenceStages.Predict, e.Stage));
        Assert.Equal(0, events[0].Fraction);
        Assert.Equal(1, events[^1].Fraction);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.Second.Fraction >= p.First.Fraction));
        Assert.True(events.Zip(events.Skip(1)).Count(p => p.Second.Fraction > p.First.Fraction) >= 10);
        Assert.Equal(TimeSpan.Zero, events[^1].Eta);
    }

    [Fact]
    public void Cancellation_stops_within_one_network_run()
    {
        using var cts = new CancellationTokenSource();
        var network = new PointwiseNetwork([1, -1], [0, 0]) { AfterRun = runs => { if (runs == 5) { cts.Cancel(); } } };
        var predictor = new SlidingWindowPredictor([network], new SlidingWindowOptions { PatchSize = [4, 4, 4] });
        Assert.ThrowsAny<OperationCanceledException>(() => predictor.Predict(new float[40 * 40 * 40], [40, 40, 40], null, cts.Token));
        Assert.Equal(5, network.Runs);
    }

    [Fact]
    public void A_request_above_the_memory_limit_is_refused_before_allocating()
    {
        // 117 classes + background over a 512×512×824 CT in float32 slabs of one 128-plane patch: above 3 GiB.
        var predictor = new SlidingWindowPredictor([new PointwiseNetwork(new float[118], new float[118])], new SlidingWindowOptions { PatchSize = [128, 128, 128] });
        long estimate = predictor.EstimateBytes([824, 512, 512]);
        Assert.True(estimate > SlidingWindowOptions.DefaultMemoryLimitBytes);
        var small = new SlidingWindowPredictor([new PointwiseNetwork([1, 2], [0, 0])], new SlidingWindowOptions { PatchSize = [4, 4, 4], MemoryLimitBytes = 10_000 });
        var e = Assert.Throws<InferenceException>(() => small.Predict(new float[30 * 30 * 30], [30, 30, 30]));
        Assert.Contains("MiB", e.Message, StringComparison.Ordinal);
        Assert.Contains("30×30×30", e.Message, StringComparison.Ordinal);
        // The network's own workspace counts against the limit too.
        var fits = new SlidingWindowPredictor([new PointwiseNetwork([1, 2], [0, 0])], new SlidingWindowOptions { PatchSize = [4, 4, 4], MemoryLimitBytes = 1 << 20 });
        Assert.Equal(30 * 30 * 30, fits.Predict(new float[30 * 30 * 30], [30, 30, 30]).Labels.Length);
        var withWorkspace = new SlidingWindowPredictor([new PointwiseNetwork([1, 2], [0, 0])], new SlidingWindowOptions { PatchSize = [4, 4, 4], MemoryLimitBytes = 1 << 20, NetworkWorkspaceBytes = 1 << 20 });
        Assert.Throws<InferenceException>(() => withWorkspace.Predict(new float[30 * 30 * 30], [30, 30, 30]));
    }

    [Fact]
    public void Auto_precision_uses_half_sums_above_the_float_sum_budget_even_within_the_limit()
    {
        var folds = new ITileNetwork[] { new PointwiseNetwork([1, -1, 0.5f, 2], [0, 0.1f, 0, -0.2f]) };
        int[] size = [40, 48, 48];
        long floatSums = SlabAggregator.SumBytes(4, size, [16, 16, 16], AccumulatorPrecision.Single);
        Assert.Equal(4L * 4 * 16 * 48 * 48, floatSums);
        Assert.Equal(floatSums / 2, SlabAggregator.SumBytes(4, size, [16, 16, 16], AccumulatorPrecision.Half));
        var image = Enumerable.Range(0, 40 * 48 * 48).Select(i => (float)Math.Sin(i * 0.37)).ToArray();
        var within = new SlidingWindowPredictor(folds, new SlidingWindowOptions { PatchSize = [16, 16, 16], SingleSumsBudgetBytes = floatSums }).Predict(image, size);
        var above = new SlidingWindowPredictor(folds, new SlidingWindowOptions { PatchSize = [16, 16, 16], SingleSumsBudgetBytes = floatSums - 1 }).Predict(image, size);
        Assert.Equal(AccumulatorPrecision.Single, within.Precision);
        Assert.Equal(AccumulatorPrecision.Half, above.Precision);
        // The default budget keeps float32 for the 118-class model on example_ct_sm (30 × 101 × 122 at 3 mm) and
        // switches to half for a 512 × 512 × 458 CT at 3 mm (153 × 137 × 137).
        Assert.True(SlabAggregator.SumBytes(118, [30, 101, 122], [112, 112, 112], AccumulatorPrecision.Single) <= new SlidingWindowOptions { PatchSize = [1, 1, 1] }.SingleSumsBudgetBytes);
        Assert.True(SlabAggregator.SumBytes(118, [153, 137, 137], [112, 112, 112], AccumulatorPrecision.Single) > new SlidingWindowOptions { PatchSize = [1, 1, 1] }.SingleSumsBudgetBytes);
    }

    [Fact]
    public void Auto_precision_switches_to_half_sums_when_float_sums_exceed_the_limit()
    {
        var folds = new ITileNetwork[] { new PointwiseNetwork([1, -1, 0.5f, 2], [0, 0.1f, 0, -0.2f]) };
        int[] size = [40, 48, 48];
        var probe = new SlidingWindowPredictor(folds, new SlidingWindowOptions { PatchSize = [16, 16, 16] });
        long single = probe.EstimateBytes(size, AccumulatorPrecision.Single), half = probe.EstimateBytes(size, AccumulatorPrecision.Half);
        Assert.True(half < single);
        var image = Enumerable.Range(0, 40 * 48 * 48).Select(i => (float)Math.Sin(i * 0.37)).ToArray();
        var roomy = new SlidingWindowPredictor(folds, new SlidingWindowOptions { PatchSize = [16, 16, 16], MemoryLimitBytes = single }).Predict(image, size);
        var tight = new SlidingWindowPredictor(folds, new SlidingWindowOptions { PatchSize = [16, 16, 16], MemoryLimitBytes = (single + half) / 2 }).Predict(image, size);
        Assert.Equal(AccumulatorPrecision.Single, roomy.Precision);
        Assert.Equal(AccumulatorPrecision.Half, tight.Precision);
        Assert.Equal(half, tight.EstimatedPeakBytes);
        // Pointwise logits x, −x+0.1, x/2, 2x−0.2 are well separated except near their crossings.
        int differ = roomy.Labels.Zip(tight.Labels).Count(p => p.First != p.Second);
        Assert.True(differ < image.Length / 200, $"{differ} labels differ between float and half sums");
    }

    [Fact]
    public void Allocation_stays_near_the_estimate_and_far_below_classes_times_the_volume()
    {
        int[] size = [240, 48, 48];
        var scale = Enumerable.Range(0, 32).Select(c => (float)(c - 15.5)).ToArray();
        var predictor = new SlidingWindowPredictor([new PointwiseNetwork(scale, new float[32])], new SlidingWindowOptions { PatchSize = [8, 16, 16], BatchSize = 2 });
        var image = Enumerable.Range(0, 240 * 48 * 48).Select(i => (float)Math.Sin(i * 0.01)).ToArray();
        predictor.Predict(image, size); // JIT and thread pool warm-up
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var result = predictor.Predict(image, size);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        long wholeVolumeLogits = 32L * 240 * 48 * 48 * sizeof(float);
        // Everything allocated over the whole run (not just the peak, so also the thread pool's per-loop garbage)
        // stays below a quarter of what one classes × volume float32 array would take.
        Assert.True(allocated < wholeVolumeLogits / 4, $"allocated {allocated} bytes; classes × volume would be {wholeVolumeLogits}; estimate {result.EstimatedPeakBytes}");
        Assert.True(result.EstimatedPeakBytes < wholeVolumeLogits / 4);
        Assert.True(allocated >= result.EstimatedPeakBytes / 2, $"allocated {allocated} bytes, less than half the estimate {result.EstimatedPeakBytes}: the estimate is off");
    }

    [Fact]
    public void Bad_requests_are_inference_errors()
    {
        var predictor = new SlidingWindowPredictor([new PointwiseNetwork([1, 2], [0, 0])], new SlidingWindowOptions { PatchSize = [4, 4, 4] });
        Assert.Throws<InferenceException>(() => predictor.Predict(new float[10], [3, 3, 3]));
        Assert.Throws<InferenceException>(() => new SlidingWindowPredictor([new PointwiseNetwork([1], [0])], new SlidingWindowOptions { PatchSize = [4, 4, 4], MirrorAxes = [0, 3] }));
        Assert.Throws<InferenceException>(() => new SlidingWindowPredictor([new PointwiseNetwork([1], [0]), new PointwiseNetwork([1, 2], [0, 0])], new SlidingWindowOptions { PatchSize = [4, 4, 4] }));
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; tests need events in order, on the calling thread.</summary>
    private sealed class SynchronousProgress(Action<InferenceProgress> handler) : IProgress<InferenceProgress>
    {
        public void Report(InferenceProgress value) => handler(value);
    }
}
