using SegWeb.Server.Components.Services;

namespace SegWeb.Server.Components.Jobs;

/// <summary>
/// Compares what the job table shows. Records compare lists by reference, so two reads of an unchanged job would
/// differ; this compares the shown lists by content.
/// </summary>
internal sealed class JobSummaryComparer : IEqualityComparer<JobSummary>
{
    public static readonly JobSummaryComparer Instance = new();

    public bool Equals(JobSummary? x, JobSummary? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null
            && x.Id == y.Id && x.State == y.State && x.Stage == y.Stage && x.Progress.Equals(y.Progress)
            && x.Error == y.Error && x.ExpiresAt == y.ExpiresAt && x.InputName == y.InputName
            && x.StageTimings.SequenceEqual(y.StageTimings) && x.Warnings.SequenceEqual(y.Warnings) && x.Outputs.SequenceEqual(y.Outputs));

    public int GetHashCode(JobSummary obj) => HashCode.Combine(obj?.Id, obj?.State, obj?.Progress);
}
