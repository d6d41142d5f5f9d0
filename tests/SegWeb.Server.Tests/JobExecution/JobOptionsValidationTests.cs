using Microsoft.Extensions.Options;

namespace SegWeb.Server.Tests.JobExecution;

public sealed class JobOptionsValidationTests
{
    [Theory]
    [InlineData("SegWeb:Jobs:TimeoutSeconds", "0")]
    [InlineData("SegWeb:Jobs:RetryAttempts", "-1")]
    [InlineData("SegWeb:Jobs:WorkerCount", "0")]
    [InlineData("SegWeb:Jobs:RetryDelaysSeconds:0", "-5")]
    public async Task A_bad_job_setting_stops_the_server_at_start_naming_the_key(string key, string value)
    {
        using var data = new TempDirectory("server-job-options");
        await using var app = ServerApplication.Build([
            "--urls", "http://127.0.0.1:0",
            $"--SegWeb:DataFolder={data.Path}",
            $"--{key}={value}"]);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        string named = key.EndsWith(":0", StringComparison.Ordinal) ? key[..^2] : key;
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
