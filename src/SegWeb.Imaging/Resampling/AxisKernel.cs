namespace SegWeb.Imaging.Resampling;

/// <summary>
/// The resampling of one axis as a sparse matrix (output length × input length) with contiguous rows:
/// output[o] = Σ Weights[Offset[o] + k] · input[Start[o] + k] for k &lt; Length[o].
/// </summary>
/// <remarks>
/// A zoom is separable, so three of these describe a 3D resampling exactly. The rows reproduce
/// scipy.ndimage.zoom(order, mode='nearest', grid_mode=True) — which is what skimage's resize(mode='edge',
/// anti_aliasing=False) and therefore nnU-Net run — by pushing unit vectors through a scalar double-precision
/// model of scipy's procedure: sample coordinate c = (o + 0.5)·n_in/n_out − 0.5; order 0 takes floor(c + 0.5)
/// and order 1 blends floor(c) and floor(c)+1, both with indices clamped to the edge (mode 'nearest');
/// order 3 first pads 12 edge samples on each side (scipy's _prepad_for_spline_filter for mode 'nearest'),
/// prefilters the padded signal into B-spline coefficients with mirror boundaries, then evaluates the cubic
/// B-spline at c + 12. Weights below <see cref="RelativeCutoff"/> of a row's largest are dropped from the row ends:
/// the spline's influence decays as 0.268^distance, so rows stay ~25–30 long and the dropped mass (≲ 3e-7 of the
/// largest input magnitude) is of the order of float32 rounding, which the output has anyway.
/// </remarks>
internal sealed class AxisKernel
{
    /// <summary>Weights smaller than this fraction of the row's largest are trimmed from the row ends.</summary>
    public const double RelativeCutoff = 1e-7;

    private const int SplinePad = 12; // scipy pads 12 samples for mode 'nearest' before the spline filter

    private AxisKernel(int inputLength, int outputLength, int[] start, int[] length, int[] offset, float[] weights)
    {
        InputLength = inputLength;
        OutputLength = outputLength;
        Start = start;
        Length = length;
        Offset = offset;
        Weights = weights;
        foreach (int l in length)
        {
            MaxLength = Math.Max(MaxLength, l);
        }
    }

    public int InputLength { get; }

    public int OutputLength { get; }

    public int[] Start { get; }

    public int[] Length { get; }

    public int[] Offset { get; }

    public float[] Weights { get; }

    public int MaxLength { get; }

    /// <summary>Total number of weights (the cost of applying this axis once per line).</summary>
    public long WeightCount => Weights.Length;

