namespace SegWeb.Imaging.Compression;

/// <summary>Facts about deflate that bound how much a compressed stream can possibly hold.</summary>
internal static class DeflateLimits
{
    /// <summary>
    /// The largest expansion deflate can achieve: a 258-byte match costs at least 2 bits, so one compressed
    /// byte yields at most 258·4 = 1032 bytes. A header claiming more than (compressed bytes × this) is lying,
    /// which lets readers refuse a gzip bomb before allocating anything.
    /// </summary>
    public const long MaxRatio = 1032;

    /// <summary>The most bytes a deflate/gzip stream of <paramref name="compressedLength"/> bytes can inflate to.</summary>
    public static long MaxInflatedLength(long compressedLength) =>
        compressedLength > long.MaxValue / MaxRatio ? long.MaxValue : (compressedLength * MaxRatio) + 1024;
}
