using System.Numerics;
using SegWeb.Imaging.Labels;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Statistics;

/// <summary>
/// One pass over a label map (or a binary mask) for all requested labels at once: every X row is cut into runs of equal
/// label, and each run updates its label's accumulator (count, intensity sum/min/max, index sums, box, border flag).
/// Z slabs run in parallel with their own accumulators, merged at the end. A second pass, only for the median or the
/// extra fields, gathers values (median) and squared deviations from the mean (standard deviation, two-pass like numpy).
/// </summary>
internal static class StatisticsEngine
{
    /// <summary>The per-label sums of one slab (or, merged, of the whole volume).</summary>
    internal struct Accumulator
    {
        public long Count;
        public double Sum;
        public double Min;
        public double Max;
        public double SquaredDeviations;
        public long SumX;
        public long SumY;
        public long SumZ;
        public int MinX;
        public int MinY;
        public int MinZ;
        public int MaxX;
        public int MaxY;
        public int MaxZ;
        public bool TouchesBorder;

        public static Accumulator Empty => new()
        {
            Min = double.PositiveInfinity,
            Max = double.NegativeInfinity,
            MinX = int.MaxValue,
            MinY = int.MaxValue,
            MinZ = int.MaxValue,
            MaxX = -1,
            MaxY = -1,
            MaxZ = -1,
        };

        public void Add(in Accumulator other)
        {
            Count += other.Count;
            Sum += other.Sum;
            SquaredDeviations += other.SquaredDeviations;
            Min = Math.Min(Min, other.Min);
            Max = Math.Max(Max, other.Max);
            SumX += other.SumX;
            SumY += other.SumY;
            SumZ += other.SumZ;
            MinX = Math.Min(MinX, other.MinX);
            MinY = Math.Min(MinY, other.MinY);
            MinZ = Math.Min(MinZ, other.MinZ);
            MaxX = Math.Max(MaxX, other.MaxX);
            MaxY = Math.Max(MaxY, other.MaxY);
            MaxZ = Math.Max(MaxZ, other.MaxZ);
            TouchesBorder |= other.TouchesBorder;
        }
    }

    /// <summary>What the passes produce: merged accumulators per requested label, and medians when asked.</summary>
    internal sealed record Result(Accumulator[] Totals, double[]? Medians);

    /// <param name="image">Intensities.</param>
    /// <param name="labels">The label map or mask, on the image's grid.</param>
    /// <param name="keys">The label values to measure (ignored when <paramref name="binary"/>).</param>
    /// <param name="binary">Treat every non-zero voxel as one structure (slot 0).</param>
    /// <param name="options">Metric, extra fields, int16 cast.</param>
    public static Result Run(Volume image, Volume labels, IReadOnlyList<int> keys, bool binary, StatisticsOptions options)
    {
        var intensities = IntensitySource.For(image, options.IntensityAsInt16);
        return VolumeDispatch.Apply(labels, new Pass(intensities, keys, binary, options));
    }

    private sealed class Pass(IntensitySource intensities, IReadOnlyList<int> keys, bool binary, StatisticsOptions options) : IVolumeFunc<Result>
    {
        public Result Invoke<T>(Volume<T> labels)
            where T : unmanaged, INumber<T>, IMinMaxValue<T> =>
            new Runner<T>(labels, intensities, new SlotLookup(binary ? [1] : keys), binary, options).Run();
    }

    /// <summary>Label value → accumulator slot; -1 for labels not asked for.</summary>
    private sealed class SlotLookup
    {
        private const int DirectLimit = 1 << 16;
        private readonly int[] _direct;
        private readonly Dictionary<int, int> _sparse = [];

        public SlotLookup(IReadOnlyList<int> keys)
        {
            Count = keys.Count;
            int max = 0;
            foreach (var k in keys)
            {
                if (k > 0 && k < DirectLimit)
                {
                    max = Math.Max(max, k);
                }
            }

            _direct = new int[max + 1];
            Array.Fill(_direct, -1);
            for (int i = 0; i < keys.Count; i++)
            {
                int k = keys[i];
                if (k > 0 && k < DirectLimit)
                {
                    _direct[k] = i;
                }
                else
                {
                    _sparse[k] = i;
                }
            }
        }

        public int Count { get; }

        public int Slot<T>(T value)
            where T : unmanaged, INumber<T>
        {
            int key = int.CreateSaturating(value);
            if (T.CreateTruncating(key) != value)
            {
                return -1; // not an integer (a float label map's 2.5), or beyond int
            }

            if ((uint)key < (uint)_direct.Length)
            {
                return _direct[key];
            }

            return _sparse.Count > 0 && _sparse.TryGetValue(key, out int slot) ? slot : -1;
        }
    }

