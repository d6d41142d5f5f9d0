using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SegWeb.Inference.Runtime.DirectKernels;

/// <summary>
/// A 3×3×3 convolution, stride 1, padding 1, on NCDHW float32 tensors: the convolution nnU-Net's U-Nets spend
/// most of their time in. ONNX Runtime's CPU kernel runs it as im2col + GEMM, which on this project's 2-core
/// AVX-512 machine reached about 145–170 GFLOP/s of the 230 GFLOP/s an FMA loop reaches; this direct kernel reaches
/// 190–205 (docs/inference.md, "Direct convolution").
/// <para>
/// Shape of the work: one output plane (n, d) of 16 output channels at a time, 16 consecutive voxels of the H×W plane
/// per AVX-512 vector (the plane is contiguous, so rows of any width fill every lane). For each input plane (channel,
/// kd) the nine (kh, kw)-shifted vectors are loaded once each and multiplied by 16 broadcast weights (144 FMAs per
/// nine loads), accumulating in 16 registers. Input planes outside the volume are skipped; lanes whose shifted
/// position leaves the plane's rows or columns are masked to zero, which is the convolution's zero padding. Weights
/// come packed by <see cref="Models.Onnx.CpuOperatorRewrite.PackWeights"/>, so the 16 weights one load needs are adjacent.
/// </para>
/// <para>Contract: every method requires AVX-512F (<see cref="IsSupported"/>); output channels a multiple of
/// <see cref="ChannelBlock"/>; H·W below 2³¹.</para>
/// </summary>
internal static unsafe class DirectConv3x3x3
{
    /// <summary>Output channels computed together (one AVX-512 register each).</summary>
    public const int ChannelBlock = Models.Onnx.CpuOperatorRewrite.ChannelBlock;

    /// <summary>Whether this CPU can run the kernel.</summary>
    public static bool IsSupported => Avx512F.IsSupported;

    [ThreadStatic]
    private static long[]? _planeOffsets;

    [ThreadStatic]
    private static long[]? _weightOffsets;

    private static readonly Vector512<int> LaneIndex = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    /// <summary>Number of independent jobs <see cref="RunJob"/> takes: batch × output-channel blocks × depth.</summary>
    public static long JobCount(in ConvShape shape) => shape.JobCount(ChannelBlock);

    /// <summary>
    /// Computes one job: the output plane (n, d) for one block of 16 output channels. Jobs write disjoint outputs, so
    /// any number may run at once. With <paramref name="secondInput"/>, the convolution's input is the channel
    /// concatenation of <paramref name="input"/> (its first <paramref name="firstChannels"/> channels) and
    /// <paramref name="secondInput"/> (the rest), read in place: a U-Net decoder's Concat is never materialised.
    /// </summary>
    // Compiled optimised from the first call: a job's mask and offset loops ran at tier 0 for the whole first
    // forward pass (its first 30 calls and the wait for the rejit): the first 112³ pass took 3.95 s instead of 3.69 s.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunJob(in ConvShape shape, float* input, float* packedWeights, float* bias, float* output, long job, float* secondInput = null, int firstChannels = 0)
    {
        int depth = shape.Depth, height = shape.Height, width = shape.Width, inputChannels = shape.InputChannels;
        var (n, block, d) = shape.Job(job, ChannelBlock);
        int plane = height * width;
        long volume = (long)depth * plane;
        if (secondInput is null)
        {
            firstChannels = inputChannels;
        }

        float* batchInput = input + ((long)n * firstChannels * volume);
        long secondOffset = secondInput is null ? 0 : (secondInput + ((long)n * (inputChannels - firstChannels) * volume)) - batchInput;
        float* blockWeights = packedWeights + ((long)block * inputChannels * 27 * ChannelBlock);
        float* blockOutput = output + ((((long)n * shape.OutputChannels) + ((long)block * ChannelBlock)) * volume) + ((long)d * plane);
        var blockBias = stackalloc float[ChannelBlock];
        ConvolutionJob.BlockBias(bias, block, ChannelBlock, blockBias);

        // The (input channel, kd) planes inside the volume, as offsets; shared by every block of the output plane.
        int capacity = inputChannels * 3;
        if (_planeOffsets is null || _planeOffsets.Length < capacity)
        {
            _planeOffsets = new long[capacity];
            _weightOffsets = new long[capacity];
        }

        int taps = 0;
        for (int i = 0; i < inputChannels; i++)
        {
            for (int kd = 0; kd < 3; kd++)
            {
                int id = d + kd - 1;
                if ((uint)id < (uint)depth)
                {
                    _planeOffsets[taps] = (i < firstChannels ? i * volume : secondOffset + ((i - firstChannels) * volume)) + ((long)id * plane);
                    _weightOffsets![taps] = (((long)i * 27) + (kd * 9)) * ChannelBlock;
                    taps++;
                }
            }
        }

        var columns = stackalloc int[16];
        var rows = stackalloc int[16];
        fixed (long* planeOffsets = _planeOffsets)
        fixed (long* weightOffsets = _weightOffsets)
        {
            for (int p0 = 0; p0 < plane; p0 += 16)
            {
                for (int lane = 0; lane < 16; lane++)
                {
                    int p = p0 + lane;
                    columns[lane] = p % width;
                    rows[lane] = p / width;
                }

                var x = Vector512.Load(columns);
                var y = Vector512.Load(rows);
                var inside = Vector512.LessThan(LaneIndex + Vector512.Create(p0), Vector512.Create(plane));
                var left = Vector512.GreaterThan(x, Vector512<int>.Zero);
                var right = Vector512.LessThan(x, Vector512.Create(width - 1));
                var up = Vector512.GreaterThan(y, Vector512<int>.Zero);
                var down = Vector512.LessThan(y, Vector512.Create(height - 1));
                Block(batchInput + p0, blockWeights, planeOffsets, weightOffsets, taps, width,
                    (inside & up & left).AsSingle(), (inside & up).AsSingle(), (inside & up & right).AsSingle(),
                    (inside & left).AsSingle(), inside.AsSingle(), (inside & right).AsSingle(),
                    (inside & down & left).AsSingle(), (inside & down).AsSingle(), (inside & down & right).AsSingle(),
                    blockBias, blockOutput + p0, volume);
            }
        }
    }

