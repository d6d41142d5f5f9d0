using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Jobs;

/// <summary>
/// The database claim that keeps separate worker processes (or containers) sharing one SQLite file from running one
/// job twice: a worker runs a job only after one atomic conditional UPDATE of the job row moved it to running under
/// its own lease (<see cref="JobRecord.LeaseOwner"/>, <see cref="JobRecord.LeaseExpiresAt"/>). SQLite serialises
/// writers, so of two workers racing for a job exactly one UPDATE matches the row. A running worker renews its lease;
/// a lease that expires (its holder died) lets another worker take the job over.
/// </summary>
public sealed class JobLeases(IServiceScopeFactory scopes, IOptions<JobExecutionOptions> options)
{
    /// <summary>This worker instance: unique per container, so two in one process are still two owners.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>How long a lease holds without renewal.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    /// <summary>
    /// Claims the job for this worker as attempt <paramref name="attempt"/>: true when the row was queued, or running
    /// without a live lease of another worker (none, this worker's own, or an expired one), and is now running under
    /// this worker's lease. False when the job is final, deleted, or another worker holds it.
    /// </summary>
    public async Task<bool> TryClaimAsync(Guid jobId, int attempt, CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        var now = DateTime.UtcNow;
        var until = now + Duration;
        string owner = Owner;
        int rows = await db.Jobs
            .Where(j => j.Id == jobId && (j.State == JobState.Queued ||
                (j.State == JobState.Running && (j.LeaseOwner == null || j.LeaseOwner == owner || j.LeaseExpiresAt == null || j.LeaseExpiresAt < now))))
            .ExecuteUpdateAsync(
                s => s.SetProperty(j => j.State, JobState.Running)
                    .SetProperty(j => j.LeaseOwner, owner)
                    .SetProperty(j => j.LeaseExpiresAt, until)
                    .SetProperty(j => j.Attempts, attempt)
                    .SetProperty(j => j.Stage, "starting")
                    .SetProperty(j => j.StartedAt, j => j.StartedAt ?? now),
                cancellationToken);
        return rows == 1;
    }

    /// <summary>Extends this worker's lease on a job it runs; false when the lease is no longer its own (or the job is gone).</summary>
    public async Task<bool> RenewAsync(Guid jobId, CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        var until = DateTime.UtcNow + Duration;
        string owner = Owner;
        return await db.Jobs.Where(j => j.Id == jobId && j.LeaseOwner == owner && j.State == JobState.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, until), cancellationToken) == 1;
    }

    /// <summary>
    /// Renews the lease every third of its duration until <paramref name="stop"/> fires; cancels <paramref name="lost"/>
    /// when the lease is no longer this worker's (the run must not publish what another worker now owns).
    /// </summary>
    public async Task KeepAsync(Guid jobId, CancellationTokenSource lost, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(lost);
        using var timer = new PeriodicTimer(Duration / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (!await RenewAsync(jobId, stop))
                {
                    await lost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run ended.
        }
    }

    /// <summary>Clears the lease fields of a record being finished or handed back.</summary>
    public static void Release(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        job.LeaseOwner = null;
        job.LeaseExpiresAt = null;
    }
}