    /// <summary>True when every row is a single weight of 1 (order 0, or a same-size order-0/1 axis).</summary>
    public bool IsSelection
    {
        get
        {
            if (MaxLength != 1)
            {
                return false;
            }

            foreach (float w in Weights)
            {
                if (w != 1f)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The sample coordinate of output index <paramref name="o"/> in input index units (scipy's grid_mode zoom).</summary>
    public static double SampleCoordinate(int o, double zoom) => ((o + 0.5) * zoom) - 0.5;

    /// <summary>scipy's zoom ratio for grid_mode: n_in / n_out.</summary>
    public static double Zoom(int inputLength, int outputLength) => (double)inputLength / outputLength;

    public static AxisKernel Create(int inputLength, int outputLength, int order)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputLength, 1);
        var rows = new double[outputLength][];
        var starts = new int[outputLength];
        double zoom = Zoom(inputLength, outputLength);
        if (order == 3 && inputLength > 1)
        {
            BuildCubic(inputLength, outputLength, zoom, rows, starts);
        }
        else if (order is 0 or 1 or 3)
        {
            // A single sample is constant under every order (scipy skips the filter for length 1).
            int effective = inputLength == 1 ? 0 : order;
            for (int o = 0; o < outputLength; o++)
            {
                double c = SampleCoordinate(o, zoom);
                if (effective == 0)
                {
                    starts[o] = Math.Clamp((int)Math.Floor(c + 0.5), 0, inputLength - 1);
                    rows[o] = [1.0];
                    continue;
                }

                double f = Math.Floor(c);
                double t = c - f;
                int i0 = Math.Clamp((int)f, 0, inputLength - 1);
                int i1 = Math.Clamp((int)f + 1, 0, inputLength - 1);
                if (i0 == i1)
                {
                    starts[o] = i0;
                    rows[o] = [1.0];
                }
                else
                {
                    starts[o] = i0;
                    rows[o] = [1 - t, t];
                }
            }
        }
        else
        {
            throw new ResamplingException($"Interpolation order {order} is not supported: use 0, 1 or 3.");
        }

        return Pack(inputLength, outputLength, rows, starts);
    }

    private static AxisKernel Pack(int inputLength, int outputLength, double[][] rows, int[] starts)
    {
        var start = new int[outputLength];
        var length = new int[outputLength];
        var offset = new int[outputLength];
        var packed = new List<float>();
        for (int o = 0; o < outputLength; o++)
        {
            var row = rows[o];
            double max = 0;
            foreach (double w in row)
            {
                max = Math.Max(max, Math.Abs(w));
            }

            int first = 0, last = row.Length - 1;
            while (first < last && Math.Abs(row[first]) <= RelativeCutoff * max)
            {
                first++;
            }

            while (last > first && Math.Abs(row[last]) <= RelativeCutoff * max)
            {
                last--;
            }

            start[o] = starts[o] + first;
            length[o] = last - first + 1;
            offset[o] = packed.Count;
            for (int k = first; k <= last; k++)
            {
                packed.Add((float)row[k]);
            }
        }

        return new AxisKernel(inputLength, outputLength, start, length, offset, packed.ToArray());
    }

    /// <summary>
    /// Order 3: row o = Σₖ βₖ(t) · P[floor(c)+11+k, :], where P = prefilter ∘ edge-pad (padded length × n).
    /// P's columns are computed by filtering padded unit vectors and kept as bands (they decay geometrically).
    /// </summary>
    private static void BuildCubic(int n, int outputLength, double zoom, double[][] rows, int[] starts)
    {
        int m = n + (2 * SplinePad);
        var bandStart = new int[n];
        var bands = new double[n][];
        var signal = new double[m];
        for (int j = 0; j < n; j++)
        {
            Array.Clear(signal);
            int lo = j + SplinePad, hi = j + SplinePad;
            if (j == 0)
            {
                lo = 0;
            }

            if (j == n - 1)
            {
                hi = m - 1;
            }

            for (int i = lo; i <= hi; i++)
            {
                signal[i] = 1;
            }

            SplinePrefilter.MirrorCubic(signal);
            double max = 0;
            foreach (double v in signal)
            {
                max = Math.Max(max, Math.Abs(v));
            }

            // Keep far more than the output cutoff so the composed rows are exact to double round-off.
            double cut = max * 1e-17;
            int a = 0, b = m - 1;
            while (a < b && Math.Abs(signal[a]) <= cut)
            {
                a++;
            }

            while (b > a && Math.Abs(signal[b]) <= cut)
            {
                b--;
            }

            bandStart[j] = a;
            bands[j] = signal.AsSpan(a, b - a + 1).ToArray();
        }

        var dense = new double[n];
        Span<double> beta = stackalloc double[4];
        for (int o = 0; o < outputLength; o++)
        {
            double c = SampleCoordinate(o, zoom) + SplinePad;
            double f = Math.Floor(c);
            double t = c - f;
            double u = 1 - t;
            beta[0] = u * u * u / 6;
            beta[1] = (4 - (6 * t * t) + (3 * t * t * t)) / 6;
            beta[2] = (1 + (3 * t) + (3 * t * t) - (3 * t * t * t)) / 6;
            beta[3] = t * t * t / 6;
            Array.Clear(dense);
            for (int k = 0; k < 4; k++)
            {
                // Coefficient index, clamped as mode 'nearest' would (never reached: c stays inside the padding).
                int r = Math.Clamp((int)f - 1 + k, 0, m - 1);
                for (int j = 0; j < n; j++)
                {
                    int idx = r - bandStart[j];
                    if ((uint)idx < (uint)bands[j].Length)
                    {
                        dense[j] += beta[k] * bands[j][idx];
                    }
                }
            }

            int first = 0, last = n - 1;
            while (first < last && dense[first] == 0)
            {
                first++;
            }

            while (last > first && dense[last] == 0)
            {
                last--;
            }

            starts[o] = first;
            rows[o] = dense.AsSpan(first, last - first + 1).ToArray();
        }
    }
}
