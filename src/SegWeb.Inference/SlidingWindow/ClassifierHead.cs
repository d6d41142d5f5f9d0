using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SegWeb.Imaging.Labels;

namespace SegWeb.Inference.SlidingWindow;

/// <summary>
/// A network's final 1×1×1 convolution, applied by the aggregator instead of the network. nnU-Net averages
/// Gaussian-weighted logits over the tiles covering a voxel; logits are Weights · features + Bias, a linear map, so
/// averaging the features and applying the map once per voxel gives the same logits (up to float rounding) while the
/// network writes, and the aggregator sums, <see cref="Features"/> channels instead of <see cref="Classes"/>: for
/// TotalSegmentator's 118-class 3 mm model 32 instead of 118, which is 480 MB less network output per 112³ tile and
/// 3.7 times less aggregation. The map also commutes with mirroring; it does not with averaging folds (each fold
/// has its own classifier), so a head is split off only for single-fold parts.
/// </summary>
public sealed class ClassifierHead
{
    /// <summary>Classes per register group in <see cref="TryArgmax"/>.</summary>
    private const int Group = 8;

    private readonly int _groups;
    private readonly float[] _groupedWeights;
    private readonly float[] _groupedBias;

    /// <summary>Creates a head from <paramref name="weights"/> (classes × features, class slowest) and <paramref name="bias"/> (one per class).</summary>
    public ClassifierHead(int classes, int features, float[] weights, float[] bias)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        if (classes < 1 || features < 1 || weights.Length != (long)classes * features || bias.Length != classes)
        {
            throw new ArgumentException($"a classifier of {classes} classes over {features} features needs {classes}×{features} weights and {classes} biases; got {weights.Length} and {bias.Length}");
        }

        Classes = classes;
        Features = features;
        Weights = weights;
        Bias = bias;

