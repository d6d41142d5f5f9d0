using System.Numerics;
using SegWeb.Imaging.Labels;

namespace SegWeb.Imaging.Resampling;

/// <summary>
/// nnU-Net's export of logits, in bounded memory: per-class scores that arrive one plane at a time along the first
/// axis (as the sliding window finalises them) are resampled to another shape and reduced at once to the index of
/// the largest score per output voxel (np.argmax: the first of equal maxima). Each axis is resampled with its own
/// order (0 or 1, <see cref="AxisKernel"/>: scipy's zoom with grid_mode and mode 'nearest', which is what
/// skimage's resize(mode='edge', anti_aliasing=False) and therefore nnU-Net's resample_data_or_seg_to_shape run).
/// </summary>
/// <remarks>
/// <para>
/// Why streamed: nnU-Net resamples the whole classes × voxels logit array back to the input's spacing before its
/// argmax, which is exactly the array SegWeb never holds. A zoom is separable, so each arriving plane is resampled
/// in-plane right away (classes × output plane), and an output plane is blended from the one or two in-plane
/// results it needs along the first axis as soon as they exist. Memory is (rows of the first axis's kernel, at
/// most 2) × classes × output plane floats, whatever the depth.
/// </para>
/// <para>
/// Contract: <see cref="Push"/> is called with planes 0, 1, … of the input in order, each classes × height × width
/// (class slowest, width fastest); after the last one <see cref="Labels"/> holds depth × height × width of the
/// output shape, width fastest.
/// </para>
/// </remarks>
public sealed class StreamedArgmaxResampler
{
    private readonly int _classes;
    private readonly int[] _input;
    private readonly int[] _output;
    private readonly AxisKernel _depth;
    private readonly AxisKernel _rows;
    private readonly AxisKernel _columns;
    private readonly float[][] _ring;
    private readonly int _outputPlane;
    private readonly byte[] _labels;
    private readonly float[] _arrived;
    private readonly int[] _columnIndex0;
    private readonly int[] _columnIndex1;
    private readonly float[] _columnWeight0;
    private readonly float[] _columnWeight1;
    private int _nextInput;
    private int _nextOutput;

