using System.Numerics;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Statistics;

/// <summary>
/// The image intensities one Z slice at a time, as the doubles statistics are computed on, so the statistics loops
/// never see the image's voxel type (no per-voxel dispatch) and no full-size converted copy is made.
/// </summary>
internal abstract class IntensitySlices
{
    public static IntensitySlices For(Volume image, bool asInt16) => VolumeDispatch.Apply(image, new Factory(asInt16));

    /// <summary>Fills <paramref name="buffer"/> (one slice, X fastest) with the intensities of slice <paramref name="z"/>.</summary>
    public abstract void Read(int z, Span<double> buffer);

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

    private sealed class Factory(bool asInt16) : IVolumeFunc<IntensitySlices>
    {
        public IntensitySlices Invoke<T>(Volume<T> volume)
            where T : unmanaged, INumber<T>, IMinMaxValue<T> => new Typed<T>(volume, asInt16);
    }

    private sealed class Typed<T>(Volume<T> volume, bool asInt16) : IntensitySlices
        where T : unmanaged, INumber<T>
    {
        public override void Read(int z, Span<double> buffer)
        {
            ReadOnlySpan<T> slice = volume.Slice(z);
            double slope = volume.Slope, intercept = volume.Intercept;
            bool scaled = volume.IsScaled;

            // Integer voxels of at most 16 bits, unscaled, are already what the int16 cast gives (bar uint16 above
            // 32767, which wraps): the common CT case skips the cast entirely.
            bool exactInt16 = !scaled && (typeof(T) == typeof(short) || typeof(T) == typeof(byte) || typeof(T) == typeof(sbyte));
            for (int i = 0; i < slice.Length; i++)
            {
                double v = double.CreateTruncating(slice[i]);
                if (scaled)
                {
                    v = (v * slope) + intercept;
                }

                buffer[i] = asInt16 && !exactInt16 ? CastLikeNumpyInt16(v) : v;
            }
        }
    }
}
