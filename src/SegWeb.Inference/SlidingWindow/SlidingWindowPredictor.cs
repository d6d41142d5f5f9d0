using System.Numerics.Tensors;
using SegWeb.Inference.Progress;
using SegWeb.Inference.Runtime;

namespace SegWeb.Inference.SlidingWindow;

/// <summary>
/// nnU-Net v2's sliding-window prediction (predict_sliding_window_return_logits) for one model part: pad to at least
/// the patch (constant 0, centred), tile with <see cref="TilePlanner"/>, run every fold on every tile and, with
/// mirroring, on every non-empty combination of the allowed axes flipped (output flipped back), average all those
/// logits, weight with the <see cref="GaussianImportanceMap"/>, sum, divide by the summed weights, argmax.
/// Averaging folds and mirrors per tile before weighting equals nnU-Net's per-fold windows averaged afterwards,
/// because the Gaussian normalisation is linear and identical for every fold. Aggregation is by
/// <see cref="SlabAggregator"/>, so memory stays bounded.
/// </summary>
public sealed class SlidingWindowPredictor
{
    /// <summary>Predictions estimated at this size or more are bracketed by an aggressive collection (see <see cref="ReleaseGarbage"/>).</summary>
    private const long FullCollectionThresholdBytes = 256L << 20;

    private readonly IReadOnlyList<ITileNetwork> _folds;
    private readonly SlidingWindowOptions _options;
    private readonly int[] _patch;
    private readonly int[][] _mirrorCombinations;

    /// <summary>Creates a predictor over the folds of one model part.</summary>
    public SlidingWindowPredictor(IReadOnlyList<ITileNetwork> folds, SlidingWindowOptions options)
    {
        ArgumentNullException.ThrowIfNull(folds);
        ArgumentNullException.ThrowIfNull(options);
        if (folds.Count == 0)
        {
            throw new ArgumentException("at least one fold", nameof(folds));
        }

        if (folds.Any(f => f.InputChannels != folds[0].InputChannels || f.OutputChannels != folds[0].OutputChannels))
        {
            throw new InferenceException("the folds of a model part disagree on their input or output channels");
        }

        if (folds.Count > 1 && folds.Any(f => f.Head is not null))
        {
            // Each fold has its own classifier: averaging features across folds would not average their logits.
            throw new InferenceException("a classifier head can be split off a single-fold part only");
        }

        if (options.PatchSize is not { Length: 3 } || options.PatchSize.Any(p => p <= 0))
        {
            throw new InferenceException("the patch size must have three positive entries (3D networks only)");
        }

        if (options.BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "batch size must be at least 1");
        }

        var axes = options.MirrorAxes ?? [];
        if (axes.Any(a => a is < 0 or > 2) || axes.Distinct().Count() != axes.Length)
        {
            throw new InferenceException($"mirror axes ({string.Join(", ", axes)}) must be distinct spatial axes 0, 1, 2");
        }

