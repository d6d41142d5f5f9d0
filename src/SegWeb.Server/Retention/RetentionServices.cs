using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.Options;
using SegWeb.Server.Jobs;
using SegWeb.Server.Options;

namespace SegWeb.Server.Retention;

/// <summary>
/// Registers the retention job: <see cref="RetentionSweeper"/> as a Hangfire recurring job on <c>SegWeb:RetentionSchedule</c>
/// (UTC cron, hourly by default), run by a Hangfire server of its own on the <see cref="Queue"/> queue with one worker.
/// It is started whether or not a segmentation runner exists, and never waits behind a segmentation job.
/// </summary>
public static class RetentionServices
{
    /// <summary>The recurring job's id (visible in the Hangfire dashboard).</summary>
    public const string RecurringJobId = "segweb-retention";

    /// <summary>The Hangfire queue maintenance jobs run on (segmentation jobs use "default").</summary>
    public const string Queue = "maintenance";

    public static IServiceCollection AddSegWebRetention(this IServiceCollection services)
    {
        services.AddScoped<RetentionSweeper>();
        services.AddHostedService<MaintenanceServerHost>();
        return services;
    }

    /// <summary>Registers (or updates) the recurring job and runs the maintenance worker.</summary>
    private sealed class MaintenanceServerHost(JobStorage storage, IJobFilterProvider filters, IServiceScopeFactory scopes, IOptions<ServerOptions> options)
        : BackgroundJobServerHost(storage)
    {
        protected override void BeforeStart()
        {
            string schedule = options.Value.RetentionSchedule;
            try
            {
                new RecurringJobManager(Storage, filters).AddOrUpdate<RetentionSweeper>(
                    RecurringJobId, Queue, s => s.RunAsync(CancellationToken.None), schedule, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            }
            catch (ArgumentException e)
            {
                throw new OptionsValidationException(ServerOptions.Section, typeof(ServerOptions),
                    [$"SegWeb:RetentionSchedule \"{schedule}\" is not a valid cron expression: {e.Message}"]);
            }
        }

        protected override BackgroundJobServerOptions CreateOptions() => new()
        {
            WorkerCount = 1,
            Queues = [Queue],
            FilterProvider = filters,
            Activator = new Hangfire.AspNetCore.AspNetCoreJobActivator(scopes),
            ServerName = $"segweb-maintenance-{Environment.MachineName}-{Guid.NewGuid():N}",
        };
    }
}
