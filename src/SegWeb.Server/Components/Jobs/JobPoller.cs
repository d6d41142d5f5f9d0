namespace SegWeb.Server.Components.Jobs;

/// <summary>
/// Re-reads jobs on a timer and tells the component when something changed. The job store has no change notifier
/// yet, so the server side polls SQLite (every 500 ms by default, like the SSE endpoint's 250 ms poll); Blazor's
/// circuit then pushes only the changed markup to the browser. Polling stops while nothing is active if asked to.
/// </summary>
public sealed class JobPoller : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PeriodicTimer _timer;
    private readonly Func<CancellationToken, Task<bool>> _refresh;
    private Task? _loop;

    /// <param name="interval">Time between reads.</param>
    /// <param name="refresh">Reads and applies; returns false to stop polling (nothing can change any more).</param>
    public JobPoller(TimeSpan interval, Func<CancellationToken, Task<bool>> refresh)
    {
        _timer = new PeriodicTimer(interval);
        _refresh = refresh;
    }

    /// <summary>Starts the loop (once).</summary>
    public void Start() => _loop ??= RunAsync();

    private async Task RunAsync()
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(_stop.Token))
            {
                if (!await _refresh(_stop.Token))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed: the page was left.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _timer.Dispose();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Expected on dispose.
            }
        }

        _stop.Dispose();
    }
}
