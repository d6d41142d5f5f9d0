using System.Text.Json;
using SegWeb.Inference.Runtime;

namespace SegWeb.Cli.Bench.Segment;

/// <summary>What a benchmark child process runs (serialised into <see cref="ChildProcess.Variable"/>).</summary>
internal sealed record ChildRequest
{
    /// <summary>"forward" (<see cref="RuntimeOptionsBenchmark"/>) or "pipeline" (<see cref="ChildCases"/>).</summary>
    public required string Case { get; init; }

    /// <summary>ONNX file (forward case).</summary>
    public string? Onnx { get; init; }

    /// <summary>Patch of the forward case.</summary>
    public int[]? Patch { get; init; }

    /// <summary>Forward passes to time (forward case).</summary>
    public int Runs { get; init; } = 2;

    /// <summary>ONNX Runtime allocator.</summary>
    public CpuArenaMode Arena { get; init; } = CpuArenaMode.Off;

    /// <summary>ONNX Runtime memory pattern.</summary>
    public bool Pattern { get; init; } = true;

    /// <summary>ONNX Runtime thread spinning.</summary>
    public bool Spinning { get; init; }

    /// <summary>Forward case: run the network without its final 1×1 convolution (when it has more classes than features).</summary>
    public bool ForwardWithoutClassifier { get; init; }

    /// <summary>Folder for optimised models (null: none).</summary>
    public string? OptimizedModelCache { get; init; }

    /// <summary>Input scan (pipeline case).</summary>
    public string? Input { get; init; }

    /// <summary>Model package folders, run one after another on the same scan, labels merged (pipeline case).</summary>
    public string[]? Packages { get; init; }

    /// <summary>Output folder (pipeline case).</summary>
    public string? Output { get; init; }

    /// <summary>
    /// Forward passes actually run per part; later tiles reuse the last output (aggregation still
    /// runs on every tile) and the forward time is extrapolated. 0: every tile runs.
    /// </summary>
    public int SampledForwardPasses { get; init; }

    /// <summary>Release each part's session once it has run (a one-shot CLI run), instead of keeping all (a server).</summary>
    public bool ReleaseSessions { get; init; }

    /// <summary>Apply a single-fold network's classifier after aggregation (SegWeb's default), or keep it in the network.</summary>
    public bool SplitClassifierHead { get; init; } = true;

    /// <summary>Run 3×3×3 convolutions and instance norm + leaky ReLU on SegWeb's kernels (the default) or on ONNX Runtime's.</summary>
    public bool DirectKernels { get; init; } = true;

    /// <summary>Serialises the request.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Parses a request.</summary>
    public static ChildRequest Parse(string json) =>
        JsonSerializer.Deserialize<ChildRequest>(json) ?? throw new InvalidOperationException("empty benchmark child request");
}
