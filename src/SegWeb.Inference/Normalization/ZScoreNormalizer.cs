namespace SegWeb.Inference.Normalization;

/// <summary>
/// ZScoreNormalization (MR and other non-CT channels): subtract the image's own mean and divide by max(std, 1e-8)
/// (population std). With use_mask_for_norm, statistics come from, and normalisation applies to, the voxels inside
/// the mask only (nnU-Net's nonzero region); voxels outside keep their value (zero after cropping).
/// </summary>
public sealed class ZScoreNormalizer : ChannelNormalizer
{
    private readonly bool _useMask;

    /// <summary>Creates the normaliser; <paramref name="useMaskForNorm"/> as in the plans.</summary>
    public ZScoreNormalizer(bool useMaskForNorm = false)
    {
        _useMask = useMaskForNorm;
    }

    /// <inheritdoc />
    public override void Normalize(Span<float> values, ReadOnlySpan<bool> mask = default)
    {
        bool masked = _useMask && !mask.IsEmpty;
        if (masked && mask.Length != values.Length)
        {
            throw new InferenceException($"normalisation mask has {mask.Length} voxels, the image {values.Length}");
        }

        // Two passes in double: float32 sums over 10^8 voxels lose digits the result needs.
        double sum = 0;
        long count = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (!masked || mask[i])
            {
                sum += values[i];
                count++;
            }
        }

        if (count == 0)
        {
            return;
        }

        double mean = sum / count;
        double squares = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (!masked || mask[i])
            {
                double d = values[i] - mean;
                squares += d * d;
            }
        }

        float m = (float)mean;
        float std = (float)Math.Max(Math.Sqrt(squares / count), MinimumStd);
        for (int i = 0; i < values.Length; i++)
        {
            if (!masked || mask[i])
            {
                values[i] = (values[i] - m) / std;
            }
        }
    }
}
