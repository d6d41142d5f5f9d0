using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SegWeb.Models.Onnx;

namespace SegWeb.Inference.Runtime.DirectKernels;

/// <summary>
/// <c>ai.segweb:InstanceNormLeakyRelu</c>: inputs X [N, C, …], scale [C], B [C]; attributes epsilon (ONNX
/// InstanceNormalization's, default 1e-5) and alpha (LeakyRelu's, default 0.01); output the shape of X. Runs
/// <see cref="InstanceNormLeakyRelu"/> per (item, channel) on the session's intra-op threads.
/// </summary>
internal sealed unsafe class InstanceNormLeakyReluOperator : CustomOperator
{
    private static long _computeCount;

    /// <summary>Runs of any InstanceNormLeakyRelu node in this process: how tests prove the kernel ran.</summary>
    public static long ComputeCount => Interlocked.Read(ref _computeCount);

    public override string Name => CpuOperatorRewrite.NormOpType;

    public override int InputCount => 3;

    public override CustomKernel CreateKernel(nint info) =>
        new Kernel(OrtNativeApi.FloatAttribute(info, "epsilon", 1e-5f), OrtNativeApi.FloatAttribute(info, "alpha", 0.01f));

    public override void InferShape(nint context) => OrtNativeApi.InferSameShape(context, channelsFromPackedWeights: 0);

    private sealed class Kernel(float epsilon, float alpha) : CustomKernel
    {
        public override void Compute(nint context)
        {
            Interlocked.Increment(ref _computeCount);
            nint x = OrtNativeApi.KernelInput(context, 0), scale = OrtNativeApi.KernelInput(context, 1), bias = OrtNativeApi.KernelInput(context, 2);
            var dims = OrtNativeApi.Dimensions(x, out int type);
            var scaleDims = OrtNativeApi.Dimensions(scale, out int scaleType);
            var biasDims = OrtNativeApi.Dimensions(bias, out int biasType);
            if (type != OrtNativeApi.ElementFloat || dims.Length < 3 || scaleType != type || biasType != type
                || scaleDims is not [var c1] || biasDims is not [var c2] || c1 != dims[1] || c2 != dims[1])
            {
                throw new InferenceException($"input [{string.Join(", ", dims)}], scale [{string.Join(", ", scaleDims)}] and bias [{string.Join(", ", biasDims)}] are not a float32 instance normalisation");
            }

            long spatial = 1;
            for (int i = 2; i < dims.Length; i++)
            {
                spatial = checked(spatial * dims[i]);
            }

            nint y = OrtNativeApi.KernelOutput(context, 0, dims);
            var job = new Job(OrtNativeApi.FloatData(x), OrtNativeApi.FloatData(y), OrtNativeApi.FloatData(scale), OrtNativeApi.FloatData(bias),
                checked((int)dims[1]), spatial, epsilon, alpha);
            long jobs = dims[0] * dims[1];
            if (jobs > 0 && spatial > 0)
            {
                OrtNativeApi.ParallelFor(context, &RunJob, jobs, &job);
            }
        }

        [UnmanagedCallersOnly]
        private static void RunJob(void* data, nuint index)
        {
            ref readonly var job = ref Unsafe.AsRef<Job>(data);
            InstanceNormLeakyRelu.RunChannel(job.Input, job.Output, job.Scale, job.Bias, job.Channels, job.Spatial, job.Epsilon, job.Alpha, (long)index);
        }
    }

    private readonly struct Job(float* input, float* output, float* scale, float* bias, int channels, long spatial, float epsilon, float alpha)
    {
        public float* Input { get; } = input;

        public float* Output { get; } = output;

        public float* Scale { get; } = scale;

        public float* Bias { get; } = bias;

        public int Channels { get; } = channels;

        public long Spatial { get; } = spatial;

        public float Epsilon { get; } = epsilon;

        public float Alpha { get; } = alpha;
    }
}
