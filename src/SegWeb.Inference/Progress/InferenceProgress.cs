namespace SegWeb.Inference.Progress;

/// <summary>A progress event: the stage running, its fraction done (0 to 1, non-decreasing) and the estimated time left.</summary>
/// <param name="Stage">Stage name (see <see cref="InferenceStages"/>).</param>
/// <param name="Fraction">Fraction of the stage done, 0 to 1.</param>
/// <param name="Eta">Estimated time until the stage ends; null while unknown.</param>
public sealed record InferenceProgress(string Stage, double Fraction, TimeSpan? Eta);

/// <summary>Stage names used in <see cref="InferenceProgress.Stage"/>.</summary>
public static class InferenceStages
{
    /// <summary>Intensity normalisation.</summary>
    public const string Normalize = "normalize";

    /// <summary>Sliding-window prediction.</summary>
    public const string Predict = "predict";
}

/// <summary>Reports a stage's progress by counting work units, with an ETA from the elapsed time per unit.</summary>
public sealed class StageProgress
{
    private readonly IProgress<InferenceProgress>? _progress;
    private readonly string _stage;
    private readonly long _total;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private long _done;

    /// <summary>Starts a stage of <paramref name="total"/> units and reports fraction 0.</summary>
    public StageProgress(IProgress<InferenceProgress>? progress, string stage, long total)
    {
        _progress = progress;
        _stage = stage;
        _total = Math.Max(total, 1);
        _progress?.Report(new InferenceProgress(stage, 0, null));
    }

    /// <summary>Marks <paramref name="units"/> more units done and reports.</summary>
    public void Advance(long units = 1)
    {
        _done = Math.Min(_total, _done + units);
        if (_progress is null)
        {
            return;
        }

        double fraction = (double)_done / _total;
        TimeSpan? eta = _done == 0 ? null : TimeSpan.FromTicks((long)(_clock.Elapsed.Ticks * ((double)(_total - _done) / _done)));
        _progress.Report(new InferenceProgress(_stage, fraction, eta));
    }

    /// <summary>Reports the stage complete (fraction 1, ETA zero) if not already.</summary>
    public void Complete()
    {
        if (_done < _total)
        {
            Advance(_total - _done);
        }
    }
}
