using System.Numerics;

namespace SegWeb.Imaging.Volumes;

/// <summary>The smallest and largest real (scaled) value of a volume, ignoring NaN.</summary>
public readonly record struct ValueRange(double Min, double Max)
{
    public static ValueRange Of(Volume volume) => VolumeDispatch.Apply(volume, new RangeFunc());

    private readonly struct RangeFunc : IVolumeFunc<ValueRange>
    {
        public ValueRange Invoke<T>(Volume<T> volume)
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            var data = volume.Data;
            int slice = volume.Shape.SliceSize;
            var lock_ = new Lock();
            T min = T.MaxValue, max = T.MinValue;
            bool any = false;
            Parallel.For(0, volume.Shape.Z, z =>
            {
                T lo = T.MaxValue, hi = T.MinValue;
                bool seen = false;
                foreach (var v in data.AsSpan(z * slice, slice))
                {
                    if (T.IsNaN(v))
                    {
                        continue;
                    }

                    seen = true;
                    if (v < lo)
                    {
                        lo = v;
                    }

                    if (v > hi)
                    {
                        hi = v;
                    }
                }

                if (!seen)
                {
                    return;
                }

                lock (lock_)
                {
                    any = true;
                    min = T.Min(min, lo);
                    max = T.Max(max, hi);
                }
            });

            if (!any)
            {
                return new ValueRange(double.NaN, double.NaN);
            }

            double a = (double.CreateTruncating(min) * volume.Slope) + volume.Intercept;
            double b = (double.CreateTruncating(max) * volume.Slope) + volume.Intercept;
            return a <= b ? new ValueRange(a, b) : new ValueRange(b, a);
        }
    }
}
