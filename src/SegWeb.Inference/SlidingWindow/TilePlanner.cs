namespace SegWeb.Inference.SlidingWindow;

/// <summary>
/// Tile positions of nnU-Net v2's sliding window (compute_steps_for_sliding_window): per axis,
/// <c>n = ceil((image − patch) / (patch · step)) + 1</c> tiles, spread evenly so the first starts at 0 and the last
/// ends at the image's edge, each start rounded half-to-even (NumPy's round). The image must already be padded
/// to at least the patch.
/// </summary>
public static class TilePlanner
{
    /// <summary>Tile starts along one axis.</summary>
    public static int[] Steps(int imageSize, int patchSize, double stepSize)
    {
        if (patchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(patchSize), patchSize, "patch size must be positive");
        }

        if (imageSize < patchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, $"image size must be at least the patch size {patchSize} (pad first)");
        }

        if (!(stepSize > 0 && stepSize <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "step size must be in (0, 1]");
        }

        double target = patchSize * stepSize;
        int count = (int)Math.Ceiling((imageSize - patchSize) / target) + 1;
        var steps = new int[count];
        if (count == 1)
        {
            return steps;
        }

        double actual = (imageSize - patchSize) / (double)(count - 1);
        for (int i = 0; i < count; i++)
        {
            // MidpointRounding.ToEven is NumPy's np.round, which nnU-Net uses.
            steps[i] = (int)Math.Round(actual * i, MidpointRounding.ToEven);
        }

        return steps;
    }

    /// <summary>Tile starts for every axis (network axis order).</summary>
    public static int[][] Steps(IReadOnlyList<int> imageSize, IReadOnlyList<int> patchSize, double stepSize)
    {
        ArgumentNullException.ThrowIfNull(imageSize);
        ArgumentNullException.ThrowIfNull(patchSize);
        if (imageSize.Count != patchSize.Count)
        {
            throw new ArgumentException($"image has {imageSize.Count} axes, patch {patchSize.Count}", nameof(patchSize));
        }

        return Enumerable.Range(0, imageSize.Count).Select(a => Steps(imageSize[a], patchSize[a], stepSize)).ToArray();
    }

    /// <summary>
    /// All tiles of a 3D image in nnU-Net's loop order (first axis outermost). Because the first axis is outermost,
    /// tile starts along it never decrease, which is what lets <see cref="SlabAggregator"/> finalise planes early.
    /// </summary>
    public static IReadOnlyList<TileOrigin> Tiles(IReadOnlyList<int> imageSize, IReadOnlyList<int> patchSize, double stepSize)
    {
        var steps = Steps(imageSize, patchSize, stepSize);
        if (steps.Length != 3)
        {
            throw new ArgumentException("3D images only", nameof(imageSize));
        }

        var tiles = new List<TileOrigin>(steps[0].Length * steps[1].Length * steps[2].Length);
        foreach (var d in steps[0])
        {
            foreach (var h in steps[1])
            {
                foreach (var w in steps[2])
                {
                    tiles.Add(new TileOrigin(d, h, w));
                }
            }
        }

        return tiles;
    }
}

/// <summary>Start of a tile in the (padded) network-order image: depth (slowest), height, width (fastest).</summary>
public readonly record struct TileOrigin(int D, int H, int W);
