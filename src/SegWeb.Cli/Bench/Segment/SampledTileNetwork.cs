using System.Diagnostics;
using SegWeb.Inference.Runtime;

namespace SegWeb.Cli.Bench.Segment;

/// <summary>
/// For benchmark cases whose forward passes would take hours on a small machine: runs the real network for the first
/// <c>budget</c> calls and times them; later calls leave the output buffer as the last real pass left it (the
/// sliding window reuses its buffer), so tiling and aggregation still run on every tile with network-shaped data,
/// memory is the real peak, and only the forward time is extrapolated (mean measured pass × all passes).
/// </summary>
internal sealed class SampledTileNetwork(ITileNetwork inner, int budget) : ITileNetwork
{
    private readonly List<double> _measured = [];

    /// <inheritdoc />
    public int InputChannels => inner.InputChannels;

    /// <inheritdoc />
    public int OutputChannels => inner.OutputChannels;

    /// <inheritdoc />
    public Inference.SlidingWindow.ClassifierHead? Head => inner.Head;

    /// <summary>Calls made (run or skipped).</summary>
    public int Calls { get; private set; }

    /// <summary>Seconds of each real pass.</summary>
    public IReadOnlyList<double> Measured => _measured;

    /// <summary>Mean seconds of a pass, leaving out the first when there are more (it includes one-time allocation).</summary>
    public double MeanPassSeconds => _measured.Count switch
    {
        0 => 0,
        1 => _measured[0],
        _ => _measured.Skip(1).Average(),
    };

    /// <inheritdoc />
    public void Run(float[] input, float[] output, int batch, IReadOnlyList<int> patchSize, CancellationToken cancellationToken)
    {
        Calls++;
        if (_measured.Count >= budget)
        {
            return;
        }

        long started = Stopwatch.GetTimestamp();
        inner.Run(input, output, batch, patchSize, cancellationToken);
        _measured.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}
