using System.Diagnostics;
using SegWeb.Inference.Runtime;
using SegWeb.Inference.Tests.Pipeline;
using Xunit.Abstractions;

namespace SegWeb.Inference.Tests.Runtime;

/// <summary>
/// Regression: a server stopping while a job ran disposed the pipeline's ONNX Runtime sessions under a running forward
/// pass, and the test host died with a segfault in libonnxruntime.so (CI, Hangfire thread). Disposal now stops the pass
/// and waits for it; the pass and every later one end in an ObjectDisposedException naming the model.
/// </summary>
public sealed class SessionDisposalTests(DemoPackageFixture demo, ITestOutputHelper output) : IClassFixture<DemoPackageFixture>
{
    [Fact]
    public async Task Disposing_the_cache_under_running_passes_stops_them_instead_of_crashing_the_process()
    {
        var part = demo.Package.Manifest.Parts[0];
        string file = demo.Package.FoldFiles(part)[0];
        // Twice the patch on every axis (the U-Net is fully convolutional): long passes, so disposal lands inside one.
        int[] patch = [.. demo.Package.Manifest.PatchSize.Select(n => 2 * n)];
        var cache = new ModelSessionCache(new InferenceRuntimeOptions { IntraOpThreads = 1 });
        var runner = cache.Runner(file, part.Network.InputName, part.Network.OutputName);
        long voxels = (long)patch[0] * patch[1] * patch[2];
        var input = new float[voxels * runner.InputChannels];
        var result = new float[voxels * runner.OutputChannels];

        runner.Run(input, result, 1, patch, CancellationToken.None); // the first pass is slower (allocations)
        var clock = Stopwatch.StartNew();
        runner.Run(input, result, 1, patch, CancellationToken.None);
        var onePass = clock.Elapsed;

        using var running = new SemaphoreSlim(0);
        int passes = 0;
        var loop = Task.Run(() =>
        {
            while (true)
            {
                running.Release();
                runner.Run(input, result, 1, patch, CancellationToken.None);
                passes++;
            }
        });
        await running.WaitAsync();
        await Task.Delay(onePass / 2); // halfway into a pass
        clock.Restart();
        cache.Dispose();
        var disposeTook = clock.Elapsed;

        var stopped = await Assert.ThrowsAsync<ObjectDisposedException>(() => loop);
        output.WriteLine($"one pass {onePass.TotalMilliseconds:F0} ms; disposal took {disposeTook.TotalMilliseconds:F0} ms after {passes} passes; the loop ended with: {stopped.Message}");
        Assert.Contains(file, stopped.Message, StringComparison.Ordinal);
        var later = Assert.Throws<ObjectDisposedException>(() => runner.Run(input, result, 1, patch, CancellationToken.None));
        Assert.Contains("released", later.Message, StringComparison.Ordinal);
        cache.Dispose(); // twice is harmless
    }
}