        // TryArgmax's layout: groups of eight classes, per feature the group's eight weights side by side; the last
        // group is filled up with the last class.
        _groups = (classes + Group - 1) / Group;
        _groupedWeights = new float[_groups * Group * features];
        _groupedBias = new float[_groups * Group];
        for (int slot = 0; slot < _groups * Group; slot++)
        {
            int c = Math.Min(slot, classes - 1), group = slot / Group, k = slot % Group;
            _groupedBias[slot] = bias[c];
            for (int f = 0; f < features; f++)
            {
                _groupedWeights[(((group * features) + f) * Group) + k] = weights[(c * features) + f];
            }
        }
    }

    /// <summary>Output classes, background included.</summary>
    public int Classes { get; }

    /// <summary>Input feature channels.</summary>
    public int Features { get; }

    /// <summary>Classes × features, class slowest. Not to be changed: <see cref="TryArgmax"/> works on a copy made by the constructor.</summary>
    public float[] Weights { get; }

    /// <summary>One per class. Not to be changed, as <see cref="Weights"/>.</summary>
    public float[] Bias { get; }

    /// <summary>
    /// The logits of classes <paramref name="firstClass"/> onward for a block of voxels: <paramref name="features"/> holds
    /// Features rows of <paramref name="width"/> values (feature slowest); <paramref name="logits"/> receives one row of
    /// <paramref name="width"/> per class, as many as it holds (at most four, fewer at the end of the classes).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ClassRows(int firstClass, ReadOnlySpan<float> features, int width, Span<float> logits)
    {
        int count = logits.Length / width;
        if (count is < 1 or > 4 || firstClass + count > Classes || features.Length < Features * width)
        {
            throw new ArgumentException($"1 to 4 classes from {firstClass} of {Classes}, {Features} feature rows of {width}");
        }

        // Four classes per pass: each feature vector is loaded once for four accumulators (loads, not arithmetic, bound
        // this loop). Missing classes reuse the last one's weights and are not stored.
        int last = firstClass + count - 1;
        var w0 = Weights.AsSpan(firstClass * Features, Features);
        var w1 = Weights.AsSpan(Math.Min(firstClass + 1, last) * Features, Features);
        var w2 = Weights.AsSpan(Math.Min(firstClass + 2, last) * Features, Features);
        var w3 = Weights.AsSpan(Math.Min(firstClass + 3, last) * Features, Features);
        float b0 = Bias[firstClass], b1 = Bias[Math.Min(firstClass + 1, last)], b2 = Bias[Math.Min(firstClass + 2, last)], b3 = Bias[Math.Min(firstClass + 3, last)];
        int x = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // 16 voxels per register and fused multiply-adds: the head on the 458-slice CT at 3 mm (2.9 M voxels × 118
            // classes × 32 features) is work outside the forward passes, and 8-wide multiply-then-add ran it at a
            // third of this speed.
            for (; x <= width - Vector512<float>.Count; x += Vector512<float>.Count)
            {
                var s0 = Vector512.Create(b0);
                var s1 = Vector512.Create(b1);
                var s2 = Vector512.Create(b2);
                var s3 = Vector512.Create(b3);
                for (int f = 0; f < Features; f++)
                {
                    var v = Vector512.Create(features.Slice((f * width) + x, Vector512<float>.Count));
                    s0 = Vector512.FusedMultiplyAdd(v, Vector512.Create(w0[f]), s0);
                    s1 = Vector512.FusedMultiplyAdd(v, Vector512.Create(w1[f]), s1);
                    s2 = Vector512.FusedMultiplyAdd(v, Vector512.Create(w2[f]), s2);
                    s3 = Vector512.FusedMultiplyAdd(v, Vector512.Create(w3[f]), s3);
                }

                s0.CopyTo(logits[x..]);
                if (count > 1)
                {
                    s1.CopyTo(logits[(width + x)..]);
                }

                if (count > 2)
                {
                    s2.CopyTo(logits[((2 * width) + x)..]);
                }

                if (count > 3)
                {
                    s3.CopyTo(logits[((3 * width) + x)..]);
                }
            }
        }

        if (Vector.IsHardwareAccelerated)
        {
            for (; x <= width - Vector<float>.Count; x += Vector<float>.Count)
            {
                Vector<float> s0 = new(b0), s1 = new(b1), s2 = new(b2), s3 = new(b3);
                for (int f = 0; f < Features; f++)
                {
                    var v = new Vector<float>(features.Slice((f * width) + x, Vector<float>.Count));
                    s0 += v * w0[f];
                    s1 += v * w1[f];
                    s2 += v * w2[f];
                    s3 += v * w3[f];
                }

                s0.CopyTo(logits[x..]);
                if (count > 1)
                {
                    s1.CopyTo(logits[(width + x)..]);
                }

                if (count > 2)
                {
                    s2.CopyTo(logits[((2 * width) + x)..]);
                }

                if (count > 3)
                {
                    s3.CopyTo(logits[((3 * width) + x)..]);
                }
            }
        }

        for (; x < width; x++)
        {
            for (int k = 0; k < count; k++)
            {
                var w = Weights.AsSpan((firstClass + k) * Features, Features);
                float sum = Bias[firstClass + k];
                for (int f = 0; f < Features; f++)
                {
                    sum += features[(f * width) + x] * w[f];
                }

                logits[(k * width) + x] = sum;
            }
        }
    }

    /// <summary>
    /// The most likely class of each voxel of a block, as a float label in <paramref name="bestClasses"/>: the same
    /// logits as <see cref="ClassRows"/> (fused multiply-adds over 16 voxels, unfused ones for the remainder) and the
    /// same argmax as applying <see cref="RunningArgmax.Update"/> class by class (the first of equal logits wins), so
    /// the labels are identical. The logits never leave registers: eight classes at a time are accumulated over the
    /// features and folded into the running maximum. On the 512×512×458 CT at 3 mm (2.9 M voxels, 118 classes) writing
    /// each class row and reading it back for the argmax was most of the head's 0.45 s.
    /// </summary>
    /// <returns>False when 512-bit vectors are not accelerated: use <see cref="ClassRows"/> and <see cref="RunningArgmax"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryArgmax(ReadOnlySpan<float> features, int width, Span<float> bestClasses)
    {
        if (features.Length < Features * width || bestClasses.Length < width)
        {
            throw new ArgumentException($"{Features} feature rows of {width} and {width} labels");
        }

        if (!Vector512.IsHardwareAccelerated)
        {
            return false;
        }

        int x = 0;
        ref float featureBase = ref MemoryMarshal.GetReference(features);
        ref float groupBase = ref MemoryMarshal.GetArrayDataReference(_groupedWeights);
        ref float biasBase = ref MemoryMarshal.GetArrayDataReference(_groupedBias);
        for (; x <= width - Vector512<float>.Count; x += Vector512<float>.Count)
        {
            var best = Vector512.Create(float.NegativeInfinity);
            var label = Vector512<float>.Zero;
            for (int group = 0; group < _groups; group++)
            {
                ref float bias = ref Unsafe.Add(ref biasBase, group * Group);
                var s0 = Vector512.Create(bias);
                var s1 = Vector512.Create(Unsafe.Add(ref bias, 1));
                var s2 = Vector512.Create(Unsafe.Add(ref bias, 2));
                var s3 = Vector512.Create(Unsafe.Add(ref bias, 3));
                var s4 = Vector512.Create(Unsafe.Add(ref bias, 4));
                var s5 = Vector512.Create(Unsafe.Add(ref bias, 5));
                var s6 = Vector512.Create(Unsafe.Add(ref bias, 6));
                var s7 = Vector512.Create(Unsafe.Add(ref bias, 7));
                ref float w = ref Unsafe.Add(ref groupBase, group * Group * Features);
                for (int f = 0; f < Features; f++, w = ref Unsafe.Add(ref w, Group))
                {
                    var v = Vector512.LoadUnsafe(ref featureBase, (nuint)((f * width) + x));
                    s0 = Vector512.FusedMultiplyAdd(v, Vector512.Create(w), s0);
                    s1 = Vector512.FusedMultiplyAdd(v, Vector512.Create(Unsafe.Add(ref w, 1)), s1);
                    s2 = Vector512.FusedMultiplyAdd(v, Vector512.Create(Unsafe.Add(ref w, 2)), s2);
                    s3 = Vector512.FusedMultiplyAdd(v, Vector512.Create(Unsafe.Add(ref w, 3)), s3);
                    s4 = Vector512.FusedMultiplyAdd(v, Vector512.Create(Unsafe.Add(ref w, 4)), s4);
                    s5 = Vector512.FusedMultiplyAdd(v, Vector512.Create(Unsafe.Add(ref w, 5)), s5);
                    s6 = Vector512.FusedMultiplyAdd(v, Vector512.Create(Unsafe.Add(ref w, 6)), s6);
                    s7 = Vector512.FusedMultiplyAdd(v, Vector512.Create(Unsafe.Add(ref w, 7)), s7);
                }

                // A group past the last class repeats the last class: equal logits never replace the maximum.
                int c = group * Group, last = Classes - 1;
                (best, label) = Larger(s0, c, best, label);
                (best, label) = Larger(s1, Math.Min(c + 1, last), best, label);
                (best, label) = Larger(s2, Math.Min(c + 2, last), best, label);
                (best, label) = Larger(s3, Math.Min(c + 3, last), best, label);
                (best, label) = Larger(s4, Math.Min(c + 4, last), best, label);
                (best, label) = Larger(s5, Math.Min(c + 5, last), best, label);
                (best, label) = Larger(s6, Math.Min(c + 6, last), best, label);
                (best, label) = Larger(s7, Math.Min(c + 7, last), best, label);
            }

            label.CopyTo(bestClasses[x..]);
        }

        // The remainder as ClassRows computes it there (multiply, then add: what its Vector<float> and scalar paths round).
        for (; x < width; x++)
        {
            float best = float.NegativeInfinity, label = 0;
            for (int c = 0; c < Classes; c++)
            {
                var w = Weights.AsSpan(c * Features, Features);
                float sum = Bias[c];
                for (int f = 0; f < Features; f++)
                {
                    sum += features[(f * width) + x] * w[f];
                }

                if (sum > best)
                {
                    best = sum;
                    label = c;
                }
            }

            bestClasses[x] = label;
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> Best, Vector512<float> Label) Larger(Vector512<float> logits, int label, Vector512<float> best, Vector512<float> bestLabel)
    {
        var larger = Vector512.GreaterThan(logits, best);
        return (Vector512.ConditionalSelect(larger, logits, best), Vector512.ConditionalSelect(larger, Vector512.Create((float)label), bestLabel));
    }
}
