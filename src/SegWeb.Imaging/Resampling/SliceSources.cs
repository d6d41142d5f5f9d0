using System.Numerics;
using System.Runtime.InteropServices;

namespace SegWeb.Imaging.Resampling;

/// <summary>Where the Z pass reads input from: adds weight × (a function of) a run of input slice z to a float accumulator.</summary>
internal interface ISliceSource
{
    /// <summary>accumulator[i] += weight · f(slice z, element start + i) for every i of the accumulator.</summary>
    void Accumulate(int z, int start, float weight, Span<float> accumulator);
}

/// <summary>The stored voxel values of a volume, converted to float (widening and vectorised for int16 and float32).</summary>
internal sealed class VoxelSource<T>(T[] data, int sliceSize) : ISliceSource
    where T : unmanaged, INumber<T>
{
    public void Accumulate(int z, int start, float weight, Span<float> accumulator)
    {
        var src = data.AsSpan((z * sliceSize) + start, accumulator.Length);
        if (typeof(T) == typeof(short))
        {
            AccumulateInt16(MemoryMarshal.Cast<T, short>(src), weight, accumulator);
        }
        else if (typeof(T) == typeof(float))
        {
            AccumulateFloat(MemoryMarshal.Cast<T, float>(src), weight, accumulator);
        }
        else
        {
            for (int i = 0; i < src.Length; i++)
            {
                accumulator[i] += weight * float.CreateTruncating(src[i]);
            }
        }
    }

    private static void AccumulateFloat(ReadOnlySpan<float> src, float weight, Span<float> acc)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = new Vector<float>(weight);
            var s = MemoryMarshal.Cast<float, Vector<float>>(src);
            var a = MemoryMarshal.Cast<float, Vector<float>>(acc);
            for (int v = 0; v < s.Length; v++)
            {
                a[v] = Vector.FusedMultiplyAdd(w, s[v], a[v]);
            }

            i = s.Length * Vector<float>.Count;
        }

        for (; i < src.Length; i++)
        {
            acc[i] += weight * src[i];
        }
    }

    private static void AccumulateInt16(ReadOnlySpan<short> src, float weight, Span<float> acc)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = new Vector<float>(weight);
            var s = MemoryMarshal.Cast<short, Vector<short>>(src);
            var a = MemoryMarshal.Cast<float, Vector<float>>(acc[..(s.Length * Vector<short>.Count)]);
            for (int v = 0; v < s.Length; v++)
            {
                Vector.Widen(s[v], out Vector<int> lo, out Vector<int> hi);
                a[2 * v] = Vector.FusedMultiplyAdd(w, Vector.ConvertToSingle(lo), a[2 * v]);
                a[(2 * v) + 1] = Vector.FusedMultiplyAdd(w, Vector.ConvertToSingle(hi), a[(2 * v) + 1]);
            }

            i = s.Length * Vector<short>.Count;
        }

        for (; i < src.Length; i++)
        {
            acc[i] += weight * src[i];
        }
    }
}

/// <summary>The indicator (1 or 0) of one label in a label map: per-label resampling without a one-hot volume.</summary>
internal sealed class IndicatorSource<T>(T[] data, int sliceSize, T label) : ISliceSource
    where T : unmanaged, INumber<T>
{
    public void Accumulate(int z, int start, float weight, Span<float> accumulator)
    {
        var src = data.AsSpan((z * sliceSize) + start, accumulator.Length);
        for (int i = 0; i < src.Length; i++)
        {
            if (src[i] == label)
            {
                accumulator[i] += weight;
            }
        }
    }
}
