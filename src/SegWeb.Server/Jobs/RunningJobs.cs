using System.Collections.Concurrent;

namespace SegWeb.Server.Jobs;

/// <summary>
/// The jobs this process is running now, each with the token that cancels it. Guards against running one job twice at
/// once (a duplicate enqueue, a retry racing a re-enqueue) and lets DELETE stop a run.
/// </summary>
public sealed class RunningJobs
{
    private readonly ConcurrentDictionary<Guid, Run> _runs = new();

    /// <summary>Claims the job for this caller; false when it is already running here.</summary>
    internal bool TryStart(Guid jobId, out Run run)
    {
        run = new Run();
        if (_runs.TryAdd(jobId, run))
        {
            return true;
        }

        run.Dispose();
        return false;
    }

    internal void Finish(Guid jobId, Run run)
    {
        _runs.TryRemove(new KeyValuePair<Guid, Run>(jobId, run));
        run.Done.TrySetResult();
        run.Dispose();
    }

    /// <summary>True while the job runs in this process.</summary>
    public bool IsRunning(Guid jobId) => _runs.ContainsKey(jobId);

    /// <summary>Cancels the job if it runs here and waits (up to <paramref name="wait"/>) for the run to stop.</summary>
    public async Task CancelAsync(Guid jobId, TimeSpan wait)
    {
        if (!_runs.TryGetValue(jobId, out var run))
        {
            return;
        }

        try
        {
            await run.Cancellation.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        await Task.WhenAny(run.Done.Task, Task.Delay(wait));
    }

    internal sealed class Run : IDisposable
    {
        public CancellationTokenSource Cancellation { get; } = new();

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose() => Cancellation.Dispose();
    }
}
