using Microsoft.Extensions.Options;

namespace SegWeb.Server.Options;

/// <summary>
/// Checks <see cref="ServerOptions"/> at start (ValidateOnStart), so a bad setting stops the server with a message
/// naming the key instead of surfacing later as a confusing failure mid-upload.
/// </summary>
internal sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataFolder))
        {
            failures.Add("SegWeb:DataFolder must name a folder");
        }
        else if (options.DataFolder.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"SegWeb:DataFolder '{options.DataFolder}' is not a valid path");
        }

        if (options.MaxUploadBytes <= 0)
        {
            failures.Add($"SegWeb:MaxUploadBytes must be positive (got {options.MaxUploadBytes})");
        }

        if (options.RetentionDays is < 1 or > 3650)
        {
            failures.Add($"SegWeb:RetentionDays must be between 1 and 3650 (got {options.RetentionDays})");
        }

        if (string.IsNullOrWhiteSpace(options.RetentionSchedule) || options.RetentionSchedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length is < 5 or > 6)
        {
            failures.Add($"SegWeb:RetentionSchedule must be a cron expression with 5 or 6 fields, e.g. \"0 * * * *\" (got \"{options.RetentionSchedule}\")");
        }

        if (options.IncompleteUploadHours is < 1 or > 24 * 30)
        {
            failures.Add($"SegWeb:IncompleteUploadHours must be between 1 and 720 (got {options.IncompleteUploadHours})");
        }

        if (options.UploadsPerMinute is < 1 or > 100_000)
        {
            failures.Add($"SegWeb:UploadsPerMinute must be between 1 and 100000 (got {options.UploadsPerMinute})");
        }

        if (string.IsNullOrWhiteSpace(options.Admin.Email) || !options.Admin.Email.Contains('@', StringComparison.Ordinal))
        {
            failures.Add($"SegWeb:Admin:Email must be an e-mail address (got '{options.Admin.Email}')");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
