using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SegWeb.Server.Inputs;
using SegWeb.Server.Jobs;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Components.Services;

/// <summary>
/// What the pages do to jobs: create (after an upload), cancel-and-delete, list result files. The same rules as
/// POST/DELETE /api/v1/jobs and GET /jobs/{id}/results (ownership, open input, fast+fastest, no pipeline), applied
/// in-process because a Blazor circuit has no HTTP request to forward.
/// </summary>
public sealed class JobActions(IServiceScopeFactory scopes, IJobQueue queue, JobFolders folders) : IJobActions
{
    /// <summary>Stores a queued job for the owner's ready input and enqueues it; returns its id.</summary>
    /// <exception cref="UiActionException">Unknown or open input, fast and fastest together, or no pipeline.</exception>
    public async Task<Guid> CreateAsync(string ownerId, JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        var input = await db.Inputs.AsNoTracking().FirstOrDefaultAsync(i => i.Id == request.InputId && i.OwnerId == ownerId, cancellationToken)
            ?? throw new UiActionException($"no input {request.InputId} of yours");
        if (input.State != InputState.Ready)
        {
            throw new UiActionException($"the input {input.Name} is still open: complete it first");
        }

        if (request.Fast && request.Fastest)
        {
            throw new UiActionException("choose fast or fastest, not both");
        }

        if (!queue.IsAvailable)
        {
            throw new UiActionException(queue.UnavailableReason);
        }

        var job = new JobRecord
        {
            Id = Guid.NewGuid(),
            OwnerId = ownerId,
            InputId = input.Id,
            State = JobState.Queued,
            Stage = "queued",
            OptionsJson = JsonSerializer.Serialize(request, InputView.Json),
            CreatedAt = DateTime.UtcNow,
        };

        // Stored first, then enqueued, as the API does: a crash between the two leaves a row start-up enqueues again.
        db.Jobs.Add(job);
        await db.SaveChangesAsync(CancellationToken.None);
        await queue.EnqueueAsync(job.Id, CancellationToken.None);
        return job.Id;
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
