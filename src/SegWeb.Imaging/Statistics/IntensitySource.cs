using System.Numerics;
using System.Runtime.InteropServices;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Statistics;

/// <summary>
/// The image intensities, read one run of voxels at a time (a run of one label along X), as the values statistics are
/// computed on: the real (scaled) value, cast to int16 the numpy way when asked. The voxel type is resolved once, not
/// per voxel; only voxels inside measured runs are read, and int16 CT (the common case) takes a vectorised path.
/// </summary>
internal abstract class IntensitySource
{
    public static IntensitySource For(Volume image, bool asInt16) => VolumeDispatch.Apply(image, new Factory(asInt16));

    /// <summary>Adds the run's values to <paramref name="sum"/> and widens <paramref name="min"/>/<paramref name="max"/>.</summary>
    public abstract void Accumulate(long start, int length, ref double sum, ref double min, ref double max);

    /// <summary>The sum of squared deviations of the run's values from <paramref name="mean"/>.</summary>
    public abstract double SquaredDeviations(long start, int length, double mean);

    /// <summary>Copies the run's values.</summary>
    public abstract void CopyTo(long start, Span<double> destination);

    /// <summary>Whether every value is an integer in int16's range (cast, or int16/uint8/int8 voxels unscaled).</summary>
    public abstract bool IsInt16Valued { get; }

    /// <summary>Copies the run's values as int16; only when <see cref="IsInt16Valued"/>.</summary>
    public abstract void CopyTo(long start, Span<short> destination);

    /// <summary>
    /// numpy's <c>float64 → int16</c> cast as compiled for x86-64: C truncation toward zero through a 32-bit integer,
    /// keeping the low 16 bits, so out-of-int16 values wrap and values beyond int32 (or NaN) become 0.
    /// </summary>
    public static double CastLikeNumpyInt16(double value)
    {
        if (!(value > -2147483649.0 && value < 2147483648.0))
        {
            return 0;
        }

        return unchecked((short)(int)value);
    }

    private sealed class Factory(bool asInt16) : IVolumeFunc<IntensitySource>
    {
        public IntensitySource Invoke<T>(Volume<T> volume)
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            // Unscaled voxels of these types are already what the int16 cast gives.
            bool exact = !volume.IsScaled && (typeof(T) == typeof(short) || typeof(T) == typeof(byte) || typeof(T) == typeof(sbyte));
            if (exact && typeof(T) == typeof(short))
            {
                return new Int16Source((short[])(object)volume.Data);
            }

            return new Typed<T>(volume, asInt16 && !exact, asInt16 || exact);
        }
    }

    /// <summary>Any voxel type: each value converted, scaled and (optionally) cast.</summary>
    private sealed class Typed<T>(Volume<T> volume, bool cast, bool int16Valued) : IntensitySource
        where T : unmanaged, INumber<T>
    {
        private readonly T[] _data = volume.Data;
        private readonly double _slope = volume.Slope;
        private readonly double _intercept = volume.Intercept;
        private readonly bool _scaled = volume.IsScaled;

        private double Value(T stored)
        {
            double v = double.CreateTruncating(stored);
            if (_scaled)
            {
                v = (v * _slope) + _intercept;
            }

            return cast ? CastLikeNumpyInt16(v) : v;
        }

        public override bool IsInt16Valued => int16Valued;

        public override void CopyTo(long start, Span<short> destination)
        {
            var source = _data.AsSpan((int)start, destination.Length);
            for (int i = 0; i < source.Length; i++)
            {
                destination[i] = (short)Value(source[i]);
            }
        }

        public override void Accumulate(long start, int length, ref double sum, ref double min, ref double max)
        {
            double s = 0, lo = min, hi = max;
            foreach (var stored in _data.AsSpan((int)start, length))
            {
                double v = Value(stored);
                s += v;
                lo = v < lo || double.IsNaN(v) ? v : lo;
                hi = v > hi || double.IsNaN(v) ? v : hi;
            }

            sum += s;
            min = lo;
            max = hi;
        }

        public override double SquaredDeviations(long start, int length, double mean)
        {
            double s = 0;
            foreach (var stored in _data.AsSpan((int)start, length))
            {
                double d = Value(stored) - mean;
                s += d * d;
            }

            return s;
        }

        public override void CopyTo(long start, Span<double> destination)
        {
            var source = _data.AsSpan((int)start, destination.Length);
            for (int i = 0; i < source.Length; i++)
            {
                destination[i] = Value(source[i]);
            }
        }
    }

    /// <summary>Unscaled int16 (CT): integer sums, vectorised over the run.</summary>
    private sealed class Int16Source(short[] data) : IntensitySource
    {
        public override bool IsInt16Valued => true;

        public override void CopyTo(long start, Span<short> destination) => data.AsSpan((int)start, destination.Length).CopyTo(destination);

        public override void Accumulate(long start, int length, ref double sum, ref double min, ref double max)
        {
            var span = data.AsSpan((int)start, length);
            long total = 0;
            int lo = short.MaxValue, hi = short.MinValue;
            int i = 0;
            if (Vector.IsHardwareAccelerated && span.Length >= Vector<short>.Count)
            {
                var vSum = Vector<int>.Zero;
                var vMin = new Vector<short>(short.MaxValue);
                var vMax = new Vector<short>(short.MinValue);
                var vectors = MemoryMarshal.Cast<short, Vector<short>>(span);

                // Each vector adds at most 2 × 32768 in magnitude to an int lane: flush to the long total every 2^14 vectors.
                for (int block = 0; block < vectors.Length; block += 1 << 14)
                {
                    int end = Math.Min(vectors.Length, block + (1 << 14));
                    for (int v = block; v < end; v++)
                    {
                        Vector.Widen(vectors[v], out var a, out var b);
                        vSum += a + b;
                        vMin = Vector.Min(vMin, vectors[v]);
                        vMax = Vector.Max(vMax, vectors[v]);
                    }

                    Vector.Widen(vSum, out Vector<long> low, out Vector<long> high);
                    total += Vector.Sum(low + high);
                    vSum = Vector<int>.Zero;
                }

                for (int lane = 0; lane < Vector<short>.Count; lane++)
                {
                    lo = Math.Min(lo, vMin[lane]);
                    hi = Math.Max(hi, vMax[lane]);
                }

                i = vectors.Length * Vector<short>.Count;
            }

            for (; i < span.Length; i++)
            {
                int v = span[i];
                total += v;
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }

            sum += total; // exact: a double holds integer sums up to 2^53
            min = Math.Min(min, lo);
            max = Math.Max(max, hi);
        }

        public override double SquaredDeviations(long start, int length, double mean)
        {
            double s = 0;
            foreach (var v in data.AsSpan((int)start, length))
            {
                double d = v - mean;
                s += d * d;
            }

            return s;
        }

        public override void CopyTo(long start, Span<double> destination)
        {
            var source = data.AsSpan((int)start, destination.Length);
            for (int i = 0; i < source.Length; i++)
            {
                destination[i] = source[i];
            }
        }
    }
}
