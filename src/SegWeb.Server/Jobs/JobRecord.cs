namespace SegWeb.Server.Jobs;

/// <summary>Where a job stands.</summary>
public enum JobState
{
    Queued = 0,
    Running = 1,
    Succeeded = 2,
    Failed = 3,
    Canceled = 4,
}

/// <summary>Helpers on <see cref="JobState"/>.</summary>
public static class JobStates
{
    /// <summary>Succeeded, failed or canceled: nothing will change any more.</summary>
    public static bool IsFinal(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Canceled;
}

/// <summary>
/// A segmentation job as SQLite keeps it, so that a restart can enqueue again what was queued or running. The
/// pipeline that moves it along comes with the job queue implementation (Hangfire, next session).
/// </summary>
public sealed class JobRecord
{
    public Guid Id { get; set; }

    public required string OwnerId { get; set; }

    public Guid InputId { get; set; }

    public JobState State { get; set; }

    /// <summary>The <see cref="JobRequest"/> options as JSON.</summary>
    public required string OptionsJson { get; set; }

    /// <summary>The current stage's name ("queued", "loading", "inference", …) as the pipeline reports it.</summary>
    public string? Stage { get; set; }

    /// <summary>0 to 1.</summary>
    public double Progress { get; set; }

    public string? Error { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>When the retention job deletes the job and its results: RetentionDays after creation, and never after its input expires.</summary>
    public DateTime ExpiresAt { get; set; }

    /// <summary>Runs started so far (1 + retries).</summary>
    public int Attempts { get; set; }

    /// <summary>Seconds spent in each stage, in order, as JSON (<c>[{"stage":"inference","seconds":12.5}]</c>).</summary>
    public string? StageTimingsJson { get; set; }

    /// <summary>Remarks from the run (and failed attempts that were retried), as a JSON array of strings.</summary>
    public string? WarningsJson { get; set; }

    /// <summary>The worker instance that holds the job while it runs (<see cref="JobLeases"/>); null when none does.</summary>
    public string? LeaseOwner { get; set; }

    /// <summary>Until when <see cref="LeaseOwner"/>'s lease holds unless renewed; past it another worker may take the job over.</summary>
    public DateTime? LeaseExpiresAt { get; set; }

    /// <summary>The published result files (relative to the job's results folder), as a JSON array, once succeeded.</summary>
    public string? OutputsJson { get; set; }
}

/// <summary>Time spent in one stage of a run.</summary>
public sealed record JobStageTiming(string Stage, double Seconds);

/// <summary>What a client asks for (POST /api/v1/jobs).</summary>
/// <param name="InputId">A ready input of the caller's.</param>
/// <param name="Task">The TotalSegmentator task ("total", "total_mr", …).</param>
/// <param name="Fast">The 3 mm models.</param>
/// <param name="Fastest">The 6 mm models.</param>
/// <param name="RoiSubset">Only these structures, or all.</param>
/// <param name="Outputs">Result file names to write (see Segmentation.JobOutputSelection: segmentations.zip, statistics.json, statistics.csv, seg.dcm, report.json, preview.png; multilabel.nii.gz and volume.nii.gz always), or null/empty for every one that applies.</param>
public sealed record JobRequest(Guid InputId, string? Task = "total", bool Fast = false, bool Fastest = false, IReadOnlyList<string>? RoiSubset = null, IReadOnlyList<string>? Outputs = null);
