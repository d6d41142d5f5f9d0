using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.Options;

namespace SegWeb.Server.Jobs;

/// <summary>
/// Starts Hangfire's worker in this process with the server's own storage, retry filter and DI activator (no static
/// GlobalConfiguration, so two servers in one process, as in tests, do not share a queue).
/// </summary>
internal sealed class HangfireServerHost(JobStorage storage, IJobFilterProvider filters, IServiceScopeFactory scopes, IOptions<JobExecutionOptions> options)
    : BackgroundJobServerHost(storage)
{
    protected override BackgroundJobServerOptions CreateOptions()
    {
        var o = options.Value;
        return new BackgroundJobServerOptions
        {
            WorkerCount = Math.Max(1, o.WorkerCount),
            SchedulePollingInterval = TimeSpan.FromSeconds(o.SchedulePollingSeconds),
            FilterProvider = filters,
            Activator = new Hangfire.AspNetCore.AspNetCoreJobActivator(scopes),
            ServerName = $"segweb-{Environment.MachineName}-{Guid.NewGuid():N}",
        };
    }

    /// <summary>The filters every job gets: retries for transient failures only (the executor returns normally for final ones).</summary>
    internal static JobFilterCollection Filters(JobExecutionOptions o)
    {
        var filters = new JobFilterCollection();
        filters.Add(new AutomaticRetryAttribute
        {
            Attempts = Math.Max(0, o.RetryAttempts),
            DelaysInSeconds = o.EffectiveRetryDelaysSeconds,
            OnAttemptsExceeded = AttemptsExceededAction.Delete,
        });
        return filters;
    }
}
