using Microsoft.AspNetCore.SignalR;

namespace SegWeb.Server.Jobs;

/// <summary>Tells listeners that a job record changed (the SignalR hub; tests may add their own).</summary>
public interface IJobNotifier
{
    /// <summary>The record as just saved. Must not block or throw: it is called from progress reports.</summary>
    void Changed(JobRecord job);

    /// <summary>The record was deleted.</summary>
    void Deleted(Guid jobId, string ownerId);
}

/// <summary>Sends <c>jobUpdated</c> to the owner's group and the administrators' group of <see cref="JobHub"/>.</summary>
internal sealed partial class HubJobNotifier(IHubContext<JobHub> hub, ILogger<HubJobNotifier> logger) : IJobNotifier
{
    public void Changed(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var e = JobEvents.Describe(job);
        Send(job.OwnerId, new JobUpdate(job.Id, e.State, e.Stage, e.Progress, e.EtaSeconds, e.Error));
    }

    public void Deleted(Guid jobId, string ownerId) => Send(ownerId, new JobUpdate(jobId, "deleted", null, 0, null, null));

    private void Send(string ownerId, JobUpdate update)
    {
        // Not awaited: a slow client must never hold up the job that reports progress. SignalR queues per connection.
        var sending = hub.Clients.Groups(JobHub.UserGroup(ownerId), JobHub.AdminsGroup).SendAsync(JobHub.JobUpdated, update);
        if (!sending.IsCompletedSuccessfully)
        {
            _ = sending.ContinueWith(t => LogSendFailed(t.Exception!, update.Id), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push the update of job {JobId} to the hub")]
    private partial void LogSendFailed(Exception ex, Guid jobId);
}
