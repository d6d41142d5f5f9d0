using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;

namespace SegWeb.Inference.Runtime;

/// <summary>
/// Saved ONNX Runtime-optimised graphs (<see cref="InferenceRuntimeOptions.OptimizedModelCacheDirectory"/>). The
/// first session of a model optimises it as usual and saves the result (SessionOptions.OptimizedModelFilePath);
/// later processes load that file with graph optimisation off. An ORT_ENABLE_ALL graph may hold layout choices for
/// this CPU (NCHWc blocking), so the key includes the instruction sets as well as the model file's identity and
/// the ONNX Runtime version: a different machine or version optimises afresh.
/// </summary>
internal static class OptimizedModelCache
{
    /// <summary>
    /// Creates the session for <paramref name="modelPath"/> through the cache in <paramref name="directory"/>;
    /// <paramref name="rewritten"/>, when given, is the model as SegWeb changed it in memory (a split classifier, direct
    /// convolutions), cached under its own name: <paramref name="variant"/> names those changes.
    /// </summary>
    public static InferenceSession Create(string modelPath, byte[]? rewritten, string variant, string directory, SessionOptions options, ExecutionProviderKind provider, Action<string>? warning)
    {
        Directory.CreateDirectory(directory);
        string cached = Path.Combine(directory, CachedName(modelPath, provider, options.GraphOptimizationLevel, variant));
        if (File.Exists(cached))
        {
            var level = options.GraphOptimizationLevel;
            options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
            try
            {
                return new InferenceSession(cached, options);
            }
            catch (OnnxRuntimeException ex)
            {
                // A truncated or foreign file: drop it and optimise the original again.
                warning?.Invoke($"{cached}: saved optimised model unusable ({ex.Message}); optimising {modelPath} again");
                File.Delete(cached);
            }
            finally
            {
                options.GraphOptimizationLevel = level;
            }
        }

        // ONNX Runtime writes the file while it builds the session; a temporary name keeps a half-written file from
        // ever being taken for a cached model.
        string temporary = Path.Combine(directory, $".{Path.GetFileName(cached)}.{Guid.NewGuid():N}.tmp");
        options.OptimizedModelFilePath = temporary;
        try
        {
            var session = rewritten is null ? new InferenceSession(modelPath, options) : new InferenceSession(rewritten, options);
            if (File.Exists(temporary))
            {
                File.Move(temporary, cached, overwrite: true);
            }

            return session;
        }
        finally
        {
            options.OptimizedModelFilePath = string.Empty;
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>File name of the saved graph: the model's name plus a hash of everything the optimised graph depends on.</summary>
    public static string CachedName(string modelPath, ExecutionProviderKind provider, GraphOptimizationLevel level, string variant = "")
    {
        var file = new FileInfo(modelPath);
        var identity = string.Join('|',
            file.FullName, file.Length, file.LastWriteTimeUtc.Ticks, OrtEnv.Instance().GetVersionString(), provider, level, variant,
            Avx2.IsSupported, Avx512F.IsSupported, Avx512BW.IsSupported, AvxVnni.IsSupported, System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
        return $"{Path.GetFileNameWithoutExtension(modelPath)}.{hash}.optimized.onnx";
    }
}
