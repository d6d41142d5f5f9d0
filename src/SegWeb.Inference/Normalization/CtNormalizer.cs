using System.Numerics;

namespace SegWeb.Inference.Normalization;

/// <summary>
/// CTNormalization: clip to the training set's foreground 0.5/99.5 percentiles, subtract its foreground mean and
/// divide by max(std, 1e-8). Fixed statistics from the model, so every scan is scaled alike. Arithmetic is float32,
/// as nnU-Net does it on a float32 array.
/// </summary>
public sealed class CtNormalizer : ChannelNormalizer
{
    private readonly float _low;
    private readonly float _high;
    private readonly float _mean;
    private readonly float _std;

    /// <summary>Creates the normaliser from the model's intensity properties.</summary>
    public CtNormalizer(double clipLow, double clipHigh, double mean, double std)
    {
        if (!(clipLow <= clipHigh))
        {
            throw new InferenceException($"CTNormalization clip range [{clipLow}, {clipHigh}] is empty");
        }

        _low = (float)clipLow;
        _high = (float)clipHigh;
        _mean = (float)mean;
        _std = (float)Math.Max(std, MinimumStd);
    }

    /// <inheritdoc />
    public override void Normalize(Span<float> values, ReadOnlySpan<bool> mask = default)
    {
        // The mask does not apply: nnU-Net's CTNormalization ignores use_mask_for_norm.
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var low = new Vector<float>(_low);
            var high = new Vector<float>(_high);
            var mean = new Vector<float>(_mean);
            var std = new Vector<float>(_std);
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = Vector.Min(Vector.Max(new Vector<float>(values[i..]), low), high);
                ((v - mean) / std).CopyTo(values[i..]);
            }
        }

        for (; i < values.Length; i++)
        {
            values[i] = (Math.Min(Math.Max(values[i], _low), _high) - _mean) / _std;
        }
    }
}
