using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SegWeb.Models.Tests.Parity;

/// <summary>Runs an exported model on ONNX Runtime (CPU) and compares logits with PyTorch's.</summary>
internal static class OnnxRunner
{
    public static float[] Run(string onnxPath, float[] input, int[] shape, out int[] outputShape)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(onnxPath, options);
        var tensor = new DenseTensor<float>(input, shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", tensor)]);
        var output = results.Single(r => r.Name == "logits").AsTensor<float>();
        outputShape = output.Dimensions.ToArray();
        return output.ToArray();
    }

    public static (float[] Data, int[] Shape) ReadFloat32(string npyPath)
    {
        var a = Npy.Read(npyPath);
        Assert.Equal("<f4", a.Descr);
        Assert.False(a.FortranOrder);
        return (System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(a.Data).ToArray(), a.Shape);
    }

    /// <summary>‖a−b‖ / ‖b‖ in double precision.</summary>
    public static double RelativeError(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = actual[i] - (double)expected[i];
            diff += d * d;
            norm += (double)expected[i] * expected[i];
        }

        return Math.Sqrt(diff) / Math.Sqrt(norm);
    }
}
