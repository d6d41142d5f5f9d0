using Microsoft.Extensions.Options;

namespace SegWeb.Server.Jobs;

/// <summary>Checks <see cref="JobExecutionOptions"/> at start, naming the key of a bad value.</summary>
internal sealed class JobExecutionOptionsValidator : IValidateOptions<JobExecutionOptions>
{
    public ValidateOptionsResult Validate(string? name, JobExecutionOptions options)
    {
        const string S = JobExecutionOptions.Section;
        var failures = new List<string>();
        if (!(options.TimeoutSeconds > 0))
        {
            failures.Add($"{S}:TimeoutSeconds must be positive (got {options.TimeoutSeconds})");
        }

        if (options.RetryAttempts is < 0 or > 100)
        {
            failures.Add($"{S}:RetryAttempts must be between 0 and 100 (got {options.RetryAttempts})");
        }

        if (options.RetryDelaysSeconds?.Any(d => d < 0) == true)
        {
            failures.Add($"{S}:RetryDelaysSeconds must not be negative");
        }

        if (options.WorkerCount is < 1 or > 256)
        {
            failures.Add($"{S}:WorkerCount must be between 1 and 256 (got {options.WorkerCount})");
        }

        if (!(options.SchedulePollingSeconds > 0))
        {
            failures.Add($"{S}:SchedulePollingSeconds must be positive (got {options.SchedulePollingSeconds})");
        }

        if (options.ProgressWriteMilliseconds < 0 || options.EventsPollMilliseconds < 1 || options.CancelWaitSeconds < 0)
        {
            failures.Add($"{S}:ProgressWriteMilliseconds, EventsPollMilliseconds and CancelWaitSeconds must not be negative (EventsPollMilliseconds at least 1)");
        }

        if (options.LeaseSeconds is < 3 or > 86400 || double.IsNaN(options.LeaseSeconds))
        {
            failures.Add($"{S}:LeaseSeconds must be between 3 and 86400 (got {options.LeaseSeconds})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
