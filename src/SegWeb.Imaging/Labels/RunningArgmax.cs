using System.Numerics;

namespace SegWeb.Imaging.Labels;

/// <summary>
/// np.argmax over classes computed one class row at a time, for code that never holds all classes of a voxel at once
/// (the sliding window's classifier head, the streamed logits export): the best score so far and its class per voxel,
/// the class kept as a float so that both update in the same vector select.
/// </summary>
public static class RunningArgmax
{
    /// <summary>
    /// Where <paramref name="scores"/> (class <paramref name="label"/>) beat <paramref name="best"/>, records them and the
    /// class. Strictly greater: of equal maxima the first class stays, as np.argmax. Start with <paramref name="best"/>
    /// at −∞ (or the first class's scores) and <paramref name="bestLabel"/> at 0.
    /// </summary>
    public static void Update(ReadOnlySpan<float> scores, int label, Span<float> best, Span<float> bestLabel)
    {
        if (best.Length < scores.Length || bestLabel.Length < scores.Length)
        {
            throw new ArgumentException($"{scores.Length} scores need as many best values and labels");
        }

        int x = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var labelVector = new Vector<float>(label);
            for (; x <= scores.Length - Vector<float>.Count; x += Vector<float>.Count)
            {
                var score = new Vector<float>(scores[x..]);
                var current = new Vector<float>(best[x..]);
                var larger = Vector.GreaterThan(score, current);
                Vector.ConditionalSelect(larger, score, current).CopyTo(best[x..]);
                Vector.ConditionalSelect(larger, labelVector, new Vector<float>(bestLabel[x..])).CopyTo(bestLabel[x..]);
            }
        }

        for (; x < scores.Length; x++)
        {
            if (scores[x] > best[x])
            {
                best[x] = scores[x];
                bestLabel[x] = label;
            }
        }
    }

    /// <summary>The recorded classes as byte labels.</summary>
    public static void ToLabels(ReadOnlySpan<float> bestLabel, Span<byte> labels)
    {
        for (int x = 0; x < bestLabel.Length; x++)
        {
            labels[x] = (byte)bestLabel[x];
        }
    }
}
