using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Microsoft.Extensions.Options;

namespace SegWeb.Server.Jobs;

/// <summary>Registers job execution.</summary>
public static class JobServices
{
    /// <summary>
    /// Registers the queue: <see cref="HangfireJobQueue"/> with an in-process Hangfire worker when an
    /// <see cref="ISegmentationRunner"/> is registered (checked when the container is built, so a runner registered
    /// later, e.g. by tests, counts), and <see cref="NoPipelineJobQueue"/> otherwise (job creation answers 503).
    /// </summary>
    public static IServiceCollection AddSegWebJobs(this IServiceCollection services)
    {
        services.AddOptions<JobExecutionOptions>().BindConfiguration(JobExecutionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JobExecutionOptions>, JobExecutionOptionsValidator>();
        services.AddSingleton<JobFolders>();
        services.AddScoped<JobCreation>();
        services.AddSingleton<JobStore>();
        services.AddSignalR();
        services.AddSingleton<IJobNotifier, HubJobNotifier>();
        services.AddSingleton<RunningJobs>();
        services.AddSingleton<JobLeases>();
        services.AddSingleton<NoPipelineJobQueue>();
        services.AddSingleton<JobStorage>(_ => new InMemoryStorage());
        services.AddSingleton<IJobFilterProvider>(sp => HangfireServerHost.Filters(sp.GetRequiredService<IOptions<JobExecutionOptions>>().Value));
        services.AddSingleton<IBackgroundJobClient>(sp => new BackgroundJobClient(sp.GetRequiredService<JobStorage>(), sp.GetRequiredService<IJobFilterProvider>()));
        services.AddSingleton<HangfireJobQueue>();
        services.AddTransient<JobExecutor>();
        services.AddSingleton<IJobQueue>(sp => HasRunner(sp) ? sp.GetRequiredService<HangfireJobQueue>() : sp.GetRequiredService<NoPipelineJobQueue>());
        services.AddHostedService(sp => new JobWorkerHost(sp));
        services.AddHangfireDashboardServices();
        return services;
    }

    private static bool HasRunner(IServiceProvider sp) => sp.GetService<IServiceProviderIsService>()?.IsService(typeof(ISegmentationRunner)) == true;

    /// <summary>Starts the Hangfire worker only when there is a runner to call.</summary>
    private sealed class JobWorkerHost(IServiceProvider sp) : IHostedService, IDisposable
    {
        private HangfireServerHost? _host;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (!HasRunner(sp))
            {
                return Task.CompletedTask;
            }

            _host = ActivatorUtilities.CreateInstance<HangfireServerHost>(sp);
            return _host.StartAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => _host?.StopAsync(cancellationToken) ?? Task.CompletedTask;

        public void Dispose() => _host?.Dispose();
    }
}
