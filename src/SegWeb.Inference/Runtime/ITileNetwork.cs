namespace SegWeb.Inference.Runtime;

/// <summary>A network the sliding window runs on batches of tiles (one fold of one model part).</summary>
public interface ITileNetwork
{
    /// <summary>Input channels.</summary>
    int InputChannels { get; }

    /// <summary>Output channels: logits (background included), or features when <see cref="Head"/> is set.</summary>
    int OutputChannels { get; }

    /// <summary>
    /// The classifier split off the network (see <see cref="SlidingWindow.ClassifierHead"/>): when set, the network's
    /// outputs are features and the aggregator turns their averages into logits. Null for a network that outputs logits.
    /// </summary>
    SlidingWindow.ClassifierHead? Head { get; }

    /// <summary>
    /// Runs <paramref name="batch"/> tiles: <paramref name="input"/> holds batch × InputChannels × patch floats and
    /// <paramref name="output"/> receives batch × OutputChannels × patch floats (both row-major, N, C, D, H, W).
    /// The arrays may be longer than needed; they are reused across calls.
    /// </summary>
    void Run(float[] input, float[] output, int batch, IReadOnlyList<int> patchSize, CancellationToken cancellationToken);
}
