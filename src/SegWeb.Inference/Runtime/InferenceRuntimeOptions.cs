namespace SegWeb.Inference.Runtime;

/// <summary>How ONNX Runtime sessions are created: threads and execution provider. One set per process.</summary>
public sealed record InferenceRuntimeOptions
{
    /// <summary>Execution provider (default CPU).</summary>
    public ExecutionProviderKind Provider { get; init; } = ExecutionProviderKind.Cpu;

    /// <summary>GPU ordinal for CUDA/TensorRT.</summary>
    public int DeviceId { get; init; }

    /// <summary>Threads inside one operator (0: ONNX Runtime's default, one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads across independent operators (0: default); U-Nets are sequential, so rarely useful.</summary>
    public int InterOpThreads { get; init; }

    /// <summary>
    /// The CPU provider's allocator for activations. Default <see cref="CpuArenaMode.Off"/>: on the 112³ patch of the
    /// 118-class 3 mm model it cut a forward pass's peak RSS from 2260 MB (ONNX Runtime's arena) to 1476 MB
    /// (docs/inference.md, `segweb bench segment`).
    /// </summary>
    public CpuArenaMode CpuArena { get; init; } = CpuArenaMode.Off;

    /// <summary>
    /// ONNX Runtime's memory pattern: plan one block for a forward pass's tensors from the first run of a shape and
    /// allocate it at once on later runs (default on).
    /// </summary>
    public bool MemoryPattern { get; init; } = true;

    /// <summary>
    /// Let ONNX Runtime's intra-op threads spin while waiting for work (ONNX Runtime's default). Off by default
    /// here: between forward passes the sliding window aggregates on the .NET thread pool, and spinning threads
    /// would compete with it for the same cores (and with other processes on a shared machine).
    /// </summary>
    public bool AllowSpinning { get; init; }

    /// <summary>
    /// Folder where each model is saved after ONNX Runtime's graph optimisation, so a later process loads the
    /// optimised graph instead of optimising again (null: no cache). Files are keyed by the model's path, size,
    /// modification time, this ONNX Runtime version and the optimisation settings; a stale or broken file is replaced.
    /// </summary>
    public string? OptimizedModelCacheDirectory { get; init; }

    /// <summary>
    /// Run single-fold networks whose classes outnumber their last features without their final 1×1 convolution and
    /// apply it after aggregation (<see cref="SlidingWindow.ClassifierHead"/>; default on). Off gives nnU-Net's
    /// order of operations exactly, for comparisons.
    /// </summary>
    public bool SplitClassifierHead { get; init; } = true;

    /// <summary>
    /// Run the networks' 3×3×3 stride-1 convolutions and their instance normalisation + leaky ReLU pairs on SegWeb's
    /// AVX-512 kernels (ONNX Runtime custom operators, <see cref="DirectKernels.SegWebOperators"/>; default on; used
    /// only on the CPU provider and on CPUs with AVX-512F). ONNX Runtime still runs the graph and every other node.
    /// Results differ from ONNX Runtime's own kernels by float rounding only; off gives those, for comparisons.
    /// </summary>
    public bool DirectKernels { get; init; } = true;

    /// <summary>Receives warnings (for example the CPU fallback of <see cref="ExecutionProviderKind.Auto"/>).</summary>
    public Action<string>? Warning { get; init; }

    /// <summary>Parses cpu|cuda|tensorrt|auto (case-insensitive), as the CLI and server configuration spell it.</summary>
    public static ExecutionProviderKind ParseProvider(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToUpperInvariant() switch
        {
            "CPU" => ExecutionProviderKind.Cpu,
            "CUDA" => ExecutionProviderKind.Cuda,
            "TENSORRT" or "TRT" => ExecutionProviderKind.TensorRT,
            "AUTO" => ExecutionProviderKind.Auto,
            _ => throw new InferenceException($"unknown execution provider '{text}' (expected cpu, cuda, tensorrt or auto)"),
        };
    }
}
