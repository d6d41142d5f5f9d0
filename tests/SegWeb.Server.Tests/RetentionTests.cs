using System.Net;
using System.Net.Http.Json;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SegWeb.Server.Jobs;
using SegWeb.Server.Retention;
using SegWeb.Server.Storage;
using SegWeb.Server.Tests.JobExecution;

namespace SegWeb.Server.Tests;

/// <summary>The retention job: expired inputs, jobs, results and unfinished uploads are deleted, nothing else is.</summary>
public sealed class RetentionTests
{
    private sealed record ExpiringJobDto(Guid Id, string State, DateTime CreatedAt, DateTime ExpiresAt);

    private static async Task<RetentionResult> SweepAsync(SegWebServer server, DateTime now)
    {
        using var scope = server.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<RetentionSweeper>().SweepAsync(now, CancellationToken.None);
    }

    private static async Task ChangeAsync(SegWebServer server, Func<SegWebDbContext, Task> change)
    {
        using var scope = server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        await change(db);
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Past_the_retention_time_inputs_jobs_results_and_unfinished_uploads_are_deleted()
    {
        using var server = new SegWebServer(null, new Dictionary<string, string?>(JobExecutionServer.FastSettings)
        {
            ["SegWeb:RetentionDays"] = "2",
            ["SegWeb:IncompleteUploadHours"] = "3",
        }, s => s.AddSingleton<ISegmentationRunner>(new ScriptedRunner()));
        var (client, _, _) = await server.NewUserAsync();
        using (client)
        {
            Guid inputId = await JobExecutionServer.UploadAsync(client);
            Guid jobId = await JobExecutionServer.CreateJobAsync(client, inputId, "ok");
            Assert.Equal("succeeded", (await JobExecutionServer.WaitFinalAsync(client, jobId)).State);
            var unfinished = await Tus.CreateAsync(client, 1000);
            using (var patch = await client.SendAsync(Tus.Patch(unfinished, 0, new byte[400])))
            {
                Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
            }

            // expiresAt in the API: RetentionDays after creation for inputs and jobs.
            var input = (await client.GetFromJsonAsync<InputDto>($"/api/v1/inputs/{inputId}"))!;
            var job = (await client.GetFromJsonAsync<ExpiringJobDto>($"/api/v1/jobs/{jobId}"))!;
            Assert.Equal(input.CreatedAt.AddDays(2), input.ExpiresAt, TimeSpan.FromSeconds(1));
            Assert.Equal(job.CreatedAt.AddDays(2), job.ExpiresAt, TimeSpan.FromSeconds(1));
            Assert.True(job.ExpiresAt <= input.ExpiresAt);
            var resultsFolder = server.Services.GetRequiredService<JobFolders>().ResultsFolder(jobId);
            Assert.True(Directory.Exists(resultsFolder));
            Assert.NotEmpty(Directory.GetFiles(server.Services.GetRequiredService<FileStore>().UploadsFolder));

            // Before anything expires, a sweep deletes nothing.
            Assert.Equal(new RetentionResult(0, 0, 0), await SweepAsync(server, DateTime.UtcNow.AddHours(1)));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/inputs/{inputId}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Tus.Head(unfinished))).StatusCode);

