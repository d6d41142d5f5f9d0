namespace SegWeb.Imaging.Statistics;

/// <summary>np.median of a set of values: the middle value, or the mean of the two middle values for an even count.</summary>
internal static class Median
{
    /// <summary>The median (reorders <paramref name="values"/>); 0 for none, NaN if any value is NaN (as numpy).</summary>
    public static double Of(double[] values)
    {
        int n = values.Length;
        if (n == 0)
        {
            return 0;
        }

        foreach (var v in values)
        {
            if (double.IsNaN(v))
            {
                return double.NaN;
            }
        }

        double upper = Select(values, 0, n - 1, n / 2);
        if (n % 2 == 1)
        {
            return upper;
        }

        // After selecting rank n/2, everything left of it is <= it: the lower middle is their maximum.
        double lower = double.NegativeInfinity;
        for (int i = 0; i < n / 2; i++)
        {
            lower = Math.Max(lower, values[i]);
        }

        return (lower + upper) / 2;
    }

    /// <summary>The median of int16 values by counting (linear time, whatever the distribution); 0 for none.</summary>
    public static double Of(short[] values)
    {
        int n = values.Length;
        if (n == 0)
        {
            return 0;
        }

        var counts = new int[65536];
        foreach (var v in values)
        {
            counts[v + 32768]++;
        }

        // The values of rank (n-1)/2 and n/2 (the same one for an odd count).
        long lowerRank = (n - 1) / 2, upperRank = n / 2, seen = 0;
        int lower = int.MinValue;
        for (int bin = 0; bin < counts.Length; bin++)
        {
            seen += counts[bin];
            if (lower == int.MinValue && seen > lowerRank)
            {
                lower = bin - 32768;
            }

            if (seen > upperRank)
            {
                return (lower + (double)(bin - 32768)) / 2;
            }
        }

        throw new InvalidOperationException("unreachable: the counts add up to n");
    }

    /// <summary>
    /// Quickselect with a three-way partition: CT intensities repeat a lot (int16), and a two-way partition degrades
    /// to quadratic time on many equal values.
    /// </summary>
    private static double Select(double[] a, int lo, int hi, int k)
    {
        while (lo < hi)
        {
            double pivot = MedianOfThree(a[lo], a[lo + ((hi - lo) / 2)], a[hi]);
            int lt = lo, i = lo, gt = hi;
            while (i <= gt)
            {
                if (a[i] < pivot)
                {
                    (a[lt], a[i]) = (a[i], a[lt]);
                    lt++;
                    i++;
                }
                else if (a[i] > pivot)
                {
                    (a[gt], a[i]) = (a[i], a[gt]);
                    gt--;
                }
                else
                {
                    i++;
                }
            }

            if (k < lt)
            {
                hi = lt - 1;
            }
            else if (k > gt)
            {
                lo = gt + 1;
            }
            else
            {
                return pivot;
            }
        }

        return a[k];
    }

    private static double MedianOfThree(double a, double b, double c) =>
        Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
