using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SegWeb.Models.Onnx;

namespace SegWeb.Inference.Runtime.DirectKernels;

/// <summary>
/// <c>ai.segweb:Conv3x3x3</c>: inputs X [N, C, D, H, W], W packed [out / 16, C, 27, 16]
/// (<see cref="CpuOperatorRewrite.PackWeights"/>), optional B [out] and optional X2 [N, C2, D, H, W]; output
/// Y [N, out, D, H, W]; runs <see cref="DirectConv3x3x3"/> on the session's intra-op threads. With X2 the convolution
/// reads Concat(X, X2) along channels (W then has C + C2 input channels) without the concatenation being written.
/// Stateless, so one kernel serves every node. (A stride-2 variant, four loads and three permutes per 48 FMAs, ran the
/// 3 mm twin's four strided convolutions in 0.32 s against ONNX Runtime's 0.25 s: those stay with ONNX Runtime.)
/// </summary>
internal sealed unsafe class DirectConvOperator : CustomOperator
{
    private static readonly Kernel Shared = new();
    private static long _computeCount;

    /// <summary>Runs of any Conv3x3x3 node in this process: how tests prove the direct kernel ran.</summary>
    public static long ComputeCount => Interlocked.Read(ref _computeCount);

    public override string Name => CpuOperatorRewrite.ConvOpType;

    public override int InputCount => 4;

    public override bool IsOptionalInput(int index) => index >= 2;

    public override CustomKernel CreateKernel(nint info) => Shared;

    public override void InferShape(nint context) => OrtNativeApi.InferSameShape(context, channelsFromPackedWeights: CpuOperatorRewrite.ChannelBlock);

    private sealed class Kernel : CustomKernel
    {
        public override void Compute(nint context)
        {
            Interlocked.Increment(ref _computeCount);
            int inputCount = OrtNativeApi.KernelInputCount(context);
            nint x = OrtNativeApi.KernelInput(context, 0), w = OrtNativeApi.KernelInput(context, 1);
            nint x2 = inputCount > 3 ? OrtNativeApi.KernelInput(context, 3) : 0;
            var xDims = OrtNativeApi.Dimensions(x, out int xType);
            var wDims = OrtNativeApi.Dimensions(w, out int wType);
            long secondChannels = 0;
            float* second = null;
            if (x2 != 0)
            {
                var x2Dims = OrtNativeApi.Dimensions(x2, out int x2Type);
                if (x2Type != OrtNativeApi.ElementFloat || x2Dims.Length != 5 || x2Dims[0] != xDims[0] || !x2Dims.AsSpan(2).SequenceEqual(xDims.AsSpan(2)))
                {
                    throw new InferenceException($"second input [{string.Join(", ", x2Dims)}] cannot be concatenated with [{string.Join(", ", xDims)}]");
                }

                secondChannels = x2Dims[1];
                second = OrtNativeApi.FloatData(x2);
            }

            if (xType != OrtNativeApi.ElementFloat || wType != OrtNativeApi.ElementFloat || xDims.Length != 5 || wDims.Length != 4
                || wDims[1] != xDims[1] + secondChannels || wDims[2] != 27 || wDims[3] != CpuOperatorRewrite.ChannelBlock)
            {
                string concatenated = second is null ? string.Empty : $" (+ {secondChannels} concatenated channels)";
                throw new InferenceException($"input [{string.Join(", ", xDims)}]{concatenated} and packed weights [{string.Join(", ", wDims)}] are not a float32 3×3×3 convolution");
            }

            long outputChannels = wDims[0] * CpuOperatorRewrite.ChannelBlock;
            var shape = new ConvShape(checked((int)xDims[0]), checked((int)wDims[1]), checked((int)outputChannels), checked((int)xDims[2]), checked((int)xDims[3]), checked((int)xDims[4]));
            _ = checked(shape.Height * shape.Width);
            float* bias = ConvolutionJob.OptionalBias(context, inputCount, 2, outputChannels);

            nint y = OrtNativeApi.KernelOutput(context, 0, [xDims[0], outputChannels, xDims[2], xDims[3], xDims[4]]);
            var job = new ConvolutionJob(shape, OrtNativeApi.FloatData(x), OrtNativeApi.FloatData(w), bias, OrtNativeApi.FloatData(y), second, (int)xDims[1]);
            long jobs = DirectConv3x3x3.JobCount(shape);
            if (jobs > 0)
            {
                OrtNativeApi.ParallelFor(context, &RunJob, jobs, &job);
            }
        }

        [UnmanagedCallersOnly]
        private static void RunJob(void* data, nuint index)
        {
            ref readonly var job = ref Unsafe.AsRef<ConvolutionJob>(data);
            DirectConv3x3x3.RunJob(job.Shape, job.Input, job.Weights, job.Bias, job.Output, (long)index, job.SecondInput, job.FirstChannels);
        }
    }
}
