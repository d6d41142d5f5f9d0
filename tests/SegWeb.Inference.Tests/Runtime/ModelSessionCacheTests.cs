using SegWeb.Inference.Runtime;
using SegWeb.Inference.SlidingWindow;

namespace SegWeb.Inference.Tests.Runtime;

public sealed class ModelSessionCacheTests
{
    [Fact]
    public void The_same_session_serves_repeated_runs_and_scans()
    {
        using var dir = new TempDirectory();
        var path = TinyOnnx.WritePointwise(dir.File("a.onnx"), [1, -1, 0.5f], [0, 0.5f, 0.25f]);
        using var cache = new ModelSessionCache(new InferenceRuntimeOptions { IntraOpThreads = 1 });
        var first = cache.Runner(path);
        var second = cache.Runner(Path.Combine(dir.Path, ".", "a.onnx"));
        Assert.Same(first.Session, second.Session);
        Assert.Same(cache.Get(path), first.Session);
        Assert.Equal(1, cache.Count);
        Assert.Equal(ExecutionProviderKind.Cpu, cache.ResolvedProvider);
        Assert.Equal(1, first.InputChannels);
        Assert.Equal(3, first.OutputChannels);

        // Two "scans" through the same runner: ONNX Runtime computes the pointwise logits exactly.
        var predictor = new SlidingWindowPredictor([first], new SlidingWindowOptions { PatchSize = [4, 6, 8], BatchSize = 2, MirrorAxes = [1] });
        for (int scan = 0; scan < 2; scan++)
        {
            int[] size = [5 + scan, 9, 7];
            var image = Enumerable.Range(0, size[0] * 9 * 7).Select(i => (float)Math.Sin(i + scan)).ToArray();
            var labels = predictor.Predict(image, size).Labels;
            for (int i = 0; i < image.Length; i++)
            {
                float[] logits = [image[i], -image[i] + 0.5f, (0.5f * image[i]) + 0.25f];
                Assert.Equal(Array.IndexOf(logits, logits.Max()), labels[i]);
            }
        }

        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Cuda_on_a_machine_without_it_is_a_clear_error()
    {
        using var dir = new TempDirectory();
        var path = TinyOnnx.WritePointwise(dir.File("a.onnx"), [1, 2], [0, 0]);
        foreach (var kind in new[] { ExecutionProviderKind.Cuda, ExecutionProviderKind.TensorRT })
        {
            if (ExecutionProviders.Available().Contains(kind == ExecutionProviderKind.Cuda ? "CUDAExecutionProvider" : "TensorrtExecutionProvider"))
            {
                continue; // a GPU build: nothing to refuse
            }

            using var cache = new ModelSessionCache(new InferenceRuntimeOptions { Provider = kind });
            var e = Assert.Throws<InferenceException>(() => cache.Get(path));
            Assert.Contains(kind == ExecutionProviderKind.Cuda ? "CUDA" : "TensorRT", e.Message, StringComparison.Ordinal);
            Assert.Contains("not available", e.Message, StringComparison.Ordinal);
            Assert.Contains("SegWebOnnxRuntimeGpu", e.Message, StringComparison.Ordinal);
            Assert.Equal(0, cache.Count);
        }
    }

    [SkippableFact]
    public void Auto_falls_back_to_cpu_with_a_warning()
    {
        Skip.If(ExecutionProviders.Available().Contains("CUDAExecutionProvider"), "this ONNX Runtime build has CUDA; the fallback cannot be observed");
        using var dir = new TempDirectory();
        var path = TinyOnnx.WritePointwise(dir.File("a.onnx"), [1, 2], [0, 0]);
        var warnings = new List<string>();
        using var cache = new ModelSessionCache(new InferenceRuntimeOptions { Provider = ExecutionProviderKind.Auto, Warning = warnings.Add });
        Assert.NotNull(cache.Get(path));
        Assert.Equal(ExecutionProviderKind.Cpu, cache.ResolvedProvider);
        Assert.Single(warnings);
        Assert.Contains("CPU", warnings[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_or_broken_models_and_unknown_providers_are_inference_errors()
    {
        using var dir = new TempDirectory();
        using var cache = new ModelSessionCache();
        var missing = dir.File("missing.onnx");
        Assert.Contains("missing.onnx", Assert.Throws<InferenceException>(() => cache.Get(missing)).Message, StringComparison.Ordinal);
        var broken = dir.File("broken.onnx");
        File.WriteAllBytes(broken, [1, 2, 3, 4, 5]);
        Assert.Contains("broken.onnx", Assert.Throws<InferenceException>(() => cache.Get(broken)).Message, StringComparison.Ordinal);
        Assert.Equal(0, cache.Count);
        Assert.Equal(ExecutionProviderKind.TensorRT, InferenceRuntimeOptions.ParseProvider("TensorRT"));
        Assert.Equal(ExecutionProviderKind.Auto, InferenceRuntimeOptions.ParseProvider(" auto "));
        Assert.Throws<InferenceException>(() => InferenceRuntimeOptions.ParseProvider("rocm"));
    }
}
