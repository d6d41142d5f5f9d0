namespace SegWeb.Server.Jobs;

/// <summary>How jobs run, bound from the "SegWeb:Jobs" configuration section.</summary>
public sealed class JobExecutionOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "SegWeb:Jobs";

    /// <summary>A run still going after this long is stopped and the job fails (default 2 hours).</summary>
    public double TimeoutSeconds { get; set; } = 2 * 60 * 60;

    /// <summary>Retries after a transient failure (an I/O error, a timeout talking to a device); other failures are final at once.</summary>
    public int RetryAttempts { get; set; } = 3;

    /// <summary>Delay before each retry, in seconds (the last value repeats); unset means 10, 60, 300.</summary>
    /// <remarks>Null by default because the configuration binder appends to an initialised array instead of replacing it.</remarks>
    public int[]? RetryDelaysSeconds { get; set; }

    /// <summary>The retry delays in effect.</summary>
    public int[] EffectiveRetryDelaysSeconds => RetryDelaysSeconds is { Length: > 0 } d ? d : [10, 60, 300];

    /// <summary>Jobs run at the same time by this process (default 1: one model in memory, one GPU).</summary>
    public int WorkerCount { get; set; } = 1;

    /// <summary>How often Hangfire looks for retries that are due.</summary>
    public double SchedulePollingSeconds { get; set; } = 5;

    /// <summary>Progress is written to SQLite at most this often (stage changes are always written).</summary>
    public int ProgressWriteMilliseconds { get; set; } = 250;

    /// <summary>How long DELETE waits for a running job to stop before deleting its record.</summary>
    public double CancelWaitSeconds { get; set; } = 10;

    /// <summary>
    /// How long a worker's claim on a running job holds without renewal (renewed every third of it while the job runs).
    /// After a crash another worker, or the restarted one, takes the job over once it expires.
    /// </summary>
    public double LeaseSeconds { get; set; } = 60;

    /// <summary>How often the events stream looks at the job's record.</summary>
    public int EventsPollMilliseconds { get; set; } = 250;
}
