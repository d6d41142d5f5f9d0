using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SegWeb.Server.Jobs;
using static SegWeb.Server.Tests.JobExecution.JobExecutionServer;

namespace SegWeb.Server.Tests.JobExecution;

/// <summary>
/// Job execution through Hangfire with the scripted test-double runner (the real pipeline runner is not written yet):
/// success with atomic publishing and SSE progress, permanent and transient failures, cancel, timeout, ownership.
/// One server serves all scripts, which the job's "task" option selects.
/// </summary>
public sealed class JobExecutionTests : IDisposable
{
    private readonly ScriptedRunner _runner = new();
    private readonly SegWebServer _server;

    public JobExecutionTests() => _server = Start(_runner);

    public void Dispose() => _server.Dispose();

    private string JobFolder(Guid id) => Path.Combine(_server.DataFolder, "jobs", id.ToString("N"));

    [Fact]
    public async Task A_job_runs_to_success_publishes_its_results_at_once_and_streams_increasing_progress()
    {
        var (alice, _, _) = await _server.NewUserAsync();
        var jobId = await CreateJobAsync(alice, await UploadAsync(alice), "gated");

        // The events stream, opened while the job waits at the gate.
        using var events = await alice.GetAsync($"/api/v1/jobs/{jobId}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        var reading = ReadEventsAsync(await events.Content.ReadAsStreamAsync());

        var running = await WaitAsync(alice, jobId, j => j.State == "running" && j.Stage == "loading");
        Assert.Equal(1, running.Attempts);

        // Mid-run: a half-written file sits in the work folder, nothing is published.
        Assert.False(Directory.Exists(Path.Combine(JobFolder(jobId), "results")));
        var work = Assert.Single(Directory.GetDirectories(JobFolder(jobId)));
        Assert.StartsWith("work-", Path.GetFileName(work), StringComparison.Ordinal);
        Assert.Empty(running.Outputs);

        _runner.Release.SetResult();
        var list = await reading.WaitAsync(TimeSpan.FromSeconds(30));

        var job = await GetAsync(alice, jobId);
        Assert.Equal("succeeded", job.State);
        Assert.Equal(1.0, job.Progress);
        Assert.Equal(["labels.txt", "sub/stats.json"], job.Outputs);
        Assert.Equal(["loading", "inference", "writing"], job.StageTimings.Select(t => t.Stage));
        Assert.All(job.StageTimings, t => Assert.True(t.Seconds >= 0));
        Assert.True(job.StageTimings[1].Seconds >= 0.3, $"inference took {job.StageTimings[1].Seconds} s");
        Assert.Contains("a remark", job.Warnings);
        Assert.Equal(1, _runner.Calls(jobId));

        // Published as a whole: the complete content, and no work folder left beside it.
        Assert.Equal(["results"], Directory.GetDirectories(JobFolder(jobId)).Select(Path.GetFileName));
        Assert.Equal("liver=1", await File.ReadAllTextAsync(Path.Combine(JobFolder(jobId), "results", "labels.txt")));
        Assert.True(File.Exists(Path.Combine(JobFolder(jobId), "results", "sub", "stats.json")));

        // Events: progress only goes up, several distinct steps, then exactly one final event.
        var progress = list.Where(e => e.Type == "progress").ToList();
        Assert.True(progress.Count >= 4, $"only {progress.Count} progress events");
        var fractions = progress.Select(e => e.Data.GetProperty("progress").GetDouble()).ToList();
        Assert.Equal(fractions.Order().ToList(), fractions);
        Assert.True(fractions[^1] > fractions[0]);
        Assert.Contains(progress, e => e.Data.GetProperty("stage").GetString() == "inference" && e.Data.GetProperty("etaSeconds").ValueKind == JsonValueKind.Number);
        Assert.Equal("succeeded", list[^1].Type);
        Assert.Equal(1.0, list[^1].Data.GetProperty("progress").GetDouble());
        Assert.Single(list, e => e.Type != "progress");

        // DELETE of a finished job removes its files too.
        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync($"/api/v1/jobs/{jobId}")).StatusCode);
        Assert.False(Directory.Exists(JobFolder(jobId)));
    }

    [Fact]
    public async Task A_corrupt_input_fails_at_once_with_its_message_and_is_not_retried()
    {
        var (alice, _, _) = await _server.NewUserAsync();
        var jobId = await CreateJobAsync(alice, await UploadAsync(alice), "corrupt");
        var job = await WaitFinalAsync(alice, jobId);
        Assert.Equal("failed", job.State);
        Assert.NotNull(job.Error);
        Assert.Contains("truncated gzip stream", job.Error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("inputs"), job.Error, StringComparison.Ordinal);

        // Longer than a retry's delay plus Hangfire's schedule polling: no second call comes.
        await Task.Delay(1500);
        Assert.Equal(1, _runner.Calls(jobId));
        Assert.Equal(1, (await GetAsync(alice, jobId)).Attempts);
        Assert.False(Directory.Exists(Path.Combine(JobFolder(jobId), "results")));
        Assert.Empty(Directory.GetDirectories(JobFolder(jobId)));
    }

    [Fact]
    public async Task A_transient_io_error_is_retried_until_it_succeeds_or_the_attempts_run_out()
    {
        var (alice, _, _) = await _server.NewUserAsync();
        var input = await UploadAsync(alice);
        var flaky = await CreateJobAsync(alice, input, "flaky");
        var always = await CreateJobAsync(alice, input, "io-always");

        var ok = await WaitFinalAsync(alice, flaky);
        Assert.Equal("succeeded", ok.State);
        Assert.Equal(3, _runner.Calls(flaky));
        Assert.Equal(3, ok.Attempts);
        Assert.Contains(ok.Warnings, w => w.Contains("attempt 1 failed", StringComparison.Ordinal) && w.Contains("disk busy (call 1)", StringComparison.Ordinal));
        Assert.Equal(["ok.txt"], ok.Outputs);

        var failed = await WaitFinalAsync(alice, always);
        Assert.Equal("failed", failed.State);
        Assert.Equal(4, _runner.Calls(always)); // 1 + RetryAttempts (3)
        Assert.Contains("disk gone", failed.Error, StringComparison.Ordinal);
        Assert.Contains("after 4 attempts", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_cancels_a_running_job_and_removes_its_files()
    {
        var (alice, _, _) = await _server.NewUserAsync();
        var jobId = await CreateJobAsync(alice, await UploadAsync(alice), "block");
        await WaitAsync(alice, jobId, j => j.State == "running" && j.Stage == "loading");
        Assert.True(Directory.Exists(JobFolder(jobId)));
        using var events = await alice.GetAsync($"/api/v1/jobs/{jobId}/events", HttpCompletionOption.ResponseHeadersRead);
        var reading = ReadEventsAsync(await events.Content.ReadAsStreamAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync($"/api/v1/jobs/{jobId}")).StatusCode);

        // The stream ends with the cancel (or, if it looked only after the row was gone, the deletion).
        var list = await reading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains(list[^1].Type, new[] { "canceled", "deleted" });
        Assert.All(list[..^1], e => Assert.Equal("progress", e.Type));
        await _runner.SawCancellation.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/api/v1/jobs/{jobId}")).StatusCode);
        Assert.False(Directory.Exists(JobFolder(jobId)));
        Assert.Equal(1, _runner.Calls(jobId));
    }

    [Fact]
    public async Task A_job_past_its_timeout_fails_saying_so()
    {
        var (alice, _, _) = await _server.NewUserAsync();
        var jobId = await CreateJobAsync(alice, await UploadAsync(alice), "block");
        var job = await WaitFinalAsync(alice, jobId);
        Assert.Equal("failed", job.State);
        Assert.Contains("timed out after 00:00:08", job.Error, StringComparison.Ordinal);
        Assert.Equal(1, _runner.Calls(jobId));
    }

    [Fact]
    public async Task A_runner_declaring_an_output_it_did_not_write_publishes_nothing()
    {
        var (alice, _, _) = await _server.NewUserAsync();
        var jobId = await CreateJobAsync(alice, await UploadAsync(alice), "lying");
        var job = await WaitFinalAsync(alice, jobId);
        Assert.Equal("failed", job.State);
        Assert.Contains("never-written.nii.gz", job.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(JobFolder(jobId)));
    }

    [Fact]
    public async Task Events_of_another_users_job_or_an_unknown_job_are_404_and_need_credentials()
    {
        var (alice, _, _) = await _server.NewUserAsync();
        var (bob, _, _) = await _server.NewUserAsync();
        var jobId = await CreateJobAsync(alice, await UploadAsync(alice), "quick");
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/v1/jobs/{jobId}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/api/v1/jobs/{Guid.NewGuid()}/events")).StatusCode);
        using var anonymous = _server.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/jobs/{jobId}/events")).StatusCode);

        // The owner's stream of a job already finished is its one final event.
        await WaitFinalAsync(alice, jobId);
        using var events = await alice.GetAsync($"/api/v1/jobs/{jobId}/events", HttpCompletionOption.ResponseHeadersRead);
        var list = await ReadEventsAsync(await events.Content.ReadAsStreamAsync()).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["succeeded"], list.Select(e => e.Type));
    }

    [Fact]
    public async Task Enqueueing_a_job_twice_runs_it_once()
    {
        var (alice, _, _) = await _server.NewUserAsync();
        var jobId = await CreateJobAsync(alice, await UploadAsync(alice), "quick");
        var queue = _server.Services.GetRequiredService<IJobQueue>();
        Assert.IsType<HangfireJobQueue>(queue);
        await queue.EnqueueAsync(jobId, CancellationToken.None);
        await queue.EnqueueAsync(jobId, CancellationToken.None);
        Assert.Equal("succeeded", (await WaitFinalAsync(alice, jobId)).State);
        await Task.Delay(1000);
        Assert.Equal(1, _runner.Calls(jobId));
    }

    internal sealed record ServerEvent(string Type, JsonElement Data);

    /// <summary>Reads "event:" / "data:" blocks until the stream ends.</summary>
    internal static async Task<List<ServerEvent>> ReadEventsAsync(Stream stream)
    {
        var events = new List<ServerEvent>();
        using var reader = new StreamReader(stream);
        string type = "message";
        string? data = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    events.Add(new ServerEvent(type, JsonDocument.Parse(data).RootElement.Clone()));
                }

                type = "message";
                data = null;
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                type = line["event:".Length..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data = line["data:".Length..].Trim();
            }
        }

        return events;
    }
}
