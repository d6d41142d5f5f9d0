using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using SegWeb.Imaging.Labels;

namespace SegWeb.Inference.SlidingWindow;

/// <summary>Receives one finalised plane of averaged logits (classes × height × width of the unpadded image, class slowest).</summary>
/// <param name="plane">Plane index along the first network axis, in the unpadded image.</param>
/// <param name="logits">The plane's logits; valid only during the call.</param>
public delegate void PlaneLogitsHandler(int plane, ReadOnlySpan<float> logits);

/// <summary>
/// The bounded-memory accumulator of the sliding window. It holds Gaussian-weighted logit sums (float32, one
/// array per class) and the weight sum only for the planes of the first network axis that pending tiles can
/// still touch: a ring of <c>patch depth</c> planes. Tiles must arrive with non-decreasing depth start (the
/// order of <see cref="TilePlanner.Tiles"/>); a tile starting at plane s proves every plane below s complete,
/// so those planes are divided by their weight, reduced to argmax labels and released before the tile is added.
/// Only the unpadded image is stored: the padding nnU-Net adds to reach the patch size is computed by the network
/// but its sums are thrown away at the end anyway, so tile parts falling there are skipped when added. For a scan
/// smaller than the patch (the 3 mm and 6 mm models on a small CT) that is most of the ring.
/// Peak memory is therefore (classes + 1) × min(patchDepth, depth) × height × width values of the unpadded image,
/// never classes × the volume. With a <see cref="ClassifierHead"/> the sums are of the network's features and the head
/// turns each finalised voxel's averaged features into logits.
/// </summary>
public sealed class SlabAggregator
{
    /// <summary>
    /// Voxels per unit of work when a classifier head finalises planes (features × block floats of scratch: 125 KiB for
    /// 32). Not a power of two: the head reads all feature rows at once, and rows 8 KiB apart fell into the same L1
    /// cache sets, which made it five times slower.
    /// </summary>
    private const int HeadBlock = 1000;

    /// <summary>Rows up to this width use stack scratch (3 rows of floats: 24 KiB at most).</summary>
    private const int StackRowLimit = 2048;

    private readonly int _classes;
    private readonly int _depth;
    private readonly int _height;
    private readonly int _width;
    private readonly int[] _patch;
    private readonly int _ring;
    private readonly int _planeSize;
    private readonly int _cropD0;
    private readonly int _cropH0;
    private readonly int _cropW0;
    private readonly int _cropD;
    private readonly int _cropH;
    private readonly int _cropW;
    private readonly float[][]? _sums;
    private readonly Half[][]? _halfSums;
    private readonly float[] _weights;
    private readonly PaddingRegion _crop;
    private readonly byte[] _labels;
    private readonly PlaneLogitsHandler? _logitsHandler;
    private readonly ClassifierHead? _head;
    private readonly int _outputClasses;
    private int _finalizedBelow;
    private int _touchedBelow;

