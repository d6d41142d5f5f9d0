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
