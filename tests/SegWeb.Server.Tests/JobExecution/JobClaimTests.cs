using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SegWeb.Server.Jobs;
using SegWeb.Server.Storage;
using static SegWeb.Server.Tests.JobExecution.JobExecutionServer;

namespace SegWeb.Server.Tests.JobExecution;

/// <summary>
/// The database claim: two workers (two DI containers, as two processes would be) on one SQLite file race for the same
/// jobs, and each job runs once; a job held by a worker that died is taken over when its lease expires.
/// </summary>
public sealed class JobClaimTests
{
    [Fact]
    public async Task Two_workers_on_one_database_racing_for_the_same_jobs_run_each_once()
    {
        using var data = new TempDirectory("server-job-claim");
        var runner = new ScriptedRunner();
        using var first = Worker(runner, data.Path);
        _ = first.Address; // started one after the other: hosts built at once can see each other's configuration
        using var second = Worker(runner, data.Path);
        _ = second.Address;

        var (client, _, _) = await first.NewUserAsync();
        using (client)
        {
            var input = await UploadAsync(client);
            var jobs = new List<Guid>();
            for (int i = 0; i < 5; i++)
            {
                jobs.Add(await CreateJobAsync(client, input, "gated"));
            }

            var a = first.Services.GetRequiredService<JobExecutor>();
            var b = second.Services.GetRequiredService<JobExecutor>();
            var races = jobs.Select(id => (Id: id, A: Task.Run(() => a.ExecuteAsync(id, null, CancellationToken.None)), B: Task.Run(() => b.ExecuteAsync(id, null, CancellationToken.None)))).ToList();

            // The winner of each race blocks in the gated runner; the loser's claim fails and it returns at once.
            foreach (var race in races)
            {
                await Task.WhenAny(race.A, race.B).WaitAsync(TimeSpan.FromSeconds(30));
            }

            await WaitAsync(client, jobs[^1], j => j.State == "running");
            foreach (var race in races)
            {
                Assert.True(race.A.IsCompleted ^ race.B.IsCompleted, $"job {race.Id}: exactly one worker must be running it");
                Assert.Equal(1, runner.Calls(race.Id));
            }

            runner.Release.TrySetResult();
            await Task.WhenAll(races.SelectMany(r => new[] { r.A, r.B })).WaitAsync(TimeSpan.FromSeconds(30));
            foreach (var id in jobs)
            {
                var job = await WaitFinalAsync(client, id);
                Assert.Equal("succeeded", job.State);
                Assert.Equal(1, job.Attempts);
                Assert.Equal(1, runner.Calls(id));
            }

            // A job that ends hands its lease back.
            using var scope = first.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
            Assert.All(await db.Jobs.AsNoTracking().Where(j => jobs.Contains(j.Id)).ToListAsync(), j => Assert.Null(j.LeaseOwner));
        }
    }

    [Fact]
    public async Task A_job_held_by_a_dead_worker_runs_once_its_lease_expires_and_not_before()
    {
        using var data = new TempDirectory("server-job-lease");
        var runner = new ScriptedRunner();
        using var server = Worker(runner, data.Path);
        var (client, _, _) = await server.NewUserAsync();
        using (client)
        {
            var jobId = await CreateJobAsync(client, await UploadAsync(client), "quick");

            // What a SIGKILLed worker elsewhere leaves: the row running under its lease, one attempt made.
            var expires = DateTime.UtcNow.AddSeconds(3);
            using (var scope = server.Services.CreateScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
                var job = await db.Jobs.SingleAsync(j => j.Id == jobId);
                job.State = JobState.Running;
                job.Attempts = 1;
                job.LeaseOwner = "another-host/4242/dead";
                job.LeaseExpiresAt = expires;
                await db.SaveChangesAsync();
            }

            await server.Services.GetRequiredService<JobExecutor>().ExecuteAsync(jobId, null, CancellationToken.None);
            Assert.Equal(0, runner.Calls(jobId));
            Assert.Equal("running", (await GetAsync(client, jobId)).State);

            // The executor looks again after the expiry (Hangfire's schedule) and takes the job over.
            var done = await WaitFinalAsync(client, jobId);
            Assert.True(DateTime.UtcNow >= expires, "ran before the lease expired");
            Assert.Equal("succeeded", done.State);
            Assert.Equal(2, done.Attempts);
            Assert.Equal(1, runner.Calls(jobId));
        }
    }

    /// <summary>A server whose queue parks jobs: the test itself calls each worker's executor.</summary>
    private static SegWebServer Worker(ScriptedRunner runner, string dataFolder) =>
        new(dataFolder, new Dictionary<string, string?>(FastSettings) { ["SegWeb:Jobs:LeaseSeconds"] = "5", ["SegWeb:Jobs:TimeoutSeconds"] = "60" }, s =>
        {
            s.AddSingleton<ISegmentationRunner>(runner);
            s.AddSingleton<IJobQueue>(new ParkingQueue());
        });

    private sealed class ParkingQueue : IJobQueue
    {
        public bool IsAvailable => true;

        public string UnavailableReason => "";

        public Task EnqueueAsync(Guid jobId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task CancelAsync(Guid jobId, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
