using SegWeb.Server.Components.Services;
using SegWeb.Server.Jobs;

namespace SegWeb.Server.Tests.Ui.Components;

/// <summary>A job list the test changes between polls.</summary>
internal sealed class ScriptedJobSource : IJobSource
{
    private readonly Lock _gate = new();
    private List<JobSummary> _jobs = [];

    public int Reads { get; private set; }

    public void Set(params JobSummary[] jobs)
    {
        lock (_gate)
        {
            _jobs = [.. jobs];
        }
    }

    public Task<IReadOnlyList<JobSummary>> ListAsync(string ownerId, int take, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Reads++;
            return Task.FromResult<IReadOnlyList<JobSummary>>(_jobs.Where(j => ownerId == "owner").Take(take).ToList());
        }
    }

    public Task<JobSummary?> GetAsync(string ownerId, Guid jobId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(ownerId == "owner" ? _jobs.FirstOrDefault(j => j.Id == jobId) : null);
        }
    }

    public static JobSummary Job(Guid id, JobState state, string stage, double progress, params JobStageTiming[] timings) => new(
        id, Guid.NewGuid(), "ct.nii.gz", state, stage, progress, state == JobState.Failed ? "it broke" : null,
        new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), null, null, new JobRequest(Guid.Empty), 1, timings, [], [],
        new DateTime(2026, 1, 9, 3, 4, 5, DateTimeKind.Utc));
}

/// <summary>Records what the components asked for; job creation answers with a fixed id or refuses.</summary>
internal sealed class RecordingJobActions : IJobActions
{
    public List<JobRequest> Created { get; } = [];

    public List<Guid> Deleted { get; } = [];

    public Guid NextJobId { get; set; } = Guid.NewGuid();

    public string? Refusal { get; set; }

    public ScriptedJobSource? Source { get; set; }

    public Task<Guid> CreateAsync(string ownerId, JobRequest request, CancellationToken cancellationToken)
    {
        if (Refusal is not null)
        {
            throw new UiActionException(Refusal);
        }

        Created.Add(request);
        return Task.FromResult(NextJobId);
    }

    public async Task<bool> DeleteAsync(string ownerId, Guid jobId, CancellationToken cancellationToken)
    {
        Deleted.Add(jobId);
        if (Source is not null)
        {
            var rest = (await Source.ListAsync(ownerId, 1000, cancellationToken)).Where(j => j.Id != jobId).ToArray();
            Source.Set(rest);
        }

        return true;
    }

    public IReadOnlyList<ResultDownload> Results(JobSummary job) => [];
}
