using SegWeb.Server.Jobs;

namespace SegWeb.Server.Components.Services;

/// <summary>What the pages do to jobs; <see cref="JobActions"/> is the real one, component tests script their own.</summary>
public interface IJobActions
{
    /// <summary>Stores and enqueues a job for the owner's ready input; returns its id.</summary>
    /// <exception cref="UiActionException">The job was refused (unknown or open input, fast and fastest, no pipeline).</exception>
    Task<Guid> CreateAsync(string ownerId, JobRequest request, CancellationToken cancellationToken);

    /// <summary>Cancels (if active) and deletes; false when it is not the owner's job.</summary>
    Task<bool> DeleteAsync(string ownerId, Guid jobId, CancellationToken cancellationToken);

    /// <summary>The downloadable result files of a succeeded job.</summary>
    IReadOnlyList<ResultDownload> Results(JobSummary job);
}
