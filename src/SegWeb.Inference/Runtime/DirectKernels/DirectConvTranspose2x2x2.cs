using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SegWeb.Inference.Runtime.DirectKernels;

/// <summary>
/// A 2×2×2, stride-2 transposed convolution (nnU-Net's upsampling) on NCDHW float32 tensors:
/// Y[n, o, 2z + a, 2y + b, 2x + c] = B[o] + Σᵢ X[n, i, z, y, x] · W[i, o, a, b, c]. Each output voxel has exactly one
/// input voxel, so for one (a, b) this is a pointwise product per input row: 16 input x positions per AVX-512 vector,
/// 8 output channels × both c in 16 accumulators, one load and 16 FMAs per input channel, then the c = 0 and c = 1
/// results interleaved into 32 consecutive output x. ONNX Runtime's ConvTranspose ran these at about 50 GFLOP/s.
/// Weights come packed by <see cref="Models.Onnx.CpuOperatorRewrite.PackTransposedWeights"/> as
/// [out / 8][a][b][in][8 outputs × 2 c]. Contract: AVX-512F; output channels a multiple of <see cref="ChannelBlock"/>.
/// </summary>
internal static unsafe class DirectConvTranspose2x2x2
{
    /// <summary>Output channels computed together.</summary>
    public const int ChannelBlock = Models.Onnx.CpuOperatorRewrite.TransposedChannelBlock;

    private static readonly Vector512<int> LaneIndex = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    private static readonly Vector512<int> LowHalf = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    private static readonly Vector512<int> HighHalf = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);

    /// <summary>Jobs of <see cref="RunJob"/>: batch × output-channel blocks × input depth.</summary>
    public static long JobCount(in ConvShape input) => input.JobCount(ChannelBlock);

    /// <summary>
    /// One job: the two output planes 2z and 2z + 1 of one block of 8 output channels. <paramref name="shape"/> is the
    /// input's (Depth, Height, Width) with the output's channel count. Jobs write disjoint outputs.
    /// </summary>
    // Compiled optimised from the first call: a job's mask and offset loops ran at tier 0 for the whole first
    // forward pass (its first 30 calls and the wait for the rejit): the first 112³ pass took 3.95 s instead of 3.69 s.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunJob(in ConvShape shape, float* input, float* packedWeights, float* bias, float* output, long job)
    {
        int depth = shape.Depth, height = shape.Height, width = shape.Width, inputChannels = shape.InputChannels;
        var (n, block, z) = shape.Job(job, ChannelBlock);
        long inputPlane = (long)height * width, inputVolume = depth * inputPlane;
        long outputRow = 2L * width, outputPlane = 4L * inputPlane, outputVolume = 8L * inputVolume;
        float* batchInput = input + ((long)n * inputChannels * inputVolume) + (z * inputPlane);
        float* blockOutput = output + ((((long)n * shape.OutputChannels) + ((long)block * ChannelBlock)) * outputVolume);
        var blockBias = stackalloc float[ChannelBlock];
        ConvolutionJob.BlockBias(bias, block, ChannelBlock, blockBias);

        for (int a = 0; a < 2; a++)
        {
            for (int b = 0; b < 2; b++)
            {
                float* weights = packedWeights + ((((long)block * 4) + (a * 2) + b) * inputChannels * 2 * ChannelBlock);
                for (int y = 0; y < height; y++)
                {
                    float* row = batchInput + ((long)y * width);
                    float* target = blockOutput + ((2L * z + a) * outputPlane) + ((2L * y + b) * outputRow);
                    for (int x0 = 0; x0 < width; x0 += 16)
                    {
                        var inside = Vector512.LessThan(LaneIndex + Vector512.Create(x0), Vector512.Create(width));
                        var low = Vector512.LessThan(LaneIndex + Vector512.Create(2 * x0), Vector512.Create(2 * width)).AsSingle();
                        var high = Vector512.LessThan(LaneIndex + Vector512.Create((2 * x0) + 16), Vector512.Create(2 * width)).AsSingle();
                        Block(row + x0, inputVolume, inputChannels, weights, inside.AsSingle(), blockBias, target + (2 * x0), outputVolume, low, high);
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block(float* input, long inputVolume, int inputChannels, float* weights, Vector512<float> inside, float* bias,
        float* output, long outputVolume, Vector512<float> low, Vector512<float> high)
    {
        Vector512<float> a0 = Vector512.Create(bias[0]);
        Vector512<float> a1 = Vector512.Create(bias[0]);
        Vector512<float> a2 = Vector512.Create(bias[1]);
        Vector512<float> a3 = Vector512.Create(bias[1]);
        Vector512<float> a4 = Vector512.Create(bias[2]);
        Vector512<float> a5 = Vector512.Create(bias[2]);
        Vector512<float> a6 = Vector512.Create(bias[3]);
        Vector512<float> a7 = Vector512.Create(bias[3]);
        Vector512<float> a8 = Vector512.Create(bias[4]);
        Vector512<float> a9 = Vector512.Create(bias[4]);
        Vector512<float> a10 = Vector512.Create(bias[5]);
        Vector512<float> a11 = Vector512.Create(bias[5]);
        Vector512<float> a12 = Vector512.Create(bias[6]);
        Vector512<float> a13 = Vector512.Create(bias[6]);
        Vector512<float> a14 = Vector512.Create(bias[7]);
        Vector512<float> a15 = Vector512.Create(bias[7]);
        var zero = Vector512<float>.Zero;
        for (int i = 0; i < inputChannels; i++)
        {
            var v = Avx512F.MaskLoad(input + (i * inputVolume), inside, zero);
            float* q = weights + (i * 2 * ChannelBlock);
            a0 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[0]), a0);
            a1 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[1]), a1);
            a2 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[2]), a2);
            a3 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[3]), a3);
            a4 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[4]), a4);
            a5 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[5]), a5);
            a6 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[6]), a6);
            a7 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[7]), a7);
            a8 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[8]), a8);
            a9 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[9]), a9);
            a10 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[10]), a10);
            a11 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[11]), a11);
            a12 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[12]), a12);
            a13 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[13]), a13);
            a14 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[14]), a14);
            a15 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[15]), a15);
        }

        Interleave(a0, a1, output + (0 * outputVolume), low, high);
        Interleave(a2, a3, output + (1 * outputVolume), low, high);
        Interleave(a4, a5, output + (2 * outputVolume), low, high);
        Interleave(a6, a7, output + (3 * outputVolume), low, high);
        Interleave(a8, a9, output + (4 * outputVolume), low, high);
        Interleave(a10, a11, output + (5 * outputVolume), low, high);
        Interleave(a12, a13, output + (6 * outputVolume), low, high);
        Interleave(a14, a15, output + (7 * outputVolume), low, high);
    }

    /// <summary>Writes c = 0 and c = 1 results of 16 input positions as 32 consecutive output positions (masked at the row's end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave(Vector512<float> even, Vector512<float> odd, float* output, Vector512<float> low, Vector512<float> high)
    {
        Avx512F.MaskStore(output, low, Avx512F.PermuteVar16x32x2(even, LowHalf, odd));
        Avx512F.MaskStore(output + 16, high, Avx512F.PermuteVar16x32x2(even, HighHalf, odd));
    }
}