        _folds = folds;
        _options = options;
        _patch = [.. options.PatchSize];
        _mirrorCombinations = MirrorCombinations(axes);
    }

    /// <summary>Output classes (background included): the head's when the network gives features.</summary>
    public int Classes => _folds[0].Head?.Classes ?? _folds[0].OutputChannels;

    /// <summary>Network runs per tile: folds × (1 + non-empty mirror combinations).</summary>
    public int RunsPerTile => _folds.Count * _mirrorCombinations.Length;

    /// <summary>Estimated peak bytes the prediction allocates for an image of <paramref name="size"/> (depth, height, width),
    /// beyond the input image itself, with the sums stored at <paramref name="precision"/>.</summary>
    public long EstimateBytes(IReadOnlyList<int> size, AccumulatorPrecision precision = AccumulatorPrecision.Single)
    {
        ArgumentNullException.ThrowIfNull(size);
        var padding = PaddingRegion.For(size, _patch);
        long patchVoxels = (long)_patch[0] * _patch[1] * _patch[2];
        int inC = _folds[0].InputChannels, outC = _folds[0].OutputChannels;
        long batch = _options.BatchSize;
        // Input batch, its mirrored copy (only with mirroring), network output, the per-tile averaged logits (only
        // with more than one run per tile: otherwise the network output is aggregated directly) and the weight map.
        long inputCopies = _mirrorCombinations.Length > 1 ? 2 : 1, outputCopies = RunsPerTile > 1 ? 2 : 1;
        long buffers = ((inputCopies * batch * inC) + (outputCopies * batch * outC) + 1) * patchVoxels * sizeof(float);
        return SlabAggregator.EstimateBytes(outC, padding.PaddedSize, _patch, size, precision, _folds[0].Head?.Classes ?? 0) + buffers + _options.NetworkWorkspaceBytes;
    }

    /// <summary>
    /// Predicts labels for <paramref name="image"/>: channels × depth × height × width floats, normalised, in network
    /// axis order (see docs/inference.md for how a SegWeb volume maps onto it).
    /// </summary>
    public SlidingWindowResult Predict(float[] image, IReadOnlyList<int> size, IProgress<InferenceProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(size);
        int inC = _folds[0].InputChannels, outC = _folds[0].OutputChannels;
        if (size.Count != 3 || size.Any(s => s <= 0))
        {
            throw new InferenceException($"image size ({string.Join("×", size)}) must be three positive extents");
        }

        long voxels = (long)size[0] * size[1] * size[2];
        if (image.LongLength != inC * voxels)
        {
            throw new InferenceException($"image holds {image.LongLength} values; {inC} channel(s) of {string.Join("×", size)} need {inC * voxels}");
        }

        var precision = _options.Precision;
        if (precision == AccumulatorPrecision.Auto)
        {
            bool singleFits = EstimateBytes(size, AccumulatorPrecision.Single) <= _options.MemoryLimitBytes
                && SlabAggregator.SumBytes(outC, size, _patch, AccumulatorPrecision.Single) <= _options.SingleSumsBudgetBytes;
            precision = singleFits ? AccumulatorPrecision.Single : AccumulatorPrecision.Half;
        }

        long estimate = EstimateBytes(size, precision);
        if (estimate > _options.MemoryLimitBytes)
        {
            throw new InferenceException(
                $"sliding window over {string.Join("×", size)} with {Classes} classes and patch {string.Join("×", _patch)} needs about {estimate / (1 << 20)} MiB ({precision} sums), above the limit of {_options.MemoryLimitBytes / (1 << 20)} MiB");
        }

        bool large = estimate >= FullCollectionThresholdBytes;
        if (large)
        {
            ReleaseGarbage();
        }

        var result = Run(image, size, precision, estimate, progress, cancellationToken);
        if (large)
        {
            // This prediction's ring and network output are garbage now; free them before the caller loads the next
            // part's session or reads the next scan, not when that allocation finds them.
            ReleaseGarbage();
        }

        return result;
    }

    /// <summary>
    /// A blocking, compacting, aggressive collection. Large buffers (a part's ring, the network output) become garbage in
    /// the large object heap, which the GC collects only when its budget says so, and even a forced collection kept
    /// the freed regions committed: with five 1.5 mm parts in a row the process reached 5.1 GB although one part's live
    /// memory was 1.6 GB. The aggressive mode returns them to the system. It costs a compaction of the live arrays
    /// (a fraction of a second) against minutes of forward passes, so it runs only around large predictions.
    /// </summary>
    private static void ReleaseGarbage() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    private SlidingWindowResult Run(float[] image, IReadOnlyList<int> size, AccumulatorPrecision precision, long estimate,
        IProgress<InferenceProgress>? progress, CancellationToken cancellationToken)
    {
        int inC = _folds[0].InputChannels, outC = _folds[0].OutputChannels;
        var padding = PaddingRegion.For(size, _patch);
        var tiles = TilePlanner.Tiles(padding.PaddedSize, _patch, _options.StepSize);
        var gaussian = _options.UseGaussian ? GaussianImportanceMap.Compute(_patch) : Enumerable.Repeat(1f, _patch[0] * _patch[1] * _patch[2]).ToArray();
        var aggregator = new SlabAggregator(outC, padding.PaddedSize, _patch, padding, _options.LogitsHandler, precision, _folds[0].Head);
        var stage = new StageProgress(progress, InferenceStages.Predict, (long)tiles.Count * RunsPerTile);

        int patchVoxels = _patch[0] * _patch[1] * _patch[2];
        int batchSize = _options.BatchSize;
        // Not zeroed: ExtractTile clears its tile, Flip and the network write every element they are read for (180 MB
        // of network output for the 3 mm model's 112³ patch: zeroing them was a tenth of the time outside the passes).
        var tilesIn = GC.AllocateUninitializedArray<float>(batchSize * inC * patchVoxels);
        var runIn = _mirrorCombinations.Length > 1 ? GC.AllocateUninitializedArray<float>(tilesIn.Length) : tilesIn;
        var runOut = GC.AllocateUninitializedArray<float>(batchSize * outC * patchVoxels);
        // One run per tile (one fold, no mirroring: every TotalSegmentator model as it runs by default) needs no
        // averaging, so the network output goes to the aggregator as it is: one classes × patch buffer fewer
        // (660 MB for the 118-class 3 mm model's 112³ patch).
        bool single = RunsPerTile == 1;
        var averaged = single ? runOut : new float[batchSize * outC * patchVoxels];

        for (int first = 0; first < tiles.Count; first += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(batchSize, tiles.Count - first);
            for (int b = 0; b < count; b++)
            {
                ExtractTile(image, size, padding, tiles[first + b], inC, tilesIn.AsSpan(b * inC * patchVoxels, inC * patchVoxels));
            }

            if (single)
            {
                cancellationToken.ThrowIfCancellationRequested();
                _folds[0].Run(tilesIn, runOut, count, _patch, cancellationToken);
                stage.Advance(count);
            }
            else
            {
                Array.Clear(averaged);
            }

            // Mirrors outside, folds inside: each flipped copy of the batch is made once and shared by every fold.
            foreach (var flip in single ? [] : _mirrorCombinations)
            {
                var input = tilesIn;
                if (flip.Length > 0)
                {
                    Flip(tilesIn, runIn, count * inC, flip, add: false);
                    input = runIn;
                }

                foreach (var fold in _folds)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    fold.Run(input, runOut, count, _patch, cancellationToken);
                    if (flip.Length > 0)
                    {
                        Flip(runOut, averaged, count * outC, flip, add: true);
                    }
                    else
                    {
                        var sum = averaged.AsSpan(0, count * outC * patchVoxels);
                        TensorPrimitives.Add(sum, runOut.AsSpan(0, sum.Length), sum);
                    }

                    stage.Advance(count);
                }
            }

            for (int b = 0; b < count; b++)
            {
                var tile = averaged.AsMemory(b * outC * patchVoxels, outC * patchVoxels);
                if (RunsPerTile > 1)
                {
                    // nnU-Net divides the mirror sum by its count and the fold sum by its count; one division by the
                    // product is the same average.
                    TensorPrimitives.Divide(tile.Span, RunsPerTile, tile.Span);
                }

                aggregator.Add(tiles[first + b], tile, gaussian);
            }
        }

        aggregator.Complete();
        stage.Complete();
        return new SlidingWindowResult(aggregator.Labels, [.. size], tiles.Count * RunsPerTile, estimate, precision);
    }

    /// <summary>nnU-Net's mirror set: no flip, then every non-empty combination of the axes, by size then order.</summary>
    private static int[][] MirrorCombinations(int[] axes)
    {
        var result = new List<int[]> { Array.Empty<int>() };
        for (int k = 1; k <= axes.Length; k++)
        {
            result.AddRange(Combinations(axes, k));
        }

        return [.. result];
    }

    private static IEnumerable<int[]> Combinations(int[] items, int k, int start = 0)
    {
        if (k == 0)
        {
            yield return [];
            yield break;
        }

        for (int i = start; i <= items.Length - k; i++)
        {
            foreach (var rest in Combinations(items, k - 1, i + 1))
            {
                yield return [items[i], .. rest];
            }
        }
    }

    /// <summary>Copies one tile (all channels) out of the image, zero where it lies in the padding.</summary>
    private void ExtractTile(float[] image, IReadOnlyList<int> size, PaddingRegion padding, TileOrigin origin, int channels, Span<float> target)
    {
        int pd = _patch[0], ph = _patch[1], pw = _patch[2];
        int d0 = origin.D - padding.Offset[0], h0 = origin.H - padding.Offset[1], w0 = origin.W - padding.Offset[2];
        int sd = size[0], sh = size[1], sw = size[2];
        int wLo = Math.Max(0, -w0), wHi = Math.Min(pw, sw - w0);
        target.Clear();
        for (int c = 0; c < channels; c++)
        {
            for (int z = 0; z < pd; z++)
            {
                int d = d0 + z;
                if (d < 0 || d >= sd)
                {
                    continue;
                }

                for (int y = 0; y < ph; y++)
                {
                    int h = h0 + y;
                    if (h < 0 || h >= sh || wHi <= wLo)
                    {
                        continue;
                    }

                    long src = ((((long)c * sd + d) * sh + h) * sw) + w0 + wLo;
                    int dst = (((c * pd) + z) * ph + y) * pw + wLo;
                    image.AsSpan((int)src, wHi - wLo).CopyTo(target.Slice(dst, wHi - wLo));
                }
            }
        }
    }

    /// <summary>Flips <paramref name="volumes"/> patch-sized blocks along the given axes into (or added onto) the target.</summary>
    private void Flip(float[] source, float[] target, int volumes, int[] axes, bool add)
    {
        int pd = _patch[0], ph = _patch[1], pw = _patch[2];
        bool fd = axes.Contains(0), fh = axes.Contains(1), fw = axes.Contains(2);
        int patchVoxels = pd * ph * pw;
        Parallel.For(0, volumes * pd, unit =>
        {
            int v = unit / pd, z = unit % pd;
            int zs = fd ? pd - 1 - z : z;
            for (int y = 0; y < ph; y++)
            {
                int ys = fh ? ph - 1 - y : y;
                var src = source.AsSpan((v * patchVoxels) + (((zs * ph) + ys) * pw), pw);
                var dst = target.AsSpan((v * patchVoxels) + (((z * ph) + y) * pw), pw);
                if (fw)
                {
                    for (int x = 0; x < pw; x++)
                    {
                        if (add)
                        {
                            dst[x] += src[pw - 1 - x];
                        }
                        else
                        {
                            dst[x] = src[pw - 1 - x];
                        }
                    }
                }
                else if (add)
                {
                    TensorPrimitives.Add(dst, src, dst);
                }
                else
                {
                    src.CopyTo(dst);
                }
            }
        });
    }
}
