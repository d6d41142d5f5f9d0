using Microsoft.ML.OnnxRuntime;

namespace SegWeb.Inference.Runtime;

/// <summary>
/// The process-wide CPU arena behind <see cref="CpuArenaMode.SameAsRequested"/>: registered once with the ONNX
/// Runtime environment (a second registration is an error there), then shared by every session that opts in.
/// </summary>
internal static class SharedCpuArena
{
    // ONNX Runtime's ArenaExtendStrategy: 0 = kNextPowerOfTwo, 1 = kSameAsRequested.
    private const int SameAsRequested = 1;
    private static readonly Lock Gate = new();
    private static bool _registered;

    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (_registered)
            {
                return;
            }

            using var memoryInfo = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
            // 0 / -1: ONNX Runtime's defaults for the limit, the first chunk and the dead bytes kept per chunk.
            using var arena = new OrtArenaCfg(0, SameAsRequested, -1, -1);
            try
            {
                OrtEnv.Instance().CreateAndRegisterAllocator(memoryInfo, arena);
            }
            catch (OnnxRuntimeException ex)
            {
                throw new InferenceException($"ONNX Runtime refused the shared CPU arena: {ex.Message}", ex);
            }

            _registered = true;
        }
    }
}
