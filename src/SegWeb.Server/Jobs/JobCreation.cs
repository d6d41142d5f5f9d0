using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SegWeb.Server.Audit;
using SegWeb.Server.Inputs;
using SegWeb.Server.Options;
using SegWeb.Server.Segmentation;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Jobs;

/// <summary>What creating a job gave: the stored job, or the HTTP status and problem that refused it.</summary>
public sealed record JobCreationResult(JobRecord? Job, int Status, string? Problem)
{
    internal static JobCreationResult Refused(int status, string problem) => new(null, status, problem);
}

/// <summary>
/// The one place a job is created, for POST /api/v1/jobs and the web UI alike, so both apply the same rules: the
/// caller's ready input, fast xor fastest, outputs that can be made for that input, a pipeline to run it; then the row
/// is stored with its retention date, announced, audited and enqueued.
/// </summary>
/// <remarks>Contract: the row is committed before the enqueue, so a crash between the two leaves a queued row that
/// start-up enqueues again; a refusal stores nothing.</remarks>
public sealed class JobCreation(
    SegWebDbContext db, IJobQueue queue, IJobNotifier notifier, AuditLog audit, IOptions<ServerOptions> settings, IEnumerable<IJobPreviewRenderer> previews)
{
    /// <summary>Creates and enqueues a job for <paramref name="ownerId"/>, or says why not (404, 409, 400, 503).</summary>
    public async Task<JobCreationResult> CreateAsync(string ownerId, JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var input = await db.Inputs.AsNoTracking().FirstOrDefaultAsync(i => i.Id == request.InputId && i.OwnerId == ownerId, cancellationToken);
        if (input is null)
        {
            return JobCreationResult.Refused(StatusCodes.Status404NotFound, $"no input {request.InputId} of yours");
        }

        if (input.State != InputState.Ready)
        {
            return JobCreationResult.Refused(StatusCodes.Status409Conflict, $"the input {input.Id} is still open: complete it first");
        }

        if (request.Fast && request.Fastest)
        {
            return JobCreationResult.Refused(StatusCodes.Status400BadRequest, "choose fast or fastest, not both");
        }

        var description = input.DescriptionJson is null ? null : JsonSerializer.Deserialize<InputDescription>(input.DescriptionJson, InputView.Json);
        if (JobOutputSelection.Problem(request.Outputs, description?.Format, previews.Any()) is { } outputsProblem)
        {
            return JobCreationResult.Refused(StatusCodes.Status400BadRequest, outputsProblem);
        }

        if (!queue.IsAvailable)
        {
            return JobCreationResult.Refused(StatusCodes.Status503ServiceUnavailable, queue.UnavailableReason);
        }

        var now = DateTime.UtcNow;
        var expires = now.AddDays(settings.Value.RetentionDays);
        var job = new JobRecord
        {
            Id = Guid.NewGuid(),
            OwnerId = ownerId,
            InputId = input.Id,
            State = JobState.Queued,
            Stage = "queued",
            OptionsJson = JsonSerializer.Serialize(request, InputView.Json),
            CreatedAt = now,

            // The input's expiry deletes its jobs with it, so a job never promises to outlive its input.
            ExpiresAt = expires < input.ExpiresAt ? expires : input.ExpiresAt,
        };

        db.Jobs.Add(job);
        await db.SaveChangesAsync(CancellationToken.None);
        notifier.Changed(job);
        await audit.RecordAsync(AuditActions.JobCreated, "job", job.Id.ToString(), ownerId);
        await queue.EnqueueAsync(job.Id, CancellationToken.None);
        return new JobCreationResult(job, StatusCodes.Status202Accepted, null);
    }
}
