namespace SegWeb.Server.Components.Services;

/// <summary>Reads a user's jobs for the pages; the job table polls it. A seam so component tests can script job changes.</summary>
public interface IJobSource
{
    /// <summary>The owner's jobs, newest first (at most <paramref name="take"/>).</summary>
    Task<IReadOnlyList<JobSummary>> ListAsync(string ownerId, int take, CancellationToken cancellationToken);

    /// <summary>One of the owner's jobs, or null (unknown or another user's: the same answer, as in the API).</summary>
    Task<JobSummary?> GetAsync(string ownerId, Guid jobId, CancellationToken cancellationToken);
}
