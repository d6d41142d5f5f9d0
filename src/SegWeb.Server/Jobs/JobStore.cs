using System.Text.Json;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Jobs;

/// <summary>
/// Reads and changes job records in SQLite, each change in its own short-lived DbContext (runs last minutes; a context
/// held that long would go stale and serialise writers).
/// </summary>
/// <remarks>Every change is passed to the <see cref="IJobNotifier"/> after it is saved (the SignalR hub pushes it).</remarks>
public sealed class JobStore(IServiceScopeFactory scopes, IJobNotifier notifier)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A copy of the record, or null when it is gone (deleted).</summary>
    public async Task<JobRecord?> FindAsync(Guid jobId, CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        return await db.Jobs.FindAsync([jobId], cancellationToken);
    }

    /// <summary>Applies <paramref name="change"/> and saves; false when the record is gone.</summary>
    public async Task<bool> UpdateAsync(Guid jobId, Action<JobRecord> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        var job = await db.Jobs.FindAsync(jobId);
        if (job is null)
        {
            return false;
        }

        change(job);
        await db.SaveChangesAsync();
        notifier.Changed(job);
        return true;
    }

    /// <summary>The synchronous form, for progress reports (IProgress is synchronous).</summary>
    public bool Update(Guid jobId, Action<JobRecord> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        var job = db.Jobs.Find(jobId);
        if (job is null)
        {
            return false;
        }

        change(job);
        db.SaveChanges();
        notifier.Changed(job);
        return true;
    }

    internal static List<string> Warnings(JobRecord job) =>
        job.WarningsJson is null ? [] : JsonSerializer.Deserialize<List<string>>(job.WarningsJson, Json) ?? [];

    internal static void AddWarnings(JobRecord job, IEnumerable<string> warnings)
    {
        var all = Warnings(job);
        all.AddRange(warnings);
        job.WarningsJson = all.Count == 0 ? null : JsonSerializer.Serialize(all, Json);
    }
}
