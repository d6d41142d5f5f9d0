namespace SegWeb.Inference.SlidingWindow;

/// <summary>
/// Where the image lies inside its padded copy. nnU-Net pads (pad_nd_image, constant 0) only axes smaller than the
/// patch, up to the patch, putting <c>difference / 2</c> (floor) below and the rest above.
/// </summary>
public sealed record PaddingRegion(int[] Offset, int[] Size, int[] PaddedSize)
{
    /// <summary>The padding nnU-Net applies to an image of <paramref name="imageSize"/> for <paramref name="patchSize"/>.</summary>
    public static PaddingRegion For(IReadOnlyList<int> imageSize, IReadOnlyList<int> patchSize)
    {
        ArgumentNullException.ThrowIfNull(imageSize);
        ArgumentNullException.ThrowIfNull(patchSize);
        var padded = imageSize.Select((s, a) => Math.Max(s, patchSize[a])).ToArray();
        var offset = imageSize.Select((s, a) => (padded[a] - s) / 2).ToArray();
        return new PaddingRegion(offset, [.. imageSize], padded);
    }
}
