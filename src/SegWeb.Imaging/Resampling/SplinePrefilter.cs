namespace SegWeb.Imaging.Resampling;

/// <summary>
/// The cubic B-spline prefilter (interpolating coefficients from samples) with mirror boundaries, as
/// scipy.ndimage.spline_filter1d computes it: gain, causal recursion started by the exact mirror sum,
/// anticausal recursion started by the mirror closed form. Scalar and in double: it only builds kernels.
/// </summary>
internal static class SplinePrefilter
{
    private static readonly double Pole = Math.Sqrt(3) - 2;

    public static void MirrorCubic(Span<double> c)
    {
        int n = c.Length;
        if (n == 1)
        {
            return;
        }

        double z = Pole;
        double gain = (1 - z) * (1 - (1 / z));
        for (int i = 0; i < n; i++)
        {
            c[i] *= gain;
        }

        // Causal initialisation: the signal mirrored about both ends, summed exactly over one period.
        double zn1 = Math.Pow(z, n - 1);
        double sum = c[0] + (zn1 * c[n - 1]);
        double zi = z;
        for (int i = 1; i < n - 1; i++)
        {
            sum += zi * (c[i] + (zn1 * c[n - 1 - i]));
            zi *= z;
        }

        c[0] = sum / (1 - (zn1 * zn1));
        for (int i = 1; i < n; i++)
        {
            c[i] += z * c[i - 1];
        }

        c[n - 1] = ((z * c[n - 2]) + c[n - 1]) * z / ((z * z) - 1);
        for (int i = n - 2; i >= 0; i--)
        {
            c[i] = z * (c[i + 1] - c[i]);
        }
    }
}
