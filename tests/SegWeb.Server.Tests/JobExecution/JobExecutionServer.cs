using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SegWeb.Server.Jobs;

namespace SegWeb.Server.Tests.JobExecution;

/// <summary>A job as the API returns it, with the execution fields.</summary>
internal sealed record JobRunDto(
    Guid Id, string State, string? Stage, double Progress, string? Error, int Attempts,
    StageTimingDto[] StageTimings, string[] Warnings, string[] Outputs);

internal sealed record StageTimingDto(string Stage, double Seconds);

/// <summary>Starts servers with the scripted runner and short timings, and drives jobs through the API.</summary>
internal static class JobExecutionServer
{
    public static readonly Dictionary<string, string?> FastSettings = new()
    {
        ["SegWeb:Jobs:RetryAttempts"] = "3",
        ["SegWeb:Jobs:RetryDelaysSeconds:0"] = "0",
        ["SegWeb:Jobs:SchedulePollingSeconds"] = "0.3",
        ["SegWeb:Jobs:ProgressWriteMilliseconds"] = "0",
        ["SegWeb:Jobs:EventsPollMilliseconds"] = "20",
        ["SegWeb:Jobs:TimeoutSeconds"] = "8",
    };

    public static SegWebServer Start(ScriptedRunner? runner, string? dataFolder = null) =>
        new(dataFolder, FastSettings, runner is null ? null : s => s.AddSingleton<ISegmentationRunner>(runner));

    public static async Task<Guid> UploadAsync(HttpClient client)
    {
        using var put = await client.PutAsync("/api/v1/inputs/a.nii.gz", new ByteArrayContent(Studies.Nifti(gzip: true)));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return (await put.Content.ReadFromJsonAsync<InputDto>())!.Id;
    }

    public static async Task<Guid> CreateJobAsync(HttpClient client, Guid inputId, string task)
    {
        using var created = await client.PostAsJsonAsync("/api/v1/jobs", new { inputId, task });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JobRunDto>())!.Id;
    }

    public static async Task<JobRunDto> GetAsync(HttpClient client, Guid jobId) =>
        (await client.GetFromJsonAsync<JobRunDto>($"/api/v1/jobs/{jobId}"))!;

    /// <summary>Polls the job until <paramref name="done"/> holds (fails after 30 s).</summary>
    public static async Task<JobRunDto> WaitAsync(HttpClient client, Guid jobId, Func<JobRunDto, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var job = await GetAsync(client, jobId);
            if (done(job))
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} still {job.State}/{job.Stage}");
            await Task.Delay(30);
        }
    }

    public static Task<JobRunDto> WaitFinalAsync(HttpClient client, Guid jobId) =>
        WaitAsync(client, jobId, j => j.State is "succeeded" or "failed" or "canceled");
}
