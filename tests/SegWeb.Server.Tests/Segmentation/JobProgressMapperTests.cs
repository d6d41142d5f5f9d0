using SegWeb.Inference.Pipeline;
using SegWeb.Inference.Progress;
using SegWeb.Server.Jobs;
using SegWeb.Server.Segmentation;

namespace SegWeb.Server.Tests.Segmentation;

/// <summary>Per-stage pipeline fractions onto one monotone whole-job fraction.</summary>
public sealed class JobProgressMapperTests
{
    private sealed class Recorder : IProgress<JobProgress>
    {
        public List<JobProgress> Reports { get; } = [];

        public void Report(JobProgress value) => Reports.Add(value);
    }

    [Fact]
    public void Every_pipeline_stage_has_a_share_and_the_shares_sum_to_one()
    {
        // Regression: crop, crop-pass and postprocess were added to the pipeline without a share, so jobs sat still through them.
        var names = typeof(PipelineStages).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.True(JobProgressMapper.Range(n) is not null, $"stage {n} has no share of the job"));
        var (start, share) = JobProgressMapper.Range(JobProgressMapper.WritingStage)!.Value;
        Assert.Equal(1, start + share, 12);
    }

    [Fact]
    public void Stages_in_pipeline_order_cover_zero_to_one_without_going_back()
    {
        var recorder = new Recorder();
        var mapper = new JobProgressMapper(recorder);
        string[] stages = [PipelineStages.Read, PipelineStages.Reorient, PipelineStages.Crop, PipelineStages.CropPass, PipelineStages.Normalize,
            PipelineStages.Resample, PipelineStages.Predict, PipelineStages.Postprocess, PipelineStages.Export];
        foreach (var stage in stages)
        {
            foreach (double f in new[] { 0, 0.25, 0.5, 1 })
            {
                mapper.Report(new InferenceProgress(stage, f, null));
            }
        }

        mapper.Report(JobProgressMapper.WritingStage, 0);
        mapper.Report(JobProgressMapper.WritingStage, 1);

        var fractions = recorder.Reports.Select(r => r.Fraction).ToList();
        Assert.Equal(0, fractions[0]);
        Assert.Equal(1, fractions[^1], 12);
        Assert.All(fractions.Zip(fractions.Skip(1)), p => Assert.True(p.Second >= p.First, $"{p.First} then {p.Second}"));

        // Every stage shows up under its own name, in order (a new name starts a new stage timing).
        Assert.Equal([.. stages, JobProgressMapper.WritingStage], recorder.Reports.Select(r => r.Stage).Distinct());

        // Prediction half done lies strictly between the start and the end of its share.
        var (start, share) = JobProgressMapper.Range(PipelineStages.Predict)!.Value;
        Assert.Contains(recorder.Reports, r => r.Stage == PipelineStages.Predict && Math.Abs(r.Fraction - (start + (share / 2))) < 1e-12);
    }

    [Fact]
    public void A_late_report_of_an_earlier_stage_or_a_bad_fraction_never_moves_the_job_back()
    {
        var recorder = new Recorder();
        var mapper = new JobProgressMapper(recorder);
        mapper.Report(new InferenceProgress(PipelineStages.Predict, 0.5, null));
        mapper.Report(new InferenceProgress(PipelineStages.Read, 1, null));
        mapper.Report(new InferenceProgress(PipelineStages.Predict, 0.25, null));
        mapper.Report(new InferenceProgress(PipelineStages.Predict, double.NaN, null));
        mapper.Report(new InferenceProgress(PipelineStages.Predict, 7, null));

        Assert.Equal(2, recorder.Reports.Count);
        Assert.All(recorder.Reports, r => Assert.Equal(PipelineStages.Predict, r.Stage));
        var (start, share) = JobProgressMapper.Range(PipelineStages.Predict)!.Value;
        Assert.Equal(start + share, recorder.Reports[^1].Fraction, 12);
    }

    [Fact]
    public void An_unknown_stage_keeps_the_fraction_and_shows_its_name()
    {
        var recorder = new Recorder();
        var mapper = new JobProgressMapper(recorder);
        mapper.Report(new InferenceProgress(PipelineStages.Resample, 1, null));
        mapper.Report(new InferenceProgress("a-later-stage", 0.5, null));

        Assert.Equal("a-later-stage", recorder.Reports[^1].Stage);
        Assert.Equal(recorder.Reports[0].Fraction, recorder.Reports[^1].Fraction);
    }
}
