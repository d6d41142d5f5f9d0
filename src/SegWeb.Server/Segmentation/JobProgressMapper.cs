using SegWeb.Inference.Pipeline;
using SegWeb.Inference.Progress;
using SegWeb.Server.Jobs;

namespace SegWeb.Server.Segmentation;

/// <summary>
/// Turns the pipeline's per-stage fractions (each 0 to 1, restarting per stage) into one whole-job fraction: each
/// stage owns a fixed share of 0..1 in pipeline order, and the job's fraction never goes backwards (a late or
/// repeated report of an earlier stage is ignored).
/// </summary>
internal sealed class JobProgressMapper(IProgress<JobProgress> job) : IProgress<InferenceProgress>
{
    /// <summary>The job stage that follows the pipeline: writing the result files.</summary>
    public const string WritingStage = "writing";

    // Shares follow where the time goes on CPU: prediction dominates, resampling (order 3) is next, the rest is small.
    private static readonly (string Stage, double Share)[] Shares =
    [
        (PipelineStages.Read, 0.04),
        (PipelineStages.Reorient, 0.02),
        // The crop stage opens, then (only with a mask crop: --roi_subset, --body_seg) its first pass runs inside it.
        (PipelineStages.Crop, 0.01),
        (PipelineStages.CropPass, 0.05),
        (PipelineStages.Normalize, 0.03),
        (PipelineStages.Resample, 0.08),
        (PipelineStages.Predict, 0.64),
        (PipelineStages.Postprocess, 0.02),
        (PipelineStages.Export, 0.05),
        (WritingStage, 0.06),
    ];

    private readonly Lock _gate = new();
    private double _last;
    private string? _stage;

    /// <summary>The whole-job fraction where <paramref name="stage"/> starts, and its share; null for an unknown stage.</summary>
    internal static (double Start, double Share)? Range(string stage)
    {
        double start = 0;
        foreach (var (name, share) in Shares)
        {
            if (name == stage)
            {
                return (start, share);
            }

            start += share;
        }

        return null;
    }

    public void Report(InferenceProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Report(value.Stage, value.Fraction);
    }

    /// <summary>Reports <paramref name="fraction"/> (0 to 1) of <paramref name="stage"/>.</summary>
    public void Report(string stage, double fraction)
    {
        // An unknown stage name (a pipeline stage added later) keeps the job where it is rather than guessing.
        double whole = Range(stage) is { } r ? r.Start + (r.Share * Math.Clamp(double.IsFinite(fraction) ? fraction : 0, 0, 1)) : _last;
        JobProgress? report = null;
        lock (_gate)
        {
            // A report of an earlier stage arriving late must neither move the fraction back nor reopen that stage.
            if (whole >= _last && (whole > _last || stage != _stage))
            {
                _last = whole;
                _stage = stage;
                report = new JobProgress(stage, _last);
            }
        }

        if (report is not null)
        {
            job.Report(report);
        }
    }
}
