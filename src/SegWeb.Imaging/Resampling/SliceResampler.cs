using System.Numerics;
using System.Runtime.InteropServices;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Resampling;

/// <summary>
/// Applies three <see cref="AxisKernel"/>s to produce one output Z slice at a time: first Z (a weighted sum of the
/// few input slices the row touches, read straight from the source), then X and Y on that single slice, in the
/// order that costs fewer multiply-adds. Each output slice needs only per-thread scratch of about one input slice,
/// so the peak extra memory of a whole resampling is the output plus a few slices, and slices run in parallel.
/// </summary>
internal sealed class SliceResampler
{
    private readonly AxisKernel _x, _y, _z;
    private readonly bool _xFirst;

    public SliceResampler(VolumeShape input, VolumeShape output, AxisOrders orders)
    {
        orders.Validate();
        Input = input;
        Output = output;
        _x = AxisKernel.Create(input.X, output.X, orders.X);
        _y = AxisKernel.Create(input.Y, output.Y, orders.Y);
        _z = AxisKernel.Create(input.Z, output.Z, orders.Z);

        // X first: every input row → output width, then Y over output-width rows; or the other way round.
        long xFirst = (input.Y * _x.WeightCount) + (_y.WeightCount * output.X);
        long yFirst = (_y.WeightCount * input.X) + (output.Y * _x.WeightCount);
        _xFirst = xFirst <= yFirst;
    }

    public VolumeShape Input { get; }

    public VolumeShape Output { get; }

    public AxisKernel KernelZ => _z;

    /// <summary>Per-thread buffers for <see cref="ResampleSlice"/>.</summary>
    public sealed class Scratch(VolumeShape input, VolumeShape output)
    {
        public float[] Accumulator { get; } = new float[input.SliceSize];

        public float[] Middle { get; } = new float[Math.Max(output.X * input.Y, input.X * output.Y)];

        /// <summary>One output slice, for callers that post-process before storing.</summary>
        public float[] Output { get; } = new float[output.SliceSize];
    }

    public Scratch CreateScratch() => new(Input, Output);

    /// <summary>Computes output slice <paramref name="oz"/> of the source into <paramref name="destination"/> (X·Y floats).</summary>
    public void ResampleSlice<TSource>(TSource source, int oz, Scratch scratch, Span<float> destination)
        where TSource : class, ISliceSource
    {
        var acc = scratch.Accumulator.AsSpan();
        acc.Clear();
        int start = _z.Start[oz], offset = _z.Offset[oz];
        for (int k = 0; k < _z.Length[oz]; k++)
        {
            source.Accumulate(start + k, _z.Weights[offset + k], acc);
        }

        int nx = Input.X, ny = Input.Y, ox = Output.X, oy = Output.Y;
        if (_xFirst)
        {
            var mid = scratch.Middle.AsSpan(0, ox * ny);
            ApplyX(acc, nx, ny, mid, ox);
            ApplyY(mid, ox, destination);
        }
        else
        {
            var mid = scratch.Middle.AsSpan(0, nx * oy);
            ApplyY(acc, nx, mid);
            ApplyX(mid, nx, oy, destination, ox);
        }
    }

    /// <summary>Along X: each output element is a short dot product with a contiguous run of its input row.</summary>
    private void ApplyX(ReadOnlySpan<float> input, int width, int rows, Span<float> output, int outWidth)
    {
        var weights = _x.Weights.AsSpan();
        for (int r = 0; r < rows; r++)
        {
            var inRow = input.Slice(r * width, width);
            var outRow = output.Slice(r * outWidth, outWidth);
            for (int o = 0; o < outWidth; o++)
            {
                outRow[o] = Dot(inRow.Slice(_x.Start[o], _x.Length[o]), weights.Slice(_x.Offset[o], _x.Length[o]));
            }
        }
    }

    /// <summary>Along Y: each output row is a weighted sum of whole input rows (vectorised axpy).</summary>
    private void ApplyY(ReadOnlySpan<float> input, int width, Span<float> output)
    {
        for (int o = 0; o < _y.OutputLength; o++)
        {
            var outRow = output.Slice(o * width, width);
            int start = _y.Start[o], offset = _y.Offset[o];
            if (_y.Length[o] == 1 && _y.Weights[offset] == 1f)
            {
                input.Slice(start * width, width).CopyTo(outRow);
                continue;
            }

            outRow.Clear();
            for (int k = 0; k < _y.Length[o]; k++)
            {
                Axpy(_y.Weights[offset + k], input.Slice((start + k) * width, width), outRow);
            }
        }
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length;
        if (n < Vector<float>.Count || !Vector.IsHardwareAccelerated)
        {
            float s = 0;
            for (int i = 0; i < n; i++)
            {
                s += a[i] * b[i];
            }

            return s;
        }

        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        var sum = Vector<float>.Zero;
        for (int v = 0; v < va.Length; v++)
        {
            sum += va[v] * vb[v];
        }

        float total = Vector.Sum(sum);
        for (int i = va.Length * Vector<float>.Count; i < n; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }

    private static void Axpy(float w, ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vw = new Vector<float>(w);
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int v = 0; v < vx.Length; v++)
            {
                vy[v] += vw * vx[v];
            }

            i = vx.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            y[i] += w * x[i];
        }
    }
}
