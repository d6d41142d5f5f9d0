namespace SegWeb.Server.Jobs;

/// <summary>
/// Runs jobs. The server registers <see cref="NoPipelineJobQueue"/> until the segmentation pipeline is wired in; the
/// next session replaces it with a Hangfire-backed queue (registered in DI in its place).
/// </summary>
public interface IJobQueue
{
    /// <summary>False when no pipeline can run jobs: job creation then answers 503 instead of accepting work it cannot do.</summary>
    bool IsAvailable { get; }

    /// <summary>Why the queue is unavailable, for the 503 problem.</summary>
    string UnavailableReason { get; }

    /// <summary>Hands a stored, queued job to the workers (idempotent: enqueueing a job twice runs it once).</summary>
    Task EnqueueAsync(Guid jobId, CancellationToken cancellationToken);

    /// <summary>Asks a queued or running job to stop.</summary>
    Task CancelAsync(Guid jobId, CancellationToken cancellationToken);
}

/// <summary>The honest default: there is no segmentation pipeline in this build, so no job is accepted.</summary>
public sealed class NoPipelineJobQueue : IJobQueue
{
    public bool IsAvailable => false;

    public string UnavailableReason => "no segmentation pipeline configured: this server stores and validates inputs; jobs come with the pipeline";

    public Task EnqueueAsync(Guid jobId, CancellationToken cancellationToken) => throw new InvalidOperationException(UnavailableReason);

    public Task CancelAsync(Guid jobId, CancellationToken cancellationToken) => Task.CompletedTask;
}
