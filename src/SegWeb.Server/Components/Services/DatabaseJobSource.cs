using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SegWeb.Server.Jobs;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Components.Services;

/// <summary>
/// <see cref="IJobSource"/> over SQLite. Each call opens its own scope (and DbContext): a Blazor circuit lives for
/// hours and its timer and event handlers may overlap, while a DbContext is neither long-lived nor thread-safe.
/// </summary>
internal sealed class DatabaseJobSource(IServiceScopeFactory scopes) : IJobSource
{
    public async Task<IReadOnlyList<JobSummary>> ListAsync(string ownerId, int take, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        var rows = await (from j in db.Jobs.AsNoTracking()
                          where j.OwnerId == ownerId
                          orderby j.CreatedAt descending
                          join i in db.Inputs.AsNoTracking() on j.InputId equals i.Id into inputs
                          from i in inputs.DefaultIfEmpty()
                          select new { Job = j, InputName = i == null ? null : i.Name, ExpiresAt = i == null ? (DateTime?)null : i.ExpiresAt })
            .Take(Math.Clamp(take, 1, 500)).ToListAsync(cancellationToken);
        return rows.Select(r => Summarise(r.Job, r.InputName, r.ExpiresAt)).ToList();
    }

    public async Task<JobSummary?> GetAsync(string ownerId, Guid jobId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId && j.OwnerId == ownerId, cancellationToken);
        if (job is null)
        {
            return null;
        }

        var input = await db.Inputs.AsNoTracking().FirstOrDefaultAsync(i => i.Id == job.InputId, cancellationToken);
        return Summarise(job, input?.Name, input?.ExpiresAt);
    }

    internal static JobSummary Summarise(JobRecord j, string? inputName, DateTime? expiresAt) => new(
        j.Id, j.InputId, inputName, j.State, j.Stage, j.Progress, j.Error,
        Utc(j.CreatedAt), j.StartedAt is { } s ? Utc(s) : null, j.FinishedAt is { } f ? Utc(f) : null,
        Decode<JobRequest>(j.OptionsJson), j.Attempts,
        Decode<List<JobStageTiming>>(j.StageTimingsJson) ?? [],
        Decode<List<string>>(j.WarningsJson) ?? [],
        Decode<List<string>>(j.OutputsJson) ?? [],
        expiresAt is { } e ? Utc(e) : null);

    private static DateTime Utc(DateTime d) => DateTime.SpecifyKind(d, DateTimeKind.Utc);

    private static T? Decode<T>(string? json) where T : class =>
        json is null ? null : JsonSerializer.Deserialize<T>(json, JobStore.Json);
}
