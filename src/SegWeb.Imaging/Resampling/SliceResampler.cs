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

    /// <summary>Per-thread buffers for <see cref="ResampleSlice"/>: a few rows, not slices, on the X-first path.</summary>
    public sealed class Scratch
    {
        internal Scratch(SliceResampler owner)
        {
            var input = owner.Input;
            var output = owner.Output;
            if (owner._xFirst)
            {
                // One Z-combined input row, and a ring of X-resampled rows that the Y rows draw on.
                Accumulator = new float[input.X];
                RingRows = Math.Min(input.Y, owner._y.MaxLength + 2);
                Middle = new float[RingRows * output.X];
                RingTags = new int[RingRows];
            }
            else
            {
                Accumulator = new float[input.SliceSize];
                Middle = new float[input.X * output.Y];
                RingTags = [];
            }

            Output = new float[output.SliceSize];
        }

        internal float[] Accumulator { get; }

        internal float[] Middle { get; }

        internal int RingRows { get; }

        internal int[] RingTags { get; }

        /// <summary>One output slice, for callers that post-process before storing.</summary>
        public float[] Output { get; }
    }

    public Scratch CreateScratch() => new(this);

    /// <summary>Computes output slice <paramref name="oz"/> of the source into <paramref name="destination"/> (X·Y floats).</summary>
    public void ResampleSlice<TSource>(TSource source, int oz, Scratch scratch, Span<float> destination)
        where TSource : class, ISliceSource => ResampleSlice(source, oz, scratch, destination, 0, Input.Y - 1);

    /// <summary>
    /// As <see cref="ResampleSlice{TSource}(TSource, int, Scratch, Span{float})"/>, for a source known to be zero
    /// outside input rows <paramref name="rowMin"/>..<paramref name="rowMax"/> in every slice it reads (per-label
    /// indicators): those rows are not computed.
    /// </summary>
    public void ResampleSlice<TSource>(TSource source, int oz, Scratch scratch, Span<float> destination, int rowMin, int rowMax)
        where TSource : class, ISliceSource
    {
        if (_xFirst)
        {
            ResampleSliceXFirst(source, oz, scratch, destination, rowMin, rowMax);
            return;
        }

        var acc = scratch.Accumulator.AsSpan();
        AccumulateZ(source, oz, 0, acc);
        var mid = scratch.Middle.AsSpan(0, Input.X * Output.Y);
        ApplyY(acc, Input.X, mid);
        ApplyX(mid, Input.X, Output.Y, destination, Output.X);
    }

    private void AccumulateZ<TSource>(TSource source, int oz, int start, Span<float> acc)
        where TSource : class, ISliceSource
    {
        acc.Clear();
        int first = _z.Start[oz], offset = _z.Offset[oz];
        for (int k = 0; k < _z.Length[oz]; k++)
        {
            source.Accumulate(first + k, start, _z.Weights[offset + k], acc);
        }
    }

    /// <summary>
    /// Streams rows: input row y is Z-combined and X-resampled only when an output row first needs it, into a
    /// small ring (rows of consecutive output rows overlap), so the scratch is a few rows instead of a slice.
    /// </summary>
    private void ResampleSliceXFirst<TSource>(TSource source, int oz, Scratch scratch, Span<float> destination, int rowMin, int rowMax)
        where TSource : class, ISliceSource
    {
        int nx = Input.X, ox = Output.X, ring = scratch.RingRows;
        var tags = scratch.RingTags;
        Array.Fill(tags, -1);
        var acc = scratch.Accumulator.AsSpan();
        var mid = scratch.Middle.AsSpan();
        for (int o = 0; o < _y.OutputLength; o++)
        {
            var outRow = destination.Slice(o * ox, ox);
            int start = _y.Start[o], offset = _y.Offset[o], length = _y.Length[o];
            if (start > rowMax || start + length - 1 < rowMin)
            {
                outRow.Clear(); // every row it reads is zero
                continue;
            }

            for (int k = 0; k < length; k++)
            {
                int y = start + k;
                int slot = y % ring;
                var row = mid.Slice(slot * ox, ox);
                if (y < rowMin || y > rowMax)
                {
                    if (tags[slot] != y)
                    {
                        row.Clear();
                        tags[slot] = y;
                    }
                }
                else if (tags[slot] != y)
                {
                    AccumulateZ(source, oz, y * nx, acc);
                    ApplyX(acc, nx, 1, row, ox);
                    tags[slot] = y;
                }

                float w = _y.Weights[offset + k];
                if (k == 0)
                {
                    // First term writes instead of adding (saves clearing the row).
                    for (int i = 0; i < ox; i++)
                    {
                        outRow[i] = w * row[i];
                    }
                }
                else
                {
                    Axpy(w, row, outRow);
                }
            }
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
            sum = Vector.FusedMultiplyAdd(va[v], vb[v], sum);
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
                vy[v] = Vector.FusedMultiplyAdd(vw, vx[v], vy[v]);
            }

            i = vx.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            y[i] += w * x[i];
        }
    }
}
