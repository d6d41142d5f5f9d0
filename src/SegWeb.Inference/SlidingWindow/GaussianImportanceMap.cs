namespace SegWeb.Inference.SlidingWindow;

/// <summary>
/// nnU-Net v2's Gaussian importance map (compute_gaussian): a unit impulse at the patch centre (index size/2)
/// blurred by scipy's gaussian_filter with σ = size · <c>sigmaScale</c> per axis (kernel truncated at 4σ, constant
/// 0 border), scaled so its maximum is <c>valueScalingFactor</c> (10 in the predictor), rounded to half precision
/// as nnU-Net stores it, and with zeros replaced by the smallest non-zero value so no voxel has zero weight.
/// </summary>
public static class GaussianImportanceMap
{
    /// <summary>nnU-Net's σ as a fraction of the patch size.</summary>
    public const double DefaultSigmaScale = 1.0 / 8;

    /// <summary>nnU-Net's predictor scales the map's maximum to 10.</summary>
    public const double DefaultValueScaling = 10;

    /// <summary>The map over a patch, row-major (first axis slowest).</summary>
    /// <param name="patchSize">Patch size per axis (network order).</param>
    /// <param name="sigmaScale">σ as a fraction of the patch size.</param>
    /// <param name="valueScaling">The map's maximum.</param>
    /// <param name="halfPrecision">Round to IEEE half as nnU-Net does (its default dtype is float16).</param>
    public static float[] Compute(IReadOnlyList<int> patchSize, double sigmaScale = DefaultSigmaScale, double valueScaling = DefaultValueScaling, bool halfPrecision = true)
    {
        ArgumentNullException.ThrowIfNull(patchSize);
        // The blurred impulse is separable: the product of each axis's normalised 1D kernel, centred on size/2.
        var profiles = patchSize.Select(size => Profile(size, size * sigmaScale)).ToArray();
        long count = patchSize.Aggregate(1L, (a, b) => a * b);

        // Outer products axis by axis (row-major, last axis fastest): element i is ((1 · p0) · p1) · p2, the same
        // products in the same order as evaluating each index separately, without a division per index and axis.
        var map = new double[count];
        map[0] = 1;
        long filled = 1;
        foreach (var profile in profiles)
        {
            for (long i = filled - 1; i >= 0; i--)
            {
                double v = map[i];
                long start = i * profile.Length;
                for (int k = 0; k < profile.Length; k++)
                {
                    map[start + k] = v * profile[k];
                }
            }

            filled *= profile.Length;
        }

        double max = 0;
        for (long i = 0; i < count; i++)
        {
            max = Math.Max(max, map[i]);
        }

        var result = new float[count];
        float minNonZero = float.MaxValue;
        for (long i = 0; i < count; i++)
        {
            double scaled = map[i] / max * valueScaling;
            float f = halfPrecision ? (float)(Half)scaled : (float)scaled;
            result[i] = f;
            if (f > 0 && f < minNonZero)
            {
                minNonZero = f;
            }
        }

        for (long i = 0; i < count; i++)
        {
            if (result[i] == 0)
            {
                result[i] = minNonZero;
            }
        }

        return result;
    }

    /// <summary>scipy's truncated 1D Gaussian kernel (radius = int(4σ + 0.5), normalised to sum 1) laid over one axis.</summary>
    private static double[] Profile(int size, double sigma)
    {
        int radius = (int)((4.0 * sigma) + 0.5);
        var kernel = new double[(2 * radius) + 1];
        double sum = 0;
        for (int k = -radius; k <= radius; k++)
        {
            kernel[k + radius] = Math.Exp(-0.5 / (sigma * sigma) * k * k);
            sum += kernel[k + radius];
        }

        int centre = size / 2;
        var profile = new double[size];
        for (int i = 0; i < size; i++)
        {
            int k = i - centre;
            profile[i] = Math.Abs(k) <= radius ? kernel[k + radius] / sum : 0;
        }

        return profile;
    }
}
