using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using SegWeb.Inference.Runtime.DirectKernels;
using SegWeb.Inference.SlidingWindow;
using SegWeb.Models;
using SegWeb.Models.Onnx;

namespace SegWeb.Inference.Runtime;

/// <summary>
/// One ONNX Runtime <see cref="InferenceSession"/> per ONNX file, created on first use and reused for every later
/// scan: loading and optimising a U-Net takes seconds, a sliding window runs it hundreds of times. Hold one cache
/// per process (the CLI for its run, the server for its lifetime) and dispose it at exit.
/// </summary>
public sealed class ModelSessionCache : IDisposable
{
    /// <summary>Key suffix of a session over the network without its classifier.</summary>
    private const string SplitSuffix = "#features";

    private readonly ConcurrentDictionary<string, Lazy<LoadedModel>> _sessions = new(StringComparer.Ordinal);
    private readonly InferenceRuntimeOptions _options;
    private ExecutionProviderKind? _resolved;
    private bool _disposed;
    private int _created;

    /// <summary>Creates an empty cache whose sessions use <paramref name="options"/>.</summary>
    public ModelSessionCache(InferenceRuntimeOptions? options = null)
    {
        _options = options ?? new InferenceRuntimeOptions();
    }

    /// <summary>The options sessions are created with.</summary>
    public InferenceRuntimeOptions Options => _options;

    /// <summary>The provider actually in use after the first session (Auto resolves to Cuda or Cpu); null before.</summary>
    public ExecutionProviderKind? ResolvedProvider => _resolved;

    /// <summary>Number of sessions loaded.</summary>
    public int Count => _sessions.Count;

    /// <summary>Sessions created over the cache's life (a reused session is not counted again): how callers prove reuse.</summary>
    public int SessionsCreated => Volatile.Read(ref _created);

    /// <summary>
    /// Loads ONNX Runtime's native library and creates its environment (30–40 ms, once per process), so that a caller
    /// with an idle core can take that off the first session's load. Safe to call from any thread, any number of times.
    /// </summary>
    public static void WarmUpRuntime() => _ = OrtEnv.Instance();

    /// <summary>The session for <paramref name="onnxPath"/>, loading it on first use.</summary>
    public InferenceSession Get(string onnxPath) => Load(onnxPath, null, null).Session.Session;

    private LoadedModel Load(string onnxPath, string? splitOutput, FixedPatch? patch)
    {
        ArgumentNullException.ThrowIfNull(onnxPath);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var path = Path.GetFullPath(onnxPath);
        var key = (splitOutput is null ? path : path + SplitSuffix) + patch?.Key;
        var lazy = _sessions.GetOrAdd(key, _ => new Lazy<LoadedModel>(() => Create(path, splitOutput, patch), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A failed load (bad file, missing provider) must not poison the cache for a later corrected attempt.
            _sessions.TryRemove(new KeyValuePair<string, Lazy<LoadedModel>>(key, lazy));
            throw;
        }
    }

    /// <summary>
    /// Disposes and forgets the session of <paramref name="onnxPath"/>, if loaded; a later <see cref="Get"/> loads it
    /// again. For one-shot runs of multi-part models (a CLI run of TotalSegmentator's five `total` parts): each part's
    /// session holds its weights (about 250 MB for a 1.5 mm part, pre-packed copies included) for as long as it is
    /// cached, and a process that runs each part once gains nothing by keeping them. A pass running on the session is
    /// stopped and waited for; runners over it throw <see cref="ObjectDisposedException"/> afterwards.
    /// </summary>
    /// <returns>True when a session was released.</returns>
    public bool Release(string onnxPath)
    {
        ArgumentNullException.ThrowIfNull(onnxPath);
        ObjectDisposedException.ThrowIf(_disposed, this);
        bool released = false;
        var path = Path.GetFullPath(onnxPath);
        foreach (var key in _sessions.Keys.Where(k => k == path || k.StartsWith(path + "#", StringComparison.Ordinal)).ToList())
        {
            if (_sessions.TryRemove(key, out var lazy) && lazy.IsValueCreated)
            {
                lazy.Value.Session.Dispose(); // stops and waits for passes still running on it
                released = true;
            }
        }

        return released;
    }

    /// <summary>
    /// A runner over the cached session of <paramref name="onnxPath"/>. With <paramref name="patchSize"/>, the session
    /// is planned for that patch only (see <see cref="FixedPatch"/>) and must be run with it.
    /// </summary>
    public OnnxModelRunner Runner(string onnxPath, string inputName = "input", string outputName = "logits", IReadOnlyList<int>? patchSize = null) =>
        new(Load(onnxPath, null, FixedPatch.Of(inputName, patchSize)).Session, onnxPath, inputName, outputName);

    /// <summary>
    /// A runner for a single-fold part: when <see cref="InferenceRuntimeOptions.SplitClassifierHead"/> is on and the
    /// network ends in a 1×1 convolution with more classes than features, over the network without it (outputs the
    /// features, <see cref="OnnxModelRunner.Head"/> set); otherwise the same as <see cref="Runner(string, string, string)"/>.
    /// </summary>
    public OnnxModelRunner SingleFoldRunner(string onnxPath, string inputName = "input", string outputName = "logits", IReadOnlyList<int>? patchSize = null)
    {
        if (!_options.SplitClassifierHead)
        {
            return Runner(onnxPath, inputName, outputName, patchSize);
        }

        var loaded = Load(onnxPath, outputName, FixedPatch.Of(inputName, patchSize));
        return new OnnxModelRunner(loaded.Session, onnxPath, inputName, loaded.OutputName, loaded.Head);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var lazy in _sessions.Values)
        {
            if (lazy.IsValueCreated)
            {
                lazy.Value.Session.Dispose();
            }
        }

        _sessions.Clear();
    }

