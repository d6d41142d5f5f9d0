using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SegWeb.Server.Accounts;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Jobs;

/// <summary>
/// GET /api/v1/jobs/{id}/events: Server-Sent Events with the job's progress. Each change is an event named
/// <c>progress</c>; the stream ends with one event named after the final state (<c>succeeded</c>, <c>failed</c>,
/// <c>canceled</c>) or <c>deleted</c>. The record in SQLite is the source, so the stream works whichever process runs
/// the job. Another user's job is a 404.
/// </summary>
public static class JobEvents
{
    /// <summary>One event's data.</summary>
    /// <param name="State">queued, running, succeeded, failed, canceled, deleted.</param>
    /// <param name="Stage">The current stage.</param>
    /// <param name="Progress">0 to 1.</param>
    /// <param name="EtaSeconds">Estimated seconds left (elapsed × remaining ÷ done), once there is progress to extrapolate.</param>
    /// <param name="Error">Why it failed.</param>
    public sealed record JobEvent(string State, string? Stage, double Progress, double? EtaSeconds, string? Error);

    internal static async Task<Results<ServerSentEventsResult<JobEvent>, NotFound>> Stream(
        Guid id, ClaimsPrincipal user, SegWebDbContext db, IOptions<JobExecutionOptions> options, CancellationToken ct)
    {
        string owner = user.UserId();
        if (!await db.Jobs.AsNoTracking().AnyAsync(j => j.Id == id && j.OwnerId == owner, ct))
        {
            return TypedResults.NotFound();
        }

        var poll = TimeSpan.FromMilliseconds(Math.Max(20, options.Value.EventsPollMilliseconds));
        return TypedResults.ServerSentEvents(Events(id, owner, db, poll, ct));
    }

    private static async IAsyncEnumerable<SseItem<JobEvent>> Events(Guid id, string owner, SegWebDbContext db, TimeSpan poll, [EnumeratorCancellation] CancellationToken ct)
    {
        JobEvent? last = null;
        while (!ct.IsCancellationRequested)
        {
            var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.OwnerId == owner, ct);
            if (job is null)
            {
                yield return new SseItem<JobEvent>(new JobEvent("deleted", null, last?.Progress ?? 0, null, null), "deleted");
                yield break;
            }

            var now = Describe(job);
            if (job.State.IsFinal())
            {
                yield return new SseItem<JobEvent>(now, now.State);
                yield break;
            }

            if (now != last)
            {
                yield return new SseItem<JobEvent>(now, "progress");
                last = now;
            }

            await Task.Delay(poll, ct);
        }
    }

    /// <summary>The event for the record as it stands (ETA = elapsed × remaining ÷ done while running).</summary>
    internal static JobEvent Describe(JobRecord job)
    {
        double? eta = null;
        if (job.State == JobState.Running && job.StartedAt is { } started && job.Progress is > 0 and < 1)
        {
            double elapsed = (DateTime.UtcNow - DateTime.SpecifyKind(started, DateTimeKind.Utc)).TotalSeconds;
            eta = Math.Round(Math.Max(0, elapsed * (1 - job.Progress) / job.Progress), 1);
        }

        return new JobEvent(job.State.ToString().ToLowerInvariant(), job.Stage, job.Progress, eta, job.Error);
    }
}
