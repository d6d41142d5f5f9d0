using System.Diagnostics;

namespace SegWeb.Inference.Runtime;

/// <summary>
/// Process-wide totals of the time spent inside ONNX Runtime's forward passes (<see cref="OnnxModelRunner.Run"/>),
/// like a performance counter: benchmarks and the server's metrics read them to tell network time from everything
/// around it (tiling, aggregation, pre- and post-processing). Take a <see cref="Snapshot"/> before and after a run
/// and subtract; the counters only grow.
/// </summary>
public static class ForwardPassStatistics
{
    private static long _ticks;
    private static long _passes;
    private static long _tiles;

    /// <summary>The totals so far.</summary>
    public static ForwardPassSnapshot Snapshot() =>
        new(Interlocked.Read(ref _passes), Interlocked.Read(ref _tiles), Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks)));

    /// <summary>Adds one forward pass of <paramref name="tiles"/> tiles that took <paramref name="stopwatchTicks"/> (Stopwatch ticks).</summary>
    internal static void Record(int tiles, long stopwatchTicks)
    {
        Interlocked.Increment(ref _passes);
        Interlocked.Add(ref _tiles, tiles);
        Interlocked.Add(ref _ticks, stopwatchTicks);
    }
}

/// <summary>Totals of <see cref="ForwardPassStatistics"/> at one moment.</summary>
/// <param name="Passes">ONNX Runtime <c>Run</c> calls.</param>
/// <param name="Tiles">Tiles those calls processed (a call runs a batch).</param>
/// <param name="Elapsed">Wall time inside those calls.</param>
public readonly record struct ForwardPassSnapshot(long Passes, long Tiles, TimeSpan Elapsed)
{
    /// <summary>What happened between <paramref name="earlier"/> and this snapshot.</summary>
    public ForwardPassSnapshot Since(ForwardPassSnapshot earlier) => new(Passes - earlier.Passes, Tiles - earlier.Tiles, Elapsed - earlier.Elapsed);
}
