using SegWeb.Inference.Progress;

namespace SegWeb.Inference.Pipeline;

/// <summary>
/// Maps one part's "predict" fractions onto the whole prediction stage (part p of n covers [p/n, (p+1)/n]), so the
/// fraction the caller sees keeps rising across a multi-part model instead of restarting at 0 for each part.
/// </summary>
internal sealed class PartProgress(IProgress<InferenceProgress> inner, int part, int parts) : IProgress<InferenceProgress>
{
    public void Report(InferenceProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        double fraction = (part + value.Fraction) / parts;
        // The part's own ETA knows nothing of the parts after it: scale it by the parts still to come.
        TimeSpan? eta = value.Eta;
        if (value.Eta is { } partEta && value.Fraction is > 0 and < 1)
        {
            // Remaining time of this part ÷ remaining fraction = the duration of a whole part.
            double wholePart = partEta.Ticks / (1 - value.Fraction);
            eta = TimeSpan.FromTicks((long)(partEta.Ticks + (wholePart * (parts - part - 1))));
        }

        inner.Report(new InferenceProgress(value.Stage, Math.Min(1, fraction), eta));
    }
}
