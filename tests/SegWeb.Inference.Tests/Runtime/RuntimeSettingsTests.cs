using SegWeb.Inference.Runtime;
using SegWeb.Inference.Tests.Pipeline;

namespace SegWeb.Inference.Tests.Runtime;

/// <summary>ONNX Runtime's memory and threading settings change memory and speed, never the network's output.</summary>
public sealed class RuntimeSettingsTests(DemoPackageFixture demo) : IClassFixture<DemoPackageFixture>
{
    [Fact]
    public void Every_allocator_and_spinning_setting_gives_the_same_logits()
    {
        var reference = Forward(new InferenceRuntimeOptions { CpuArena = CpuArenaMode.Grow, MemoryPattern = true, AllowSpinning = true }, out _);
        Assert.Contains(reference, v => v != 0);
        foreach (var arena in Enum.GetValues<CpuArenaMode>())
        {
            foreach (bool pattern in new[] { true, false })
            {
                var logits = Forward(new InferenceRuntimeOptions { CpuArena = arena, MemoryPattern = pattern, AllowSpinning = !pattern, IntraOpThreads = 2 }, out _);
                Assert.True(MaxRelativeDifference(reference, logits) < 1e-5, $"{arena}, memory pattern {pattern}: logits differ by {MaxRelativeDifference(reference, logits)}");
            }
        }
    }

    [Fact]
    public void A_saved_optimised_model_is_reused_gives_the_same_logits_and_is_replaced_when_broken()
    {
        using var dir = new TempDirectory();
        var plain = Forward(new InferenceRuntimeOptions(), out _);

        var cached = new InferenceRuntimeOptions { OptimizedModelCacheDirectory = dir.Path };
        var first = Forward(cached, out _);
        var saved = Assert.Single(Directory.GetFiles(dir.Path));
        Assert.EndsWith(".optimized.onnx", saved, StringComparison.Ordinal);
        var second = Forward(cached, out _);
        Assert.True(MaxRelativeDifference(plain, first) < 1e-5);
        Assert.True(MaxRelativeDifference(plain, second) < 1e-5);

        // A truncated cache file is not an error: it is reported, replaced, and the model still runs.
        File.WriteAllBytes(saved, File.ReadAllBytes(saved)[..100]);
        var warnings = new List<string>();
        var third = Forward(cached with { Warning = warnings.Add }, out _);
        Assert.Contains(warnings, w => w.Contains("unusable", StringComparison.Ordinal));
        Assert.True(new FileInfo(saved).Length > 100);
        Assert.True(MaxRelativeDifference(plain, third) < 1e-5);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void A_released_session_is_disposed_and_loaded_again_on_next_use()
    {
        var part = demo.Package.Manifest.Parts[0];
        var file = demo.Package.FoldFiles(part)[0];
        using var cache = new ModelSessionCache();
        var first = cache.Get(file);
        Assert.True(cache.Release(file));
        Assert.Equal(0, cache.Count);
        Assert.False(cache.Release(file));
        var second = cache.Get(file);
        Assert.NotSame(first, second);
        Assert.Equal(1, cache.Count);
        Assert.NotEmpty(second.InputMetadata);
    }

    [Fact]
    public void Forward_pass_statistics_count_every_tile_and_its_time()
    {
        var before = ForwardPassStatistics.Snapshot();
        Forward(new InferenceRuntimeOptions(), out int runs);
        var delta = ForwardPassStatistics.Snapshot().Since(before);
        // Other tests may run networks at the same time: at least ours are counted.
        Assert.True(delta.Tiles >= runs && delta.Passes >= runs, $"{delta.Passes} passes, {delta.Tiles} tiles after {runs} runs");
        Assert.True(delta.Elapsed > TimeSpan.Zero);
    }

    /// <summary>Two forward passes of one seeded tile through the demo network with <paramref name="options"/>; returns the second's logits.</summary>
    private float[] Forward(InferenceRuntimeOptions options, out int runs)
    {
        var package = demo.Package;
        var part = package.Manifest.Parts[0];
        var patch = package.Manifest.PatchSize;
        using var cache = new ModelSessionCache(options);
        var runner = cache.Runner(package.FoldFiles(part)[0], part.Network.InputName, part.Network.OutputName);
        int voxels = patch[0] * patch[1] * patch[2];
        var random = new Random(7);
        var input = Enumerable.Range(0, voxels).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        var output = new float[runner.OutputChannels * voxels];
        runner.Run(input, output, 1, patch, CancellationToken.None);
        runner.Run(input, output, 1, patch, CancellationToken.None);
        runs = 2;
        return output;
    }

    private static double MaxRelativeDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double scale = Math.Max(1e-6, a.Max(Math.Abs));
        return a.Zip(b, (x, y) => Math.Abs(x - y) / scale).Max();
    }
}