    private sealed class Runner<T>(Volume<T> labels, IntensitySource intensities, SlotLookup lookup, bool binary, StatisticsOptions options)
        where T : unmanaged, INumber<T>
    {
        private readonly VolumeShape _shape = labels.Shape;

        public Result Run()
        {
            int nz = _shape.Z;
            int slabs = Math.Clamp(Environment.ProcessorCount * 2, 1, nz);
            var perSlab = new Accumulator[slabs][];
            Parallel.For(0, slabs, s =>
            {
                var acc = new Accumulator[lookup.Count];
                Array.Fill(acc, Accumulator.Empty);
                for (int z = SlabStart(s, slabs); z < SlabStart(s + 1, slabs); z++)
                {
                    long sliceStart = (long)z * _shape.SliceSize;
                    ForEachRun(z, (slot, row, start, end, y) => AddRun(ref acc[slot], sliceStart + row, start, end, y, z));
                }

                perSlab[s] = acc;
            });

            var totals = new Accumulator[lookup.Count];
            Array.Fill(totals, Accumulator.Empty);
            foreach (var slab in perSlab)
            {
                for (int i = 0; i < totals.Length; i++)
                {
                    totals[i].Add(slab[i]);
                }
            }

            bool median = options.Metric == IntensityMetric.Median;
            if (!options.Extra && !median)
            {
                return new Result(totals, null);
            }

            return SecondPass(totals, perSlab, slabs, median);
        }

        /// <summary>Squared deviations from the mean (for the standard deviation) and, for the median, every value.</summary>
        private Result SecondPass(Accumulator[] totals, Accumulator[][] perSlab, int slabs, bool median)
        {
            var means = new double[totals.Length];
            for (int i = 0; i < totals.Length; i++)
            {
                means[i] = totals[i].Count > 0 ? totals[i].Sum / totals[i].Count : 0;
            }

            // Each slab writes its values of a label at that label's offset for the slab (counts from pass 1), so
            // the parallel gather needs no locks and its order is deterministic.
            // int16-valued intensities (CT) are gathered as int16 and their median found by counting: a quarter of
            // the memory of doubles and linear time.
            bool asInt16 = median && intensities.IsInt16Valued;
            double[][]? values = median && !asInt16 ? new double[totals.Length][] : null;
            short[][]? shorts = asInt16 ? new short[totals.Length][] : null;
            long[][]? offsets = null;
            if (median)
            {
                offsets = new long[slabs][];
                for (int s = 0; s < slabs; s++)
                {
                    offsets[s] = new long[totals.Length];
                }

                for (int i = 0; i < totals.Length; i++)
                {
                    if (shorts is not null)
                    {
                        shorts[i] = new short[totals[i].Count];
                    }
                    else
                    {
                        values![i] = new double[totals[i].Count];
                    }

                    long at = 0;
                    for (int s = 0; s < slabs; s++)
                    {
                        offsets[s][i] = at;
                        at += perSlab[s][i].Count;
                    }
                }
            }

            var deviations = new double[slabs][];
            Parallel.For(0, slabs, s =>
            {
                var squared = new double[totals.Length];
                var next = offsets?[s];
                for (int z = SlabStart(s, slabs); z < SlabStart(s + 1, slabs); z++)
                {
                    long sliceStart = (long)z * _shape.SliceSize;
                    ForEachRun(z, (slot, row, start, end, _) =>
                    {
                        long at = sliceStart + row + start;
                        if (options.Extra)
                        {
                            squared[slot] += intensities.SquaredDeviations(at, end - start, means[slot]);
                        }

                        if (shorts is not null)
                        {
                            intensities.CopyTo(at, shorts[slot].AsSpan((int)next![slot], end - start));
                            next[slot] += end - start;
                        }
                        else if (values is not null)
                        {
                            intensities.CopyTo(at, values[slot].AsSpan((int)next![slot], end - start));
                            next[slot] += end - start;
                        }
                    });
                }

                deviations[s] = squared;
            });

            for (int i = 0; i < totals.Length; i++)
            {
                for (int s = 0; s < slabs; s++)
                {
                    totals[i].SquaredDeviations += deviations[s][i];
                }
            }

            double[]? medians = null;
            if (median)
            {
                var result = new double[totals.Length];
                Parallel.For(0, totals.Length, i => result[i] = shorts is not null ? Median.Of(shorts[i]) : Median.Of(values![i]));
                medians = result;
            }

            return new Result(totals, medians);
        }

        private int SlabStart(int slab, int slabs) => (int)((long)_shape.Z * slab / slabs);

        private delegate void RunAction(int slot, int rowOffset, int start, int end, int y);

        /// <summary>Calls <paramref name="action"/> for every run of one measured label in slice <paramref name="z"/>.</summary>
        private void ForEachRun(int z, RunAction action)
        {
            int nx = _shape.X;
            ReadOnlySpan<T> slice = labels.Slice(z);
            for (int y = 0; y < _shape.Y; y++)
            {
                int rowOffset = y * nx;
                var row = slice.Slice(rowOffset, nx);
                int x = 0;
                while (x < nx)
                {
                    int s = row[x..].IndexOfAnyExcept(T.Zero); // vectorised skip over background
                    if (s < 0)
                    {
                        break;
                    }

                    s += x;
                    T value = row[s];
                    int len = binary ? row[s..].IndexOf(T.Zero) : row[s..].IndexOfAnyExcept(value);
                    int e = len < 0 ? nx : s + len;
                    x = e;
                    int slot = binary ? 0 : lookup.Slot(value);
                    if (slot >= 0)
                    {
                        action(slot, rowOffset, s, e, y);
                    }
                }
            }
        }

        private void AddRun(ref Accumulator a, long rowStart, int start, int end, int y, int z)
        {
            int n = end - start;
            a.Count += n;
            a.SumX += (long)(start + end - 1) * n / 2; // start + … + (end − 1); the product is always even
            a.SumY += (long)y * n;
            a.SumZ += (long)z * n;
            a.MinX = Math.Min(a.MinX, start);
            a.MaxX = Math.Max(a.MaxX, end - 1);
            a.MinY = Math.Min(a.MinY, y);
            a.MaxY = Math.Max(a.MaxY, y);
            a.MinZ = Math.Min(a.MinZ, z);
            a.MaxZ = Math.Max(a.MaxZ, z);
            int m = LabelStatistics.BorderMargin;
            if (start < m || end - 1 >= _shape.X - m || y < m || y >= _shape.Y - m || z < m || z >= _shape.Z - m)
            {
                a.TouchesBorder = true;
            }

            intensities.Accumulate(rowStart + start, n, ref a.Sum, ref a.Min, ref a.Max);
        }
    }
}
