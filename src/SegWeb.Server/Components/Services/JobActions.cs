using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SegWeb.Server.Inputs;
using SegWeb.Server.Jobs;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Components.Services;

/// <summary>
/// What the pages do to jobs: create (after an upload), cancel-and-delete, list result files. The same rules as
/// POST/DELETE /api/v1/jobs and GET /jobs/{id}/results, applied in-process because a Blazor circuit has no HTTP
/// request to forward; creation is the API's own <see cref="JobCreation"/>.
/// </summary>
public sealed class JobActions(IServiceScopeFactory scopes, IJobQueue queue, JobFolders folders) : IJobActions
{
    /// <summary>Creates the job through the API's own <see cref="JobCreation"/> (same rules, retention date, audit); returns its id.</summary>
    /// <exception cref="UiActionException">Unknown or open input, fast and fastest together, outputs that cannot be made, or no pipeline.</exception>
    public async Task<Guid> CreateAsync(string ownerId, JobRequest request, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<JobCreation>().CreateAsync(ownerId, request, cancellationToken);
        return created.Job?.Id ?? throw new UiActionException(created.Problem ?? "the job could not be created");
    }

    /// <summary>Cancels the job if it is still queued or running, then deletes its row and files. False: not the owner's job.</summary>
    public async Task<bool> DeleteAsync(string ownerId, Guid jobId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        var job = await db.Jobs.FirstOrDefaultAsync(j => j.Id == jobId && j.OwnerId == ownerId, cancellationToken);
        if (job is null)
        {
            return false;
        }

        if (!job.State.IsFinal())
        {
            await queue.CancelAsync(job.Id, CancellationToken.None);
        }

        db.Jobs.Remove(job);
        await db.SaveChangesAsync(CancellationToken.None);
        folders.DeleteJob(job.Id);
        return true;
    }

    /// <summary>The result files of a succeeded job that exist on disk, with the API's download URLs.</summary>
    public IReadOnlyList<ResultDownload> Results(JobSummary job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.State != JobState.Succeeded)
        {
            return [];
        }

        string folder = folders.ResultsFolder(job.Id);
        return job.Outputs
            .Select(name => new FileInfo(Path.Combine(folder, name)))
            .Where(f => f.Exists)
            .Select(f => new ResultDownload(f.Name, f.Length, $"/api/v1/jobs/{job.Id}/results/{Uri.EscapeDataString(f.Name)}"))
            .ToList();
    }
}
