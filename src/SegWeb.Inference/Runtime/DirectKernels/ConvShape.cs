namespace SegWeb.Inference.Runtime.DirectKernels;

/// <summary>Dimensions of one convolution: input [Batch, InputChannels, Depth, Height, Width], output the same with OutputChannels.</summary>
internal readonly record struct ConvShape(int Batch, int InputChannels, int OutputChannels, int Depth, int Height, int Width)
{
    /// <summary>
    /// Jobs of a kernel whose job is one plane along <see cref="Depth"/> for one block of <paramref name="channelBlock"/>
    /// output channels of one batch item (both direct kernels): batch × blocks × depth.
    /// </summary>
    public long JobCount(int channelBlock) => (long)Batch * (OutputChannels / channelBlock) * Depth;

    /// <summary>The batch item, output-channel block and plane of <paramref name="job"/> in that numbering (plane fastest).</summary>
    public (int Item, int Block, int Plane) Job(long job, int channelBlock)
    {
        int blocks = OutputChannels / channelBlock;
        return ((int)(job / Depth / blocks), (int)(job / Depth % blocks), (int)(job % Depth));
    }
}
