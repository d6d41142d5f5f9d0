namespace SegWeb.Inference.Runtime.DirectKernels;

/// <summary>
/// One convolution node's run as its parallel jobs see it (passed to them by pointer through ONNX Runtime's
/// ParallelFor). <see cref="SecondInput"/> and <see cref="FirstChannels"/> are set only for a Conv3x3x3 that reads a
/// concatenation in place.
/// </summary>
internal readonly unsafe struct ConvolutionJob(ConvShape shape, float* input, float* weights, float* bias, float* output, float* secondInput = null, int firstChannels = 0)
{
    public ConvShape Shape { get; } = shape;

    public float* Input { get; } = input;

    public float* Weights { get; } = weights;

    public float* Bias { get; } = bias;

    public float* Output { get; } = output;

    public float* SecondInput { get; } = secondInput;

    public int FirstChannels { get; } = firstChannels;

    /// <summary>The bias of output-channel block <paramref name="block"/> (zeros without a bias) into <paramref name="target"/>'s first <paramref name="channelBlock"/> floats.</summary>
    public static void BlockBias(float* bias, int block, int channelBlock, float* target)
    {
        for (int j = 0; j < channelBlock; j++)
        {
            target[j] = bias is null ? 0f : bias[(block * channelBlock) + j];
        }
    }

    /// <summary>
    /// The optional bias input <paramref name="index"/> of a node with <paramref name="outputChannels"/> outputs, or null
    /// when the node has none.
    /// </summary>
    /// <exception cref="InferenceException">The bias is not a float32 vector of that length.</exception>
    public static float* OptionalBias(nint context, int inputCount, int index, long outputChannels)
    {
        nint b = inputCount > index ? OrtNativeApi.KernelInput(context, index) : 0;
        if (b == 0)
        {
            return null;
        }

        var dims = OrtNativeApi.Dimensions(b, out int type);
        if (type != OrtNativeApi.ElementFloat || dims.Length != 1 || dims[0] != outputChannels)
        {
            throw new InferenceException($"bias [{string.Join(", ", dims)}] does not match {outputChannels} output channels");
        }

        return OrtNativeApi.FloatData(b);
    }
}
