using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SegWeb.Server.Options;
using SegWeb.Server.Accounts;
using SegWeb.Server.Inputs;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Jobs;

/// <summary>
/// /api/v1/jobs: create (202 + Location), list own (paged), one, delete. Without a pipeline (<see cref="IJobQueue.IsAvailable"/>
/// false) creation is a 503 problem saying so; nothing pretends to segment.
/// </summary>
public static class JobEndpoints
{
    /// <summary>A job as the API returns it.</summary>
    public sealed record JobView(
        Guid Id, Guid InputId, string State, string? Stage, double Progress, string? Error, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt,
        JobRequest? Options, int Attempts, IReadOnlyList<JobStageTiming> StageTimings, IReadOnlyList<string> Warnings, IReadOnlyList<string> Outputs,
        DateTime ExpiresAt);

    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/jobs").WithTags("Jobs");
        group.MapPost("", Create).RequireRateLimiting(Uploads.RateLimits.Uploads);
        group.MapGet("", List);
        group.MapGet("/{id:guid}", Get);
        group.MapDelete("/{id:guid}", Delete);
        group.MapGet("/{id:guid}/events", JobEvents.Stream);
        return app;
    }

    private static async Task<IResult> Create(JobRequest request, ClaimsPrincipal user, JobCreation creation, CancellationToken ct)
    {
        var created = await creation.CreateAsync(user.UserId(), request, ct);
        return created.Job is { } job
            ? TypedResults.Accepted($"/api/v1/jobs/{job.Id}", View(job))
            : TypedResults.Problem(created.Problem, statusCode: created.Status);
    }

    private static async Task<Ok<List<JobView>>> List(ClaimsPrincipal user, SegWebDbContext db, CancellationToken ct, int skip = 0, int take = 50)
    {
        string owner = user.UserId();
        var rows = await db.Jobs.AsNoTracking().Where(j => j.OwnerId == owner).OrderByDescending(j => j.CreatedAt)
            .Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 200)).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(View).ToList());
    }

    private static async Task<Results<Ok<JobView>, NotFound>> Get(Guid id, ClaimsPrincipal user, SegWebDbContext db, CancellationToken ct)
    {
        string owner = user.UserId();
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.OwnerId == owner, ct);
        return job is null ? TypedResults.NotFound() : TypedResults.Ok(View(job));
    }

    private static async Task<Results<NoContent, NotFound>> Delete(
        Guid id, ClaimsPrincipal user, SegWebDbContext db, IJobQueue queue, JobFolders folders, IJobNotifier notifier, Audit.AuditLog audit, CancellationToken ct)
    {
        string owner = user.UserId();
        var job = await db.Jobs.FirstOrDefaultAsync(j => j.Id == id && j.OwnerId == owner, ct);
        if (job is null)
        {
            return TypedResults.NotFound();
        }

        if (job.State is JobState.Queued or JobState.Running)
        {
            await queue.CancelAsync(job.Id, CancellationToken.None);
        }

        db.Jobs.Remove(job);
        await db.SaveChangesAsync(CancellationToken.None);
        folders.DeleteJob(job.Id);
        notifier.Deleted(job.Id, job.OwnerId);
        await audit.RecordAsync(Audit.AuditActions.Delete, "job", job.Id.ToString());
        return TypedResults.NoContent();
    }

    private static JobView View(JobRecord j) => new(
        j.Id, j.InputId, j.State.ToString().ToLowerInvariant(), j.Stage, j.Progress, j.Error,
        DateTime.SpecifyKind(j.CreatedAt, DateTimeKind.Utc),
        j.StartedAt is { } s ? DateTime.SpecifyKind(s, DateTimeKind.Utc) : null,
        j.FinishedAt is { } f ? DateTime.SpecifyKind(f, DateTimeKind.Utc) : null,
        JsonSerializer.Deserialize<JobRequest>(j.OptionsJson, InputView.Json),
        j.Attempts,
        j.StageTimingsJson is null ? [] : JsonSerializer.Deserialize<List<JobStageTiming>>(j.StageTimingsJson, JobStore.Json) ?? [],
        j.WarningsJson is null ? [] : JsonSerializer.Deserialize<List<string>>(j.WarningsJson, JobStore.Json) ?? [],
        j.OutputsJson is null ? [] : JsonSerializer.Deserialize<List<string>>(j.OutputsJson, JobStore.Json) ?? [],
        DateTime.SpecifyKind(j.ExpiresAt, DateTimeKind.Utc));
}