    private LoadedModel Create(string path, string? splitOutput, FixedPatch? patch)
    {
        if (!File.Exists(path))
        {
            throw new InferenceException($"{path}: ONNX model not found");
        }

        ClassifierHeadSplit? split = null;
        if (splitOutput is not null)
        {
            try
            {
                split = ClassifierHeadSplit.TrySplit(File.ReadAllBytes(path), splitOutput, out _, onlyIfNarrower: true);
            }
            catch (ModelFormatException ex)
            {
                throw new InferenceException($"{path}: not a readable ONNX model: {ex.Message}", ex);
            }
        }

        var kind = _resolved ?? _options.Provider;
        using var sessionOptions = ExecutionProviders.CreateSessionOptions(_options, kind, out var resolved);
        byte[]? model = split?.TrunkModel;
        string variant = split is null ? "logits" : "features";
        try
        {
            if (patch is not null && patch.Apply(model ??= File.ReadAllBytes(path), sessionOptions) is { Length: > 0 } fixedDims)
            {
                variant += "+" + fixedDims;
            }

            if (_options.DirectKernels && resolved == ExecutionProviderKind.Cpu && SegWebOperators.IsSupported
                && CpuOperatorRewrite.TryRewrite(model ?? File.ReadAllBytes(path), out _) is { } direct)
            {
                SegWebOperators.Register(sessionOptions);
                model = direct;
                variant += "+segweb-kernels";
            }
        }
        catch (ModelFormatException ex)
        {
            throw new InferenceException($"{path}: not a readable ONNX model: {ex.Message}", ex);
        }

        try
        {
            var session = _options.OptimizedModelCacheDirectory is { Length: > 0 } directory
                ? OptimizedModelCache.Create(path, model, variant, directory, sessionOptions, resolved, _options.Warning)
                : model is null ? new InferenceSession(path, sessionOptions) : new InferenceSession(model, sessionOptions);
            _resolved = resolved;
            Interlocked.Increment(ref _created);
            var guarded = new GuardedSession(session, path);
            var loaded = split is null
                ? new LoadedModel(guarded, splitOutput ?? string.Empty, null)
                : new LoadedModel(guarded, split.FeatureOutput, new ClassifierHead(split.Classes, split.Features, split.Weights, split.Bias));
            if (model is not null)
            {
                // The model's bytes (read, split, rewritten: two or three copies of the weights) are garbage now that
                // ONNX Runtime holds its own. Left to the GC they stayed committed through the first forward passes:
                // 1411 against 1241 MB peak on the --fast example.
                model = null;
                split = null;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }

            return loaded;
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InferenceException($"{path}: ONNX Runtime cannot load the model: {ex.Message}", ex);
        }
    }

    /// <summary>A session and, for a split network, its output and classifier.</summary>
    private sealed record LoadedModel(GuardedSession Session, string OutputName, ClassifierHead? Head);
}
