namespace SegWeb.Inference.Runtime;

/// <summary>Where ONNX Runtime runs the networks.</summary>
public enum ExecutionProviderKind
{
    /// <summary>The CPU provider (always present).</summary>
    Cpu,

    /// <summary>NVIDIA CUDA; needs the GPU build of ONNX Runtime (see docs/inference.md). Missing: an error.</summary>
    Cuda,

    /// <summary>NVIDIA TensorRT (with CUDA as fallback for unsupported nodes); needs the GPU build. Missing: an error.</summary>
    TensorRT,

    /// <summary>CUDA when it can be started, otherwise CPU with a logged warning.</summary>
    Auto,
}
