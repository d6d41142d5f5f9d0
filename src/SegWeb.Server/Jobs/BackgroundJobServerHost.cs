using Hangfire;

namespace SegWeb.Server.Jobs;

/// <summary>
/// A Hangfire <see cref="BackgroundJobServer"/> owned by a hosted service: made at start from the subclass's options
/// on the server's own storage (no static GlobalConfiguration), stopped and disposed exactly once.
/// </summary>
/// <remarks>
/// Contract: the host may dispose this service before or after stopping it (seen when a test factory shuts down), and a
/// Hangfire server must neither be stopped after its disposal nor disposed twice, so whichever comes first takes it.
/// </remarks>
internal abstract class BackgroundJobServerHost(JobStorage storage) : IHostedService, IDisposable
{
    private BackgroundJobServer? _server;

    /// <summary>The storage the server (and anything the subclass registers before it starts) uses.</summary>
    protected JobStorage Storage { get; } = storage;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        BeforeStart();
        _server = new BackgroundJobServer(CreateOptions(), Storage);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _server, null) is not { } server)
        {
            return;
        }

        try
        {
            server.SendStop();
            await server.WaitForShutdownAsync(cancellationToken);
        }
        finally
        {
            server.Dispose();
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _server, null)?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Workers, queues, filters, activator and name of this host's server.</summary>
    protected abstract BackgroundJobServerOptions CreateOptions();

    /// <summary>Runs before the server starts (e.g. registering recurring jobs); throw to stop the application's start.</summary>
    protected virtual void BeforeStart()
    {
    }
}
