using Microsoft.ML.OnnxRuntime;

namespace SegWeb.Inference.Runtime;

/// <summary>
/// Turns <see cref="InferenceRuntimeOptions"/> into ONNX Runtime session options. The CPU-only ONNX Runtime package
/// (the default build) has no CUDA/TensorRT provider: asking for one fails here with an
/// <see cref="InferenceException"/> saying how to get the GPU build, or, for Auto, falls back to CPU with a warning.
/// </summary>
public static class ExecutionProviders
{
    /// <summary>The providers this process's ONNX Runtime build offers (for example CPUExecutionProvider, CUDAExecutionProvider).</summary>
    public static IReadOnlyList<string> Available() => OrtEnv.Instance().GetAvailableProviders();

    /// <summary>Session options for <paramref name="kind"/>; <paramref name="resolved"/> is the provider actually configured.</summary>
    public static SessionOptions CreateSessionOptions(InferenceRuntimeOptions options, ExecutionProviderKind kind, out ExecutionProviderKind resolved)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        if (options.IntraOpThreads > 0)
        {
            sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
        }

        if (options.InterOpThreads > 0)
        {
            sessionOptions.InterOpNumThreads = options.InterOpThreads;
        }

        sessionOptions.EnableMemoryPattern = options.MemoryPattern;
        sessionOptions.EnableCpuMemArena = options.CpuArena != CpuArenaMode.Off;
        if (options.CpuArena == CpuArenaMode.SameAsRequested)
        {
            SharedCpuArena.EnsureRegistered();
            sessionOptions.AddSessionConfigEntry("session.use_env_allocators", "1");
        }

        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", options.AllowSpinning ? "1" : "0");

        try
        {
            switch (kind)
            {
                case ExecutionProviderKind.Cpu:
                    resolved = ExecutionProviderKind.Cpu;
                    break;
                case ExecutionProviderKind.Cuda:
                    AppendGpu(sessionOptions, options, tensorRt: false);
                    resolved = ExecutionProviderKind.Cuda;
                    break;
                case ExecutionProviderKind.TensorRT:
                    AppendGpu(sessionOptions, options, tensorRt: true);
                    resolved = ExecutionProviderKind.TensorRT;
                    break;
                case ExecutionProviderKind.Auto:
                    try
                    {
                        AppendGpu(sessionOptions, options, tensorRt: false);
                        resolved = ExecutionProviderKind.Cuda;
                    }
                    catch (InferenceException ex)
                    {
                        // Session options with a half-appended provider are not reusable: start again for CPU.
                        sessionOptions.Dispose();
                        options.Warning?.Invoke($"execution provider auto: CUDA unavailable ({ex.Message}); running on CPU");
                        return CreateSessionOptions(options, ExecutionProviderKind.Cpu, out resolved);
                    }

                    break;
                default:
                    throw new InferenceException($"unknown execution provider {kind}");
            }
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }

        return sessionOptions;
    }

    private static void AppendGpu(SessionOptions sessionOptions, InferenceRuntimeOptions options, bool tensorRt)
    {
        string name = tensorRt ? "TensorRT" : "CUDA";
        string providerName = tensorRt ? "TensorrtExecutionProvider" : "CUDAExecutionProvider";
        if (!Available().Contains(providerName, StringComparer.Ordinal))
        {
            throw new InferenceException(
                $"the {name} execution provider is not available in this build of ONNX Runtime (it offers {string.Join(", ", Available())}); " +
                "build SegWeb with -p:SegWebOnnxRuntimeGpu=true on a machine with CUDA (see docs/inference.md), or use --provider cpu or auto");
        }

        try
        {
            if (tensorRt)
            {
                sessionOptions.AppendExecutionProvider_Tensorrt(options.DeviceId);
            }

            // CUDA after TensorRT: nodes TensorRT cannot take fall to CUDA before CPU.
            sessionOptions.AppendExecutionProvider_CUDA(options.DeviceId);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            throw new InferenceException($"the {name} execution provider could not start on device {options.DeviceId}: {ex.Message} (are the CUDA/cuDNN{(tensorRt ? "/TensorRT" : string.Empty)} libraries installed and on the library path?)", ex);
        }
    }
}