            // After IncompleteUploadHours only the unfinished upload goes.
            Assert.Equal(new RetentionResult(0, 0, 1), await SweepAsync(server, DateTime.UtcNow.AddHours(4)));
            Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(Tus.Head(unfinished))).StatusCode);
            Assert.Empty(Directory.GetFiles(server.Services.GetRequiredService<FileStore>().UploadsFolder));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/jobs/{jobId}")).StatusCode);

            // After RetentionDays the input goes with its job and results.
            Assert.Equal(new RetentionResult(1, 1, 0), await SweepAsync(server, DateTime.UtcNow.AddDays(2).AddMinutes(1)));
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/inputs/{inputId}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/jobs/{jobId}")).StatusCode);
            Assert.False(Directory.Exists(resultsFolder));
            Assert.Empty(server.StoredFiles());
        }
    }

    [Fact]
    public async Task An_expired_job_goes_without_its_input_and_a_running_job_is_left_to_finish()
    {
        var runner = new ScriptedRunner();
        using var server = JobExecutionServer.Start(runner);
        var (client, _, _) = await server.NewUserAsync();
        using (client)
        {
            Guid keptInput = await JobExecutionServer.UploadAsync(client);
            Guid doneJob = await JobExecutionServer.CreateJobAsync(client, keptInput, "ok");
            Assert.Equal("succeeded", (await JobExecutionServer.WaitFinalAsync(client, doneJob)).State);
            Guid runningJob = await JobExecutionServer.CreateJobAsync(client, keptInput, "gated");
            await JobExecutionServer.WaitAsync(client, runningJob, j => j.State == "running");
            Guid otherInput = await JobExecutionServer.UploadAsync(client);

            var past = DateTime.UtcNow.AddMinutes(-1);
            await ChangeAsync(server, async db =>
            {
                foreach (var j in await db.Jobs.ToListAsync())
                {
                    j.ExpiresAt = past;
                }
            });

            Assert.Equal(new RetentionResult(0, 1, 0), await SweepAsync(server, DateTime.UtcNow));
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/jobs/{doneJob}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/jobs/{runningJob}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/inputs/{keptInput}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/inputs/{otherInput}")).StatusCode);

            // Once it has finished, the next sweep takes it.
            runner.Release.SetResult();
            Assert.Equal("succeeded", (await JobExecutionServer.WaitFinalAsync(client, runningJob)).State);
            Assert.Equal(new RetentionResult(0, 1, 0), await SweepAsync(server, DateTime.UtcNow));
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/jobs/{runningJob}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/inputs/{keptInput}")).StatusCode);
        }
    }

    [Fact]
    public async Task The_recurring_job_is_scheduled_and_runs_through_Hangfire_on_a_server_without_a_pipeline()
    {
        using var server = new SegWebServer(null, new Dictionary<string, string?> { ["SegWeb:RetentionSchedule"] = "*/5 * * * *" });
        var (client, _, _) = await server.NewUserAsync();
        using (client)
        {
            Assert.False(server.Services.GetRequiredService<IJobQueue>().IsAvailable);
            var storage = server.Services.GetRequiredService<JobStorage>();
            using (var connection = storage.GetConnection())
            {
                var recurring = Assert.Single(connection.GetRecurringJobs(), r => r.Id == RetentionServices.RecurringJobId);
                Assert.Equal("*/5 * * * *", recurring.Cron);
                Assert.Equal(RetentionServices.Queue, recurring.Job.Queue);
                Assert.NotNull(recurring.NextExecution);
            }

            Guid inputId = await JobExecutionServer.UploadAsync(client);
            await ChangeAsync(server, async db => (await db.Inputs.SingleAsync(i => i.Id == inputId)).ExpiresAt = DateTime.UtcNow.AddMinutes(-1));

            // Trigger it now, as the schedule would: Hangfire's maintenance worker runs the sweep.
            new RecurringJobManager(storage).TriggerJob(RetentionServices.RecurringJobId);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while ((await client.GetAsync($"/api/v1/inputs/{inputId}")).StatusCode != HttpStatusCode.NotFound)
            {
                Assert.True(DateTime.UtcNow < deadline, "the triggered retention job did not delete the expired input");
                await Task.Delay(100);
            }
        }
    }

    [Theory]
    [InlineData("61 * * * *")]
    [InlineData("hourly")]
    public async Task A_bad_schedule_stops_the_server_at_start_naming_the_key(string schedule)
    {
        using var data = new TempDirectory("server-retention");
        await using var app = ServerApplication.Build(["--urls", "http://127.0.0.1:0", $"--SegWeb:DataFolder={data.Path}", $"--SegWeb:RetentionSchedule={schedule}"]);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("SegWeb:RetentionSchedule", error.Message, StringComparison.Ordinal);
    }
}