    /// <summary>Creates the accumulator for a padded image of <paramref name="paddedSize"/> (depth, height, width).</summary>
    /// <param name="classes">Output channels of the network: logits (background included, at most 256), or features when <paramref name="head"/> is given.</param>
    /// <param name="paddedSize">The padded image size, network order.</param>
    /// <param name="patchSize">The patch size, network order.</param>
    /// <param name="crop">Where the unpadded image lies inside the padded one.</param>
    /// <param name="logitsHandler">Optional receiver of each finalised plane's logits (for export or tests).</param>
    /// <param name="precision">Storage of the sums (<see cref="AccumulatorPrecision.Auto"/> means Single here).</param>
    /// <param name="head">The classifier the network's outputs (features) go through at finalisation; null when they are logits.</param>
    public SlabAggregator(int classes, IReadOnlyList<int> paddedSize, IReadOnlyList<int> patchSize, PaddingRegion crop, PlaneLogitsHandler? logitsHandler = null,
        AccumulatorPrecision precision = AccumulatorPrecision.Single, ClassifierHead? head = null)
    {
        ArgumentNullException.ThrowIfNull(paddedSize);
        ArgumentNullException.ThrowIfNull(patchSize);
        ArgumentNullException.ThrowIfNull(crop);
        if (head is not null && head.Features != classes)
        {
            throw new ArgumentException($"the network gives {classes} channels, the classifier head takes {head.Features}", nameof(head));
        }

        _outputClasses = head?.Classes ?? classes;
        if (classes < 1 || _outputClasses > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), _outputClasses, "1 to 256 output classes (labels are bytes)");
        }

        _head = head;

        _classes = classes;
        (_depth, _height, _width) = (paddedSize[0], paddedSize[1], paddedSize[2]);
        _patch = [patchSize[0], patchSize[1], patchSize[2]];
        (_cropD0, _cropH0, _cropW0) = (crop.Offset[0], crop.Offset[1], crop.Offset[2]);
        (_cropD, _cropH, _cropW) = (crop.Size[0], crop.Size[1], crop.Size[2]);
        if (_cropD0 < 0 || _cropH0 < 0 || _cropW0 < 0 || _cropD < 1 || _cropH < 1 || _cropW < 1
            || _cropD0 + _cropD > _depth || _cropH0 + _cropH > _height || _cropW0 + _cropW > _width)
        {
            throw new ArgumentException($"the unpadded region (offset {string.Join("×", crop.Offset)}, size {string.Join("×", crop.Size)}) does not lie inside the padded image {_depth}×{_height}×{_width}", nameof(crop));
        }

        // Live planes are always inside [tile start, tile start + patch depth) ∩ the unpadded depth: a ring of this
        // many planes, indexed by (plane − first unpadded plane) mod ring, never has two live planes in one slot.
        _ring = Math.Min(_patch[0], _cropD);
        _planeSize = checked(_cropH * _cropW);
        _crop = crop;
        _logitsHandler = logitsHandler;
        long ringValues = (long)_ring * _planeSize;
        if (ringValues > Array.MaxLength)
        {
            throw new InferenceException($"one class of the accumulator ({_ring} planes of {_cropH}×{_cropW}) exceeds the largest array .NET allows");
        }

        if (precision == AccumulatorPrecision.Half)
        {
            var halfSums = _halfSums = new Half[classes][];
            Parallel.For(0, classes, c => halfSums[c] = WrittenZeros<Half>(ringValues));
        }
        else
        {
            var sums = _sums = new float[classes][];
            Parallel.For(0, classes, c => sums[c] = WrittenZeros<float>(ringValues));
        }

        _weights = WrittenZeros<float>(ringValues);
        _labels = new byte[crop.Size[0] * (long)crop.Size[1] * crop.Size[2]];
    }

    /// <summary>
    /// A zeroed array whose pages have been written. A large new array lies on fresh pages that the kernel maps, on first
    /// read, to its shared zero page; the first write then replaces that mapping, and replacing a mapping means flushing
    /// the TLB of every core running one of the process's threads: an interrupt to each, which in a virtual machine is a
    /// trip through the hypervisor. Adding tiles reads each sum before writing it, so every 4 KiB page of the ring took
    /// two faults and a cross-core flush: the first tile's addition on the 512×512×458 CT took 575 ms instead of about
    /// 20 (perf: do_wp_page → flush_tlb_mm_range → x2apic_send_IPI). Writing zeros first costs one plain fault per page
    /// (in parallel over the classes: 270 MB of features on that CT).
    /// </summary>
    private static T[] WrittenZeros<T>(long length)
        where T : unmanaged
    {
        var array = GC.AllocateUninitializedArray<T>(checked((int)length));
        array.AsSpan().Clear();
        return array;
    }

    /// <summary>Bytes this accumulator holds for a given geometry (sums, weights and the label output), for the memory check.
    /// The ring covers only the unpadded <paramref name="outputSize"/>; <paramref name="paddedSize"/> is checked, not stored.</summary>
    /// <param name="classes">Summed channels (features with a classifier head).</param>
    /// <param name="paddedSize">The padded image size, network order.</param>
    /// <param name="patchSize">The patch size, network order.</param>
    /// <param name="outputSize">The unpadded image size.</param>
    /// <param name="precision">Storage of the sums.</param>
    /// <param name="logitClasses">Classes of the exported logits when they differ from <paramref name="classes"/> (a classifier head); 0 otherwise.</param>
    public static long EstimateBytes(int classes, IReadOnlyList<int> paddedSize, IReadOnlyList<int> patchSize, IReadOnlyList<int> outputSize,
        AccumulatorPrecision precision = AccumulatorPrecision.Single, int logitClasses = 0)
    {
        ArgumentNullException.ThrowIfNull(paddedSize);
        ArgumentNullException.ThrowIfNull(patchSize);
        ArgumentNullException.ThrowIfNull(outputSize);
        if (paddedSize.Count != 3 || outputSize.Count != 3 || Enumerable.Range(0, 3).Any(a => outputSize[a] > paddedSize[a]))
        {
            throw new ArgumentException($"output {string.Join("×", outputSize)} must fit inside the padded size {string.Join("×", paddedSize)}", nameof(outputSize));
        }

        long ring = Math.Min(patchSize[0], outputSize[0]);
        long plane = (long)outputSize[1] * outputSize[2];
        long labels = (long)outputSize[0] * outputSize[1] * outputSize[2];
        long logitsPlane = (long)Math.Max(classes, logitClasses) * outputSize[1] * outputSize[2] * sizeof(float);
        int sumBytes = precision == AccumulatorPrecision.Half ? 2 : sizeof(float);
        return (((classes * sumBytes) + sizeof(float)) * ring * plane) + labels + logitsPlane;
    }

    /// <summary>Bytes of the per-class sums alone (the part whose precision is a choice) for an unpadded image of <paramref name="outputSize"/>.</summary>
    public static long SumBytes(int classes, IReadOnlyList<int> outputSize, IReadOnlyList<int> patchSize, AccumulatorPrecision precision)
    {
        ArgumentNullException.ThrowIfNull(outputSize);
        ArgumentNullException.ThrowIfNull(patchSize);
        long ring = Math.Min(patchSize[0], outputSize[0]);
        return classes * (precision == AccumulatorPrecision.Half ? 2L : sizeof(float)) * ring * outputSize[1] * outputSize[2];
    }

    /// <summary>The argmax labels of the unpadded image (depth, height, width; width fastest). Complete after <see cref="Complete"/>.</summary>
    public byte[] Labels => _labels;

    /// <summary>Planes (padded coordinates) below this index are final.</summary>
    public int FinalizedPlanes => _finalizedBelow;

    /// <summary>
    /// Adds one tile: <paramref name="tileLogits"/> is classes × patch (class slowest) of already averaged logits,
    /// weighted here by <paramref name="gaussian"/> (one patch).
    /// </summary>
    public void Add(TileOrigin origin, ReadOnlyMemory<float> tileLogits, ReadOnlyMemory<float> gaussian)
    {
        int pd = _patch[0], ph = _patch[1], pw = _patch[2];
        int patchVoxels = pd * ph * pw;
        if (tileLogits.Length != _classes * patchVoxels || gaussian.Length != patchVoxels)
        {
            throw new ArgumentException($"tile of {tileLogits.Length} values and map of {gaussian.Length}; expected {_classes}×{patchVoxels} and {patchVoxels}");
        }

        if (origin.D < _finalizedBelow)
        {
            throw new InvalidOperationException($"tile at depth {origin.D} arrives after planes below {_finalizedBelow} were finalised (tiles must come in non-decreasing depth order)");
        }

        if (origin.D < 0 || origin.H < 0 || origin.W < 0 || origin.D + pd > _depth || origin.H + ph > _height || origin.W + pw > _width)
        {
            throw new ArgumentOutOfRangeException(nameof(origin), origin, "tile lies outside the padded image");
        }

        FinalizeBelow(origin.D);
        _touchedBelow = Math.Max(_touchedBelow, origin.D + pd);

        // The part of the tile inside the unpadded image: planes [dzLo, dzHi), rows [dyLo, dyHi), columns [dxLo, dxHi).
        int dzLo = Math.Max(0, _cropD0 - origin.D), dzHi = Math.Min(pd, _cropD0 + _cropD - origin.D);
        int dyLo = Math.Max(0, _cropH0 - origin.H), dyHi = Math.Min(ph, _cropH0 + _cropH - origin.H);
        int dxLo = Math.Max(0, _cropW0 - origin.W), dxHi = Math.Min(pw, _cropW0 + _cropW - origin.W);
        if (dzHi <= dzLo || dyHi <= dyLo || dxHi <= dxLo)
        {
            return;
        }

        int ring = _ring, cropH = _cropH, cropW = _cropW, classes = _classes, planes = dzHi - dzLo, span = dxHi - dxLo;
        int rowOffset = origin.H - _cropH0, columnOffset = origin.W - _cropW0;
        Parallel.For(0, (classes + 1) * planes, unit =>
        {
            int c = unit / planes;
            int dz = dzLo + (unit % planes);
            int slot = (origin.D + dz - _cropD0) % ring;
            var map = gaussian.Span;
            var tile = tileLogits.Span;
            bool half = _halfSums is not null && c < classes;
            Span<float> row = !half ? default : span <= StackRowLimit ? stackalloc float[span] : new float[span];
            for (int dy = dyLo; dy < dyHi; dy++)
            {
                int src = (((dz * ph) + dy) * pw) + dxLo;
                int dst = (((slot * cropH) + rowOffset + dy) * cropW) + columnOffset + dxLo;
                var g = map.Slice(src, span);
                if (c == classes)
                {
                    var weights = _weights.AsSpan(dst, span);
                    TensorPrimitives.Add(weights, g, weights);
                }
                else if (!half)
                {
                    MultiplyAdd(_sums![c].AsSpan(dst, span), tile.Slice((c * patchVoxels) + src, span), g);
                }
                else
                {
                    var stored = _halfSums![c].AsSpan(dst, span);
                    TensorPrimitives.ConvertToSingle(stored, row);
                    MultiplyAdd(row, tile.Slice((c * patchVoxels) + src, span), g);
                    TensorPrimitives.ConvertToHalf(row, stored);
                }
            }
        });
    }

    /// <summary>Finalises every remaining plane; call once after the last tile.</summary>
    public void Complete() => FinalizeBelow(_depth);

    private void FinalizeBelow(int plane)
    {
        int end = Math.Min(plane, _depth);
        if (end <= _finalizedBelow)
        {
            return;
        }

        if (end > _touchedBelow && end < _depth)
        {
            throw new InvalidOperationException($"planes {_touchedBelow}..{end - 1} were never covered by a tile");
        }

        int first = _finalizedBelow;
        int cropD0 = _crop.Offset[0], cropD1 = _crop.Offset[0] + _crop.Size[0];
        int lo = Math.Max(first, cropD0), hi = Math.Min(end, cropD1);
        if (hi > lo)
        {
            int outH = _crop.Size[1];
            if (_head is not null)
            {
                FinalizeThroughHead(_head, lo, hi, cropD0);
            }
            else if (_logitsHandler is null)
            {
                Parallel.For(0, (hi - lo) * outH, row => FinalizeRow(lo + (row / outH), row % outH, null, lo));
            }
            else
            {
                // Plane by plane, so the exported logits never need more than one plane of memory.
                var logitPlane = new float[_outputClasses * outH * _crop.Size[2]];
                for (int p = lo; p < hi; p++)
                {
                    int current = p;
                    Parallel.For(0, outH, row => FinalizeRow(current, row, logitPlane, current));
                    _logitsHandler(p - cropD0, logitPlane);
                }
            }
        }

        // Release the slots for the planes that follow (only unpadded planes have slots).
        for (int p = Math.Max(first, cropD0); p < Math.Min(end, cropD1); p++)
        {
            int slot = (p - cropD0) % _ring;
            _weights.AsSpan(slot * _planeSize, _planeSize).Clear();
            foreach (var s in _sums ?? [])
            {
                s.AsSpan(slot * _planeSize, _planeSize).Clear();
            }

            foreach (var s in _halfSums ?? [])
            {
                s.AsSpan(slot * _planeSize, _planeSize).Clear();
            }
        }

        _finalizedBelow = end;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FinalizeRow(int plane, int outY, float[]? logitPlanes, int firstPlane)
    {
        int outH = _crop.Size[1], outW = _crop.Size[2];
        int slot = (plane - _cropD0) % _ring;
        int src = ((slot * _cropH) + outY) * _cropW;
        var weight = _weights.AsSpan(src, outW);
        long labelStart = ((((long)(plane - _crop.Offset[0]) * outH) + outY) * outW);
        var labels = _labels.AsSpan((int)labelStart, outW);
        // Row scratch on the stack: finalisation runs once per output row, and heap arrays here were most of its garbage.
        Span<float> bestValues = outW <= StackRowLimit ? stackalloc float[outW] : new float[outW];
        Span<float> bestClasses = outW <= StackRowLimit ? stackalloc float[outW] : new float[outW];
        Span<float> converted = _halfSums is null ? default : outW <= StackRowLimit ? stackalloc float[outW] : new float[outW];
        bestValues.Fill(float.NegativeInfinity);
        bestClasses.Clear();
        for (int c = 0; c < _classes; c++)
        {
            scoped ReadOnlySpan<float> sum;
            if (_halfSums is null)
            {
                sum = _sums![c].AsSpan(src, outW);
            }
            else
            {
                TensorPrimitives.ConvertToSingle(_halfSums![c].AsSpan(src, outW), converted);
                sum = converted;
            }

            var logits = logitPlanes is null
                ? Span<float>.Empty
                : logitPlanes.AsSpan((((((plane - firstPlane) * _classes) + c) * outH) + outY) * outW, outW);
            int x = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var classIndex = new Vector<float>(c);
                for (; x <= outW - Vector<float>.Count; x += Vector<float>.Count)
                {
                    // Division (not multiplication by a reciprocal) as nnU-Net divides by the summed weights.
                    var v = new Vector<float>(sum[x..]) / new Vector<float>(weight[x..]);
                    if (!logits.IsEmpty)
                    {
                        v.CopyTo(logits[x..]);
                    }

                    // Strictly greater keeps the first maximal class, like argmax.
                    var better = Vector.GreaterThan(v, new Vector<float>(bestValues[x..]));
                    Vector.ConditionalSelect(better, v, new Vector<float>(bestValues[x..])).CopyTo(bestValues[x..]);
                    Vector.ConditionalSelect(better, classIndex, new Vector<float>(bestClasses[x..])).CopyTo(bestClasses[x..]);
                }
            }

            for (; x < outW; x++)
            {
                float v = sum[x] / weight[x];
                if (!logits.IsEmpty)
                {
                    logits[x] = v;
                }

                if (v > bestValues[x])
                {
                    bestValues[x] = v;
                    bestClasses[x] = c;
                }
            }
        }

        for (int x = 0; x < outW; x++)
        {
            labels[x] = (byte)bestClasses[x];
        }
    }

    /// <summary>
    /// Finalises planes [<paramref name="lo"/>, <paramref name="hi"/>) when the sums are features, in blocks of
    /// <see cref="HeadBlock"/> voxels of a plane (contiguous in the ring): average the features, apply the head class by
    /// class, argmax. Blocks rather than rows: the head is classes × features passes over its span, and on rows of a
    /// 3 mm scan (about 120 voxels) the call overhead was most of the time.
    /// </summary>
    private void FinalizeThroughHead(ClassifierHead head, int lo, int hi, int cropD0)
    {
        int planeVoxels = _crop.Size[1] * _crop.Size[2];
        int blocks = (planeVoxels + HeadBlock - 1) / HeadBlock;
        if (_logitsHandler is null)
        {
            Parallel.For(0, (hi - lo) * blocks, unit => FinalizeBlockThroughHead(head, lo + (unit / blocks), (unit % blocks) * HeadBlock, null, lo));
            return;
        }

        // Plane by plane, so the exported logits never need more than one plane of memory.
        var logitPlane = new float[head.Classes * planeVoxels];
        for (int p = lo; p < hi; p++)
        {
            int current = p;
            Parallel.For(0, blocks, block => FinalizeBlockThroughHead(head, current, block * HeadBlock, logitPlane, current));
            _logitsHandler(p - cropD0, logitPlane);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FinalizeBlockThroughHead(ClassifierHead head, int plane, int start, float[]? logitPlanes, int firstPlane)
    {
        int planeVoxels = _crop.Size[1] * _crop.Size[2];
        int n = Math.Min(HeadBlock, planeVoxels - start);
        int src = (((plane - _cropD0) % _ring) * _planeSize) + start;
        var weight = _weights.AsSpan(src, n);
        var labels = _labels.AsSpan((int)(((long)(plane - _crop.Offset[0]) * planeVoxels) + start), n);
        var pool = ArrayPool<float>.Shared;
        float[] scratch = pool.Rent((_classes + 6) * n);
        try
        {
            var features = scratch.AsSpan(0, _classes * n);
            var logits = scratch.AsSpan(_classes * n, 4 * n);
            var bestValues = scratch.AsSpan((_classes + 4) * n, n);
            var bestClasses = scratch.AsSpan((_classes + 5) * n, n);
            for (int f = 0; f < _classes; f++)
            {
                var averaged = features.Slice(f * n, n);
                if (_halfSums is null)
                {
                    TensorPrimitives.Divide(_sums![f].AsSpan(src, n), weight, averaged);
                }
                else
                {
                    TensorPrimitives.ConvertToSingle(_halfSums[f].AsSpan(src, n), averaged);
                    TensorPrimitives.Divide(averaged, weight, averaged);
                }
            }

            if (logitPlanes is null && head.TryArgmax(features, n, bestClasses))
            {
                RunningArgmax.ToLabels(bestClasses, labels);
                return;
            }

            bestValues.Fill(float.NegativeInfinity);
            bestClasses.Clear();
            for (int first = 0; first < head.Classes; first += 4)
            {
                int count = Math.Min(4, head.Classes - first);
                head.ClassRows(first, features, n, logits[..(count * n)]);
                for (int k = 0; k < count; k++)
                {
                    var row = logits.Slice(k * n, n);
                    if (logitPlanes is not null)
                    {
                        row.CopyTo(logitPlanes.AsSpan(((((plane - firstPlane) * head.Classes) + first + k) * planeVoxels) + start, n));
                    }

                    RunningArgmax.Update(row, first + k, bestValues, bestClasses);
                }
            }

            RunningArgmax.ToLabels(bestClasses, labels);
        }
        finally
        {
            pool.Return(scratch);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAdd(Span<float> target, ReadOnlySpan<float> values, ReadOnlySpan<float> weights)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= target.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                // Multiply then add, not a fused multiply-add, to round like nnU-Net's prediction *= gaussian; sum += prediction.
                var product = new Vector<float>(values[i..]) * new Vector<float>(weights[i..]);
                (new Vector<float>(target[i..]) + product).CopyTo(target[i..]);
            }
        }

        for (; i < target.Length; i++)
        {
            target[i] += values[i] * weights[i];
        }
    }
}