    // One flat loop and nothing else: with nested loops the JIT spilled the 16 accumulators to the stack around every
    // loop edge (62 against 199 GFLOP/s on 32 channels at 112³).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block(float* input, float* weights, long* planeOffsets, long* weightOffsets, int taps, int width,
        Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3, Vector512<float> inside, Vector512<float> m5,
        Vector512<float> m6, Vector512<float> m7, Vector512<float> m8, float* bias, float* output, long volume)
    {
        Vector512<float> a0 = Vector512.Create(bias[0]);
        Vector512<float> a1 = Vector512.Create(bias[1]);
        Vector512<float> a2 = Vector512.Create(bias[2]);
        Vector512<float> a3 = Vector512.Create(bias[3]);
        Vector512<float> a4 = Vector512.Create(bias[4]);
        Vector512<float> a5 = Vector512.Create(bias[5]);
        Vector512<float> a6 = Vector512.Create(bias[6]);
        Vector512<float> a7 = Vector512.Create(bias[7]);
        Vector512<float> a8 = Vector512.Create(bias[8]);
        Vector512<float> a9 = Vector512.Create(bias[9]);
        Vector512<float> a10 = Vector512.Create(bias[10]);
        Vector512<float> a11 = Vector512.Create(bias[11]);
        Vector512<float> a12 = Vector512.Create(bias[12]);
        Vector512<float> a13 = Vector512.Create(bias[13]);
        Vector512<float> a14 = Vector512.Create(bias[14]);
        Vector512<float> a15 = Vector512.Create(bias[15]);
        var zero = Vector512<float>.Zero;
        var m4 = inside;

        // (kh, kw) → offset within the plane; masked lanes are neither read nor faulted on.
        long o0 = -width - 1, o1 = -width, o2 = -width + 1, o3 = -1, o4 = 0, o5 = 1, o6 = width - 1, o7 = width, o8 = width + 1;
        for (int t = 0; t < taps; t++)
        {
            float* row = input + planeOffsets[t];
            float* q = weights + weightOffsets[t];
            Vector512<float> v;
            v = Avx512F.MaskLoad(row + o0, m0, zero);
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
            v = Avx512F.MaskLoad(row + o1, m1, zero);
            a0 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[16]), a0);
            a1 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[17]), a1);
            a2 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[18]), a2);
            a3 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[19]), a3);
            a4 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[20]), a4);
            a5 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[21]), a5);
            a6 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[22]), a6);
            a7 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[23]), a7);
            a8 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[24]), a8);
            a9 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[25]), a9);
            a10 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[26]), a10);
            a11 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[27]), a11);
            a12 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[28]), a12);
            a13 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[29]), a13);
            a14 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[30]), a14);
            a15 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[31]), a15);
            v = Avx512F.MaskLoad(row + o2, m2, zero);
            a0 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[32]), a0);
            a1 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[33]), a1);
            a2 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[34]), a2);
            a3 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[35]), a3);
            a4 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[36]), a4);
            a5 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[37]), a5);
            a6 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[38]), a6);
            a7 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[39]), a7);
            a8 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[40]), a8);
            a9 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[41]), a9);
            a10 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[42]), a10);
            a11 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[43]), a11);
            a12 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[44]), a12);
            a13 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[45]), a13);
            a14 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[46]), a14);
            a15 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[47]), a15);
            v = Avx512F.MaskLoad(row + o3, m3, zero);
            a0 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[48]), a0);
            a1 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[49]), a1);
            a2 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[50]), a2);
            a3 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[51]), a3);
            a4 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[52]), a4);
            a5 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[53]), a5);
            a6 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[54]), a6);
            a7 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[55]), a7);
            a8 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[56]), a8);
            a9 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[57]), a9);
            a10 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[58]), a10);
            a11 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[59]), a11);
            a12 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[60]), a12);
            a13 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[61]), a13);
            a14 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[62]), a14);
            a15 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[63]), a15);
            v = Avx512F.MaskLoad(row + o4, m4, zero);
            a0 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[64]), a0);
            a1 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[65]), a1);
            a2 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[66]), a2);
            a3 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[67]), a3);
            a4 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[68]), a4);
            a5 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[69]), a5);
            a6 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[70]), a6);
            a7 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[71]), a7);
            a8 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[72]), a8);
            a9 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[73]), a9);
            a10 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[74]), a10);
            a11 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[75]), a11);
            a12 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[76]), a12);
            a13 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[77]), a13);
            a14 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[78]), a14);
            a15 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[79]), a15);
            v = Avx512F.MaskLoad(row + o5, m5, zero);
            a0 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[80]), a0);
            a1 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[81]), a1);
            a2 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[82]), a2);
            a3 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[83]), a3);
            a4 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[84]), a4);
            a5 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[85]), a5);
            a6 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[86]), a6);
            a7 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[87]), a7);
            a8 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[88]), a8);
            a9 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[89]), a9);
            a10 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[90]), a10);
            a11 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[91]), a11);
            a12 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[92]), a12);
            a13 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[93]), a13);
            a14 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[94]), a14);
            a15 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[95]), a15);
            v = Avx512F.MaskLoad(row + o6, m6, zero);
            a0 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[96]), a0);
            a1 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[97]), a1);
            a2 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[98]), a2);
            a3 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[99]), a3);
            a4 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[100]), a4);
            a5 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[101]), a5);
            a6 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[102]), a6);
            a7 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[103]), a7);
            a8 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[104]), a8);
            a9 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[105]), a9);
            a10 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[106]), a10);
            a11 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[107]), a11);
            a12 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[108]), a12);
            a13 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[109]), a13);
            a14 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[110]), a14);
            a15 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[111]), a15);
            v = Avx512F.MaskLoad(row + o7, m7, zero);
            a0 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[112]), a0);
            a1 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[113]), a1);
            a2 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[114]), a2);
            a3 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[115]), a3);
            a4 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[116]), a4);
            a5 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[117]), a5);
            a6 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[118]), a6);
            a7 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[119]), a7);
            a8 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[120]), a8);
            a9 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[121]), a9);
            a10 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[122]), a10);
            a11 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[123]), a11);
            a12 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[124]), a12);
            a13 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[125]), a13);
            a14 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[126]), a14);
            a15 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[127]), a15);
            v = Avx512F.MaskLoad(row + o8, m8, zero);
            a0 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[128]), a0);
            a1 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[129]), a1);
            a2 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[130]), a2);
            a3 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[131]), a3);
            a4 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[132]), a4);
            a5 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[133]), a5);
            a6 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[134]), a6);
            a7 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[135]), a7);
            a8 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[136]), a8);
            a9 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[137]), a9);
            a10 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[138]), a10);
            a11 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[139]), a11);
            a12 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[140]), a12);
            a13 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[141]), a13);
            a14 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[142]), a14);
            a15 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(q[143]), a15);
        }

        Avx512F.MaskStore(output + (0 * volume), inside, a0);
        Avx512F.MaskStore(output + (1 * volume), inside, a1);
        Avx512F.MaskStore(output + (2 * volume), inside, a2);
        Avx512F.MaskStore(output + (3 * volume), inside, a3);
        Avx512F.MaskStore(output + (4 * volume), inside, a4);
        Avx512F.MaskStore(output + (5 * volume), inside, a5);
        Avx512F.MaskStore(output + (6 * volume), inside, a6);
        Avx512F.MaskStore(output + (7 * volume), inside, a7);
        Avx512F.MaskStore(output + (8 * volume), inside, a8);
        Avx512F.MaskStore(output + (9 * volume), inside, a9);
        Avx512F.MaskStore(output + (10 * volume), inside, a10);
        Avx512F.MaskStore(output + (11 * volume), inside, a11);
        Avx512F.MaskStore(output + (12 * volume), inside, a12);
        Avx512F.MaskStore(output + (13 * volume), inside, a13);
        Avx512F.MaskStore(output + (14 * volume), inside, a14);
        Avx512F.MaskStore(output + (15 * volume), inside, a15);
    }
}
