namespace SegWeb.Inference.Pipeline;

/// <summary>
/// TotalSegmentator's <c>--force_split</c>: the resampled image is cut into three chunks along z that overlap by a
/// margin of 20 slices, each chunk is predicted on its own (bounding the sliding window's memory to about a third),
/// and every output slice is taken from exactly one chunk, away from that chunk's cut edges.
/// </summary>
/// <remarks>
/// TotalSegmentator (nnunet.py): <c>third = z // 3</c>, margin 20; chunks <c>[0, third+20)</c>,
/// <c>[third+1-20, 2·third+20)</c>, <c>[2·third+1-20, z)</c>; output <c>[0, third)</c> from chunk 1,
/// <c>[third, 2·third)</c> from chunk 2, <c>[2·third, z)</c> from chunk 3. On a short image Python's negative slice
/// starts would wrap around; SegWeb clamps the chunks to the image instead.
/// </remarks>
public static class ZSplit
{
    /// <summary>TotalSegmentator's overlap margin in slices.</summary>
    public const int Margin = 20;

    /// <summary>The chunks for a depth of <paramref name="depth"/> slices: each chunk's slice range and the output range it supplies.</summary>
    public static IReadOnlyList<ZChunk> Chunks(int depth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        int third = depth / 3;
        if (third == 0)
        {
            return [new ZChunk(0, depth, 0, depth)];
        }

        return
        [
            new ZChunk(0, Math.Min(depth, third + Margin), 0, third),
            new ZChunk(Math.Max(0, third + 1 - Margin), Math.Min(depth, (2 * third) + Margin), third, 2 * third),
            new ZChunk(Math.Max(0, (2 * third) + 1 - Margin), depth, 2 * third, depth),
        ];
    }
}

/// <summary>One chunk of a z split.</summary>
/// <param name="Start">First slice of the chunk (inclusive).</param>
/// <param name="End">Slice after the chunk's last.</param>
/// <param name="OutputStart">First output slice taken from this chunk.</param>
/// <param name="OutputEnd">Slice after the last output slice taken from this chunk.</param>
public readonly record struct ZChunk(int Start, int End, int OutputStart, int OutputEnd)
{
    /// <summary>Slices in the chunk.</summary>
    public int Depth => End - Start;
}
