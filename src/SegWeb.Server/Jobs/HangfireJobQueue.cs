using System.Collections.Concurrent;
using Hangfire;
using Microsoft.Extensions.Options;

namespace SegWeb.Server.Jobs;

/// <summary>
/// The job queue when a segmentation runner is registered: Hangfire in this process (in-memory storage; SQLite keeps
/// the job records, and start-up enqueues again what was queued or running). Each job is enqueued once per process with
/// its id only; the <see cref="JobExecutor"/> decides from the record what to do.
/// </summary>
public sealed class HangfireJobQueue(IBackgroundJobClient client, RunningJobs running, IOptions<JobExecutionOptions> options) : IJobQueue
{
    // GetOrAdd's factory can run twice under a race; a Lazy makes the Hangfire enqueue happen once per job.
    private readonly ConcurrentDictionary<Guid, Lazy<string>> _enqueued = new();

    public bool IsAvailable => true;

    public string UnavailableReason => "";

    /// <summary>Enqueues the job unless this process already enqueued it (a second call, e.g. start-up re-enqueue, does nothing).</summary>
    public Task EnqueueAsync(Guid jobId, CancellationToken cancellationToken)
    {
        _ = _enqueued.GetOrAdd(jobId, id => new Lazy<string>(() => client.Enqueue<JobExecutor>(x => x.ExecuteAsync(id, null, CancellationToken.None)))).Value;
        return Task.CompletedTask;
    }

    /// <summary>Stops a running job (waiting a little for it to stop) and removes a queued one from Hangfire.</summary>
    public async Task CancelAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await running.CancelAsync(jobId, TimeSpan.FromSeconds(options.Value.CancelWaitSeconds));
        if (_enqueued.TryRemove(jobId, out var hangfireId) && hangfireId.IsValueCreated)
        {
            // A queued job that starts later finds its record canceled or deleted and does nothing; deleting it just
            // spares the worker the look.
            client.Delete(hangfireId.Value);
        }
    }
}
