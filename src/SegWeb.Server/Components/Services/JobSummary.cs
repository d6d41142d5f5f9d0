using SegWeb.Server.Jobs;

namespace SegWeb.Server.Components.Services;

/// <summary>
/// A job as the pages show it: the job record's fields, decoded, plus its input's name and retention date
/// (<c>ExpiresAt</c>: when the input is deleted under the retention rule; null when the input is already gone).
/// </summary>
public sealed record JobSummary(
    Guid Id,
    Guid InputId,
    string? InputName,
    JobState State,
    string? Stage,
    double Progress,
    string? Error,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    JobRequest? Options,
    int Attempts,
    IReadOnlyList<JobStageTiming> StageTimings,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Outputs,
    DateTime? ExpiresAt)
{
    /// <summary>Queued or running: the job can still change (and be canceled).</summary>
    public bool IsActive => !State.IsFinal();

    /// <summary>The state as the API spells it.</summary>
    public string StateName => State.ToString().ToLowerInvariant();
}

/// <summary>One downloadable result file.</summary>
public sealed record ResultDownload(string Name, long Bytes, string Url);
