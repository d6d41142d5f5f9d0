using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SegWeb.Models.Onnx;

namespace SegWeb.Inference.Runtime.DirectKernels;

/// <summary>
/// <c>ai.segweb:ConvTranspose2x2x2</c>: inputs X [N, C, D, H, W], W packed [out / 8, 2, 2, C, 16]
/// (<see cref="CpuOperatorRewrite.PackTransposedWeights"/>) and optional B [out]; output Y [N, out, 2D, 2H, 2W]; runs
/// <see cref="DirectConvTranspose2x2x2"/> on the session's intra-op threads. Stateless.
/// </summary>
internal sealed unsafe class DirectConvTransposeOperator : CustomOperator
{
    private static readonly Kernel Shared = new();
    private static long _computeCount;

    /// <summary>Runs of any ConvTranspose2x2x2 node in this process: how tests prove the kernel ran.</summary>
    public static long ComputeCount => Interlocked.Read(ref _computeCount);

    public override string Name => CpuOperatorRewrite.ConvTransposeOpType;

    public override int InputCount => 3;

    public override bool IsOptionalInput(int index) => index == 2;

    public override CustomKernel CreateKernel(nint info) => Shared;

    public override void InferShape(nint context) =>
        OrtNativeApi.InferSameShape(context, channelsFromPackedWeights: CpuOperatorRewrite.TransposedChannelBlock, spatialSize: size => 2 * size);

    private sealed class Kernel : CustomKernel
    {
        public override void Compute(nint context)
        {
            Interlocked.Increment(ref _computeCount);
            int inputCount = OrtNativeApi.KernelInputCount(context);
            nint x = OrtNativeApi.KernelInput(context, 0), w = OrtNativeApi.KernelInput(context, 1);
            var xDims = OrtNativeApi.Dimensions(x, out int xType);
            var wDims = OrtNativeApi.Dimensions(w, out int wType);
            if (xType != OrtNativeApi.ElementFloat || wType != OrtNativeApi.ElementFloat || xDims.Length != 5 || wDims.Length != 5
                || wDims[1] != 2 || wDims[2] != 2 || wDims[3] != xDims[1] || wDims[4] != 2 * CpuOperatorRewrite.TransposedChannelBlock)
            {
                throw new InferenceException($"input [{string.Join(", ", xDims)}] and packed weights [{string.Join(", ", wDims)}] are not a float32 2×2×2 transposed convolution");
            }

            long outputChannels = wDims[0] * CpuOperatorRewrite.TransposedChannelBlock;
            var shape = new ConvShape(checked((int)xDims[0]), checked((int)xDims[1]), checked((int)outputChannels), checked((int)xDims[2]), checked((int)xDims[3]), checked((int)xDims[4]));
            float* bias = ConvolutionJob.OptionalBias(context, inputCount, 2, outputChannels);

            nint y = OrtNativeApi.KernelOutput(context, 0, [xDims[0], outputChannels, 2 * xDims[2], 2 * xDims[3], 2 * xDims[4]]);
            var job = new ConvolutionJob(shape, OrtNativeApi.FloatData(x), OrtNativeApi.FloatData(w), bias, OrtNativeApi.FloatData(y));
            long jobs = DirectConvTranspose2x2x2.JobCount(shape);
            if (jobs > 0)
            {
                OrtNativeApi.ParallelFor(context, &RunJob, jobs, &job);
            }
        }

        [UnmanagedCallersOnly]
        private static void RunJob(void* data, nuint index)
        {
            ref readonly var job = ref Unsafe.AsRef<ConvolutionJob>(data);
            DirectConvTranspose2x2x2.RunJob(job.Shape, job.Input, job.Weights, job.Bias, job.Output, (long)index);
        }
    }
}
