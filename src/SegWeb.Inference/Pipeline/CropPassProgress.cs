using SegWeb.Inference.Progress;

namespace SegWeb.Inference.Pipeline;

/// <summary>
/// Reports the first pass of a mask crop as one stage, <see cref="PipelineStages.CropPass"/>, following its prediction
/// fraction, so the caller does not see read/resample/predict start over for what is a preliminary run.
/// </summary>
internal sealed class CropPassProgress(IProgress<InferenceProgress> inner) : IProgress<InferenceProgress>
{
    public void Report(InferenceProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Stage == PipelineStages.Predict)
        {
            inner.Report(value with { Stage = PipelineStages.CropPass });
        }
    }
}
