namespace SegWeb.Inference.SlidingWindow;

/// <summary>Options of <see cref="SlidingWindowPredictor"/>.</summary>
public sealed record SlidingWindowOptions
{
    /// <summary>nnU-Net's default bound on the memory the sliding window may allocate: 3 GiB.</summary>
    public const long DefaultMemoryLimitBytes = 3L << 30;

    /// <summary>Patch size, network axis order (the manifest's PatchSize).</summary>
    public required int[] PatchSize { get; init; }

    /// <summary>Tile step as a fraction of the patch (nnU-Net 0.5; TotalSegmentator uses 0.8 for <c>total</c>).</summary>
    public double StepSize { get; init; } = 0.5;

    /// <summary>Spatial axes (0 = depth, 1 = height, 2 = width) test-time mirroring flips; empty or null: no mirroring.</summary>
    public int[]? MirrorAxes { get; init; }

    /// <summary>Tiles per network call.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>Weight tiles with the Gaussian importance map (nnU-Net's default) rather than uniformly.</summary>
    public bool UseGaussian { get; init; } = true;

    /// <summary>Refuse (InferenceException) when the estimated peak exceeds this many bytes.</summary>
    public long MemoryLimitBytes { get; init; } = DefaultMemoryLimitBytes;

    /// <summary>
    /// Memory ONNX Runtime needs for one batch's activations (not knowable from outside the network: measure it once
    /// per model and configure it), added to the estimate checked against <see cref="MemoryLimitBytes"/>.
    /// </summary>
    public long NetworkWorkspaceBytes { get; init; }

    /// <summary>
    /// With <see cref="AccumulatorPrecision.Auto"/>: the most the float32 sums may take (default 512 MiB); above it
    /// they are stored in half precision, as nnU-Net accumulates on the GPU. The 118-class 3 mm model on a
    /// 512×512×458 CT needs 990 MiB of float32 sums, the five 1.5 mm parts of <c>total</c> on a 512×512×824 CT about
    /// 950 MiB each: half precision saves about 0.5 GB of a 3 GB budget there, while small scans keep float32.
    /// </summary>
    public long SingleSumsBudgetBytes { get; init; } = 512L << 20;

    /// <summary>Storage of the per-class sums (default Auto: float32 when within <see cref="SingleSumsBudgetBytes"/> and <see cref="MemoryLimitBytes"/>, else half).</summary>
    public AccumulatorPrecision Precision { get; init; } = AccumulatorPrecision.Auto;

    /// <summary>Receives each finalised plane's logits (export of probabilities/logits, tests); null: labels only.</summary>
    public PlaneLogitsHandler? LogitsHandler { get; init; }
}

/// <summary>What <see cref="SlidingWindowPredictor.Predict"/> returns.</summary>
/// <param name="Labels">Argmax labels (output channel index), depth × height × width of the unpadded input, width fastest.</param>
/// <param name="Size">Depth, height, width.</param>
/// <param name="Tiles">Tiles run (per fold and mirror).</param>
/// <param name="EstimatedPeakBytes">The memory estimate the run was admitted with.</param>
/// <param name="Precision">The accumulator precision used (Auto resolved).</param>
public sealed record SlidingWindowResult(byte[] Labels, int[] Size, int Tiles, long EstimatedPeakBytes, AccumulatorPrecision Precision);