    /// <summary>Plans the resampling of <paramref name="classes"/> score volumes from <paramref name="input"/> to <paramref name="output"/> (depth, height, width).</summary>
    /// <param name="classes">Scores per voxel, 1 to 256 (labels are bytes).</param>
    /// <param name="input">Depth, height and width of the arriving planes.</param>
    /// <param name="output">Depth, height and width of the labels.</param>
    /// <param name="orders">Interpolation order per axis (depth, height, width): 1 (linear) or 0 (nearest).</param>
    /// <exception cref="ResamplingException">An order other than 0 or 1.</exception>
    public StreamedArgmaxResampler(int classes, IReadOnlyList<int> input, IReadOnlyList<int> output, IReadOnlyList<int> orders)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classes, 256);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(orders);
        if (input.Count != 3 || output.Count != 3 || orders.Count != 3)
        {
            throw new ArgumentException("input, output and orders need three axes each (depth, height, width)");
        }

        if (orders.Any(o => o is not (0 or 1)))
        {
            throw new ResamplingException($"logits are resampled with order 0 or 1 per axis (nnU-Net uses 1, and 0 along a separate z), not {string.Join(", ", orders)}");
        }

        if ((long)output[0] * output[1] * output[2] > Array.MaxLength)
        {
            throw new ResamplingException($"an output of {string.Join(" × ", output)} labels is more than one array holds");
        }

        _classes = classes;
        _input = [.. input];
        _output = [.. output];
        _depth = AxisKernel.Create(input[0], output[0], orders[0]);
        _rows = AxisKernel.Create(input[1], output[1], orders[1]);
        _columns = AxisKernel.Create(input[2], output[2], orders[2]);
        _outputPlane = output[1] * output[2];
        _ring = new float[_depth.MaxLength][];
        for (int i = 0; i < _ring.Length; i++)
        {
            _ring[i] = new float[(long)classes * _outputPlane];
        }

        _labels = new byte[(long)output[0] * _outputPlane];
        _arrived = new float[(long)classes * input[1] * input[2]];

        // The width pass runs once per input row and class: its rows (1 or 2 taps at orders 0 and 1) as two fixed taps.
        (_columnIndex0, _columnIndex1, _columnWeight0, _columnWeight1) = (new int[output[2]], new int[output[2]], new float[output[2]], new float[output[2]]);
        for (int x = 0; x < output[2]; x++)
        {
            int taps = _columns.Length[x], first = _columns.Start[x], at = _columns.Offset[x];
            _columnIndex0[x] = first;
            _columnWeight0[x] = _columns.Weights[at];
            _columnIndex1[x] = taps > 1 ? first + 1 : first;
            _columnWeight1[x] = taps > 1 ? _columns.Weights[at + 1] : 0;
        }
    }

    /// <summary>The argmax labels on the output shape; complete once every input plane has been pushed.</summary>
    /// <exception cref="InvalidOperationException">Planes are still missing.</exception>
    public byte[] Labels => _nextInput == _input[0]
        ? _labels
        : throw new InvalidOperationException($"only {_nextInput} of {_input[0]} planes have arrived");

    /// <summary>Takes input plane <paramref name="plane"/> (classes × height × width) and finishes every output plane it completes.</summary>
    /// <exception cref="ArgumentException">Planes out of order, or the wrong size.</exception>
    public void Push(int plane, ReadOnlySpan<float> scores)
    {
        if (plane != _nextInput)
        {
            throw new ArgumentException($"plane {plane} arrived, expected {_nextInput}", nameof(plane));
        }

        long expected = (long)_classes * _input[1] * _input[2];
        if (scores.Length != expected)
        {
            throw new ArgumentException($"a plane holds {expected} scores, not {scores.Length}", nameof(scores));
        }

        // The caller's span is valid only during the call, and the classes are resampled in parallel (no spans in lambdas).
        scores.CopyTo(_arrived);
        ResampleInPlane(_ring[plane % _ring.Length]);
        _nextInput++;
        int first = _nextOutput;
        while (_nextOutput < _output[0] && _depth.Start[_nextOutput] + _depth.Length[_nextOutput] <= _nextInput)
        {
            _nextOutput++;
        }

        if (_nextOutput > first)
        {
            FinishOutputPlanes(first, _nextOutput - first);
        }
    }

    private void ResampleInPlane(float[] target)
    {
        int inH = _input[1], inW = _input[2], outH = _output[1], outW = _output[2];
        var source = _arrived;
        Parallel.For(0, _classes, () => new float[inH * outW], (c, _, columns) =>
        {
            var plane = source.AsSpan(c * inH * inW, inH * inW);
            // width first: each input row to outW columns
            for (int y = 0; y < inH; y++)
            {
                var row = plane.Slice(y * inW, inW);
                var into = columns.AsSpan(y * outW, outW);
                for (int x = 0; x < outW; x++)
                {
                    into[x] = (_columnWeight0[x] * row[_columnIndex0[x]]) + (_columnWeight1[x] * row[_columnIndex1[x]]);
                }
            }

            // then height: each output row a weighted sum of whole rows
            var output = target.AsSpan(c * _outputPlane, _outputPlane);
            for (int y = 0; y < outH; y++)
            {
                var into = output.Slice(y * outW, outW);
                int start = _rows.Start[y], offset = _rows.Offset[y];
                Scale(columns.AsSpan(start * outW, outW), _rows.Weights[offset], into);
                for (int k = 1; k < _rows.Length[y]; k++)
                {
                    AddScaled(columns.AsSpan((start + k) * outW, outW), _rows.Weights[offset + k], into);
                }
            }

            return columns;
        }, _ => { });
    }

    /// <summary>
    /// Blends and reduces the output planes <paramref name="first"/> … + <paramref name="count"/> − 1, which this push
    /// completed. They are done together, row by row and class by class, so each class row of the ring (far larger than
    /// the caches for 100+ classes) is read from memory once for all of them, not once per output plane: upsampling
    /// 3 mm to 1 mm made the single-plane version three times slower, bound by memory bandwidth.
    /// </summary>
    private void FinishOutputPlanes(int first, int count)
    {
        int outW = _output[2];
        Parallel.For(0, _output[1], () => new RowScratch(count, outW), (y, _, scratch) =>
        {
            for (int c = 0; c < _classes; c++)
            {
                int at = (c * _outputPlane) + (y * outW);
                for (int p = 0; p < count; p++)
                {
                    int plane = first + p;
                    int start = _depth.Start[plane], offset = _depth.Offset[plane];
                    var into = c == 0 ? scratch.Best[p] : scratch.Blended;
                    Scale(_ring[start % _ring.Length].AsSpan(at, outW), _depth.Weights[offset], into);
                    for (int k = 1; k < _depth.Length[plane]; k++)
                    {
                        AddScaled(_ring[(start + k) % _ring.Length].AsSpan(at, outW), _depth.Weights[offset + k], into);
                    }

                    if (c == 0)
                    {
                        Array.Clear(scratch.BestClass[p]);
                    }
                    else
                    {
                        RunningArgmax.Update(scratch.Blended, c, scratch.Best[p], scratch.BestClass[p]);
                    }
                }
            }

            for (int p = 0; p < count; p++)
            {
                RunningArgmax.ToLabels(scratch.BestClass[p], _labels.AsSpan(((first + p) * _outputPlane) + (y * outW), outW));
            }

            return scratch;
        }, _ => { });
    }

    /// <summary>One worker's row buffers: per output plane the best score so far and its class (as float, for vector selects); one blended class row.</summary>
    private sealed class RowScratch(int planes, int width)
    {
        public float[][] Best { get; } = [.. Enumerable.Range(0, planes).Select(_ => new float[width])];

        public float[][] BestClass { get; } = [.. Enumerable.Range(0, planes).Select(_ => new float[width])];

        public float[] Blended { get; } = new float[width];
    }

    /// <summary>into = source × weight.</summary>
    private static void Scale(ReadOnlySpan<float> source, float weight, Span<float> into)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = new Vector<float>(weight);
            for (; i <= source.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                (new Vector<float>(source[i..]) * w).CopyTo(into[i..]);
            }
        }

        for (; i < source.Length; i++)
        {
            into[i] = source[i] * weight;
        }
    }

    /// <summary>into += source × weight.</summary>
    private static void AddScaled(ReadOnlySpan<float> source, float weight, Span<float> into)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = new Vector<float>(weight);
            for (; i <= source.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                (new Vector<float>(into[i..]) + (new Vector<float>(source[i..]) * w)).CopyTo(into[i..]);
            }
        }

        for (; i < source.Length; i++)
        {
            into[i] += source[i] * weight;
        }
    }
}
