using System.Net;
using SegWeb.Server.Tests.JobExecution;

namespace SegWeb.Server.Tests;

/// <summary>Another user's job is 404 on every id-based job route (results, labels, events, delete), finished or not.</summary>
public sealed class JobAccessTests
{
    [Fact]
    public async Task Another_users_job_is_404_on_every_job_route()
    {
        var runner = new ScriptedRunner();
        using var server = JobExecutionServer.Start(runner);
        var (alice, _, _) = await server.NewUserAsync();
        var (bob, _, _) = await server.NewUserAsync();
        using (alice)
        using (bob)
        {
            Guid inputId = await JobExecutionServer.UploadAsync(alice);
            Guid done = await JobExecutionServer.CreateJobAsync(alice, inputId, "ok");
            Assert.Equal("succeeded", (await JobExecutionServer.WaitFinalAsync(alice, done)).State);
            Guid running = await JobExecutionServer.CreateJobAsync(alice, inputId, "gated");
            await JobExecutionServer.WaitAsync(alice, running, j => j.State == "running");

            // What Alice herself gets, so that Bob's 404s are not just broken routes.
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/api/v1/jobs/{done}/results/ok.txt")).StatusCode);
            Assert.Equal(HttpStatusCode.Conflict, (await alice.GetAsync($"/api/v1/jobs/{running}/labels")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/api/v1/jobs/{done}/labels")).StatusCode);

            foreach (var id in new[] { done, running })
            {
                foreach (var route in new[] { "", "/events", "/results", "/results/ok.txt", "/results/volume.nii.gz", "/results/report.json", "/results/seg.dcm", "/labels" })
                {
                    using var response = await bob.GetAsync($"/api/v1/jobs/{id}{route}");
                    Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"GET /api/v1/jobs/{id}{route}: {response.StatusCode}");
                }

                using var delete = await bob.DeleteAsync($"/api/v1/jobs/{id}");
                Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
            }

            // Bob's attempts changed nothing.
            runner.Release.SetResult();
            Assert.Equal("succeeded", (await JobExecutionServer.WaitFinalAsync(alice, running)).State);
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/api/v1/jobs/{done}")).StatusCode);
        }
    }
}
