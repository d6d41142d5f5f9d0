using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SegWeb.Inference.Runtime.DirectKernels;

/// <summary>
/// Instance normalisation followed by leaky ReLU, the pair after every convolution of nnU-Net's U-Nets, in one pass
/// per channel: statistics (sum and sum of squares of x − x₀, in double across 4096-value float blocks), then
/// y = max(z, αz) with z = (x − mean) / √(var + ε) · scale + bias. ONNX Runtime runs the two as separate nodes, the
/// normalisation on one thread; here a channel is read twice (the second time from cache) and written once, and
/// channels run in parallel. Contract: 0 ≤ α ≤ 1 (max(z, αz) is leaky ReLU only then).
/// </summary>
internal static unsafe class InstanceNormLeakyRelu
{
    private const int StatisticsBlock = 4096;

    /// <summary>Normalises one (batch item, channel) plane: <paramref name="job"/> = item · channels + channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunChannel(float* input, float* output, float* scale, float* bias, int channels, long spatial, float epsilon, float alpha, long job)
    {
        int channel = (int)(job % channels);
        float* x = input + (job * spatial);
        float* y = output + (job * spatial);
        // Sums of x − x₀ rather than x: the variance is a difference of two sums, and shifting by a value from the
        // channel keeps them of the variance's size instead of the squared mean's: on channels whose mean is several
        // standard deviations, 8e-6 from a double-precision reference without the shift, 4e-7 with it.
        float shift = x[0];
        var vshift = Vector512.Create(shift);
        double sum = 0, squares = 0;
        for (long start = 0; start < spatial; start += StatisticsBlock)
        {
            long end = Math.Min(spatial, start + StatisticsBlock);
            var s = Vector512<float>.Zero;
            var q = Vector512<float>.Zero;
            long i = start;
            for (; i + 16 <= end; i += 16)
            {
                var v = Vector512.Load(x + i) - vshift;
                s += v;
                q = Vector512.FusedMultiplyAdd(v, v, q);
            }

            float tailSum = 0, tailSquares = 0;
            for (; i < end; i++)
            {
                float v = x[i] - shift;
                tailSum += v;
                tailSquares += v * v;
            }

            sum += (double)Vector512.Sum(s) + tailSum;
            squares += (double)Vector512.Sum(q) + tailSquares;
        }

        double shiftedMean = sum / spatial;
        double mean = shift + shiftedMean;
        double variance = Math.Max(0, (squares / spatial) - (shiftedMean * shiftedMean));
        double gain = scale[channel] / Math.Sqrt(variance + epsilon);
        float a = (float)gain, b = (float)(bias[channel] - (mean * gain));
        var va = Vector512.Create(a);
        var vb = Vector512.Create(b);
        var valpha = Vector512.Create(alpha);
        long k = 0;
        for (; k + 16 <= spatial; k += 16)
        {
            var z = Vector512.FusedMultiplyAdd(Vector512.Load(x + k), va, vb);
            Vector512.Max(z, z * valpha).Store(y + k);
        }

        for (; k < spatial; k++)
        {
            float z = MathF.FusedMultiplyAdd(x[k], a, b);
            y[k] = Math.Max(z, z * alpha);
        }
    }
}
