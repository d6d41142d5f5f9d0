using System.Net.Http.Json;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using SegWeb.Server.Jobs;
using static SegWeb.Server.Tests.JobExecution.JobExecutionServer;

namespace SegWeb.Server.Tests.JobExecution;

/// <summary>Start-up: queued jobs in SQLite run exactly once; final ones not again; without a runner jobs are refused.</summary>
public sealed class JobRestartTests
{
    [Fact]
    public async Task A_job_queued_before_a_restart_runs_exactly_once_after_it()
    {
        using var data = new TempDirectory("server-job-restart");
        Guid jobId;
        string key;

        // First life: a queue that accepts jobs but never runs them (as if the process died right after POST).
        using (var first = new SegWebServer(data.Path, FastSettings, s => s.AddSingleton<IJobQueue>(new ParkingQueue())))
        {
            (var client, key, _) = await first.NewUserAsync();
            jobId = await CreateJobAsync(client, await UploadAsync(client), "quick");
            Assert.Equal("queued", (await GetAsync(client, jobId)).State);
        }

        var runner = new ScriptedRunner();
        using (var second = Start(runner, data.Path))
        {
            using var client = Bearer(second, key);
            var job = await WaitFinalAsync(client, jobId);
            Assert.Equal("succeeded", job.State);
            Assert.Equal(["ok.txt"], job.Outputs);
            await Task.Delay(1000);
            Assert.Equal(1, runner.Calls(jobId));
        }

        // Third life: the job is final, start-up leaves it alone.
        var third = new ScriptedRunner();
        using (var server = Start(third, data.Path))
        {
            using var client = Bearer(server, key);
            Assert.Equal("succeeded", (await GetAsync(client, jobId)).State);
            await Task.Delay(1000);
            Assert.Equal(0, third.TotalCalls);
            Assert.Equal(["ok.txt"], Directory.GetFiles(Path.Combine(data.Path, "jobs", jobId.ToString("N"), "results")).Select(Path.GetFileName));
        }
    }

    [Fact]
    public async Task A_crash_mid_run_leaves_nothing_published_and_a_crash_after_publishing_does_not_run_again()
    {
        using var data = new TempDirectory("server-job-crash");
        Guid midRun, afterPublish;
        string key;
        using (var first = new SegWebServer(data.Path, FastSettings, s => s.AddSingleton<IJobQueue>(new ParkingQueue())))
        {
            (var client, key, _) = await first.NewUserAsync();
            var input = await UploadAsync(client);
            midRun = await CreateJobAsync(client, input, "quick");
            afterPublish = await CreateJobAsync(client, input, "quick");

            // What a SIGKILL leaves: both records running; one with a half-written work folder, one whose results
            // were renamed into place just before the record could say so.
            using var scope = first.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<SegWeb.Server.Storage.SegWebDbContext>();
            foreach (var job in db.Jobs)
            {
                job.State = JobState.Running;
                job.Stage = "inference";
                job.Attempts = 1;
            }

            await db.SaveChangesAsync();
            var work = Path.Combine(data.Path, "jobs", midRun.ToString("N"), "work-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(work);
            await File.WriteAllTextAsync(Path.Combine(work, "half.nii.gz"), "partial");
            var results = Path.Combine(data.Path, "jobs", afterPublish.ToString("N"), "results");
            Directory.CreateDirectory(results);
            await File.WriteAllTextAsync(Path.Combine(results, "done.txt"), "complete");
        }

        var runner = new ScriptedRunner();
        using var second = Start(runner, data.Path);
        using var again = Bearer(second, key);
        var rerun = await WaitFinalAsync(again, midRun);
        Assert.Equal("succeeded", rerun.State);
        Assert.Equal(["ok.txt"], rerun.Outputs);
        Assert.Equal(2, rerun.Attempts); // the interrupted attempt counts
        Assert.Equal(["results"], Directory.GetDirectories(Path.Combine(data.Path, "jobs", midRun.ToString("N"))).Select(Path.GetFileName));

        var kept = await WaitFinalAsync(again, afterPublish);
        Assert.Equal("succeeded", kept.State);
        Assert.Equal(["done.txt"], kept.Outputs);
        await Task.Delay(1000);
        Assert.Equal(1, runner.Calls(midRun));
        Assert.Equal(0, runner.Calls(afterPublish));
    }

    [Fact]
    public async Task Without_a_runner_the_queue_stays_the_honest_503()
    {
        using var server = Start(null);
        Assert.IsType<NoPipelineJobQueue>(server.Services.GetRequiredService<IJobQueue>());
        var (alice, _, _) = await server.NewUserAsync();
        using var created = await alice.PostAsJsonAsync("/api/v1/jobs", new { inputId = await UploadAsync(alice) });
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, created.StatusCode);
    }

    private static HttpClient Bearer(SegWebServer server, string key)
    {
        var client = server.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private sealed class ParkingQueue : IJobQueue
    {
        public bool IsAvailable => true;

        public string UnavailableReason => "";

        public Task EnqueueAsync(Guid jobId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task CancelAsync(Guid jobId, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
