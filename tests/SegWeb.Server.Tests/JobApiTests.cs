using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SegWeb.Server.Jobs;

namespace SegWeb.Server.Tests;

/// <summary>
/// The job API's shape (202 + Location, list, one, delete, ownership) with a recording queue in place of the
/// pipeline: it checks what the API stores and hands over, not a segmentation.
/// </summary>
public sealed class JobApiTests
{
    [Fact]
    public async Task Jobs_are_accepted_stored_listed_owned_and_deleted()
    {
        var queue = new RecordingQueue();
        using var server = new SegWebServer(null, null, s => s.AddSingleton<IJobQueue>(queue));
        var (alice, _, _) = await server.NewUserAsync();
        var (bob, _, _) = await server.NewUserAsync();
        using var put = await alice.PutAsync("/api/v1/inputs/a.nii.gz", new ByteArrayContent(Studies.Nifti(gzip: true)));
        var input = (await put.Content.ReadFromJsonAsync<InputDto>())!;

        using (var others = await bob.PostAsJsonAsync("/api/v1/jobs", new { inputId = input.Id }))
        {
            Assert.Equal(HttpStatusCode.NotFound, others.StatusCode);
        }

        using var created = await alice.PostAsJsonAsync("/api/v1/jobs", new { inputId = input.Id, task = "total", fast = true, roiSubset = new[] { "liver" } });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var location = created.Headers.Location!;
        var job = await alice.GetFromJsonAsync<JobDto>(location);
        Assert.Equal("queued", job!.State);
        Assert.Equal(input.Id, job.InputId);
        Assert.Equal([job.Id], queue.Enqueued);
        string raw = await alice.GetStringAsync(location);
        Assert.Contains("\"liver\"", raw, StringComparison.Ordinal);

        Assert.Single((await alice.GetFromJsonAsync<JobDto[]>("/api/v1/jobs"))!);
        Assert.Empty((await bob.GetFromJsonAsync<JobDto[]>("/api/v1/jobs"))!);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.DeleteAsync(location)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync(location)).StatusCode);
        Assert.Equal([job.Id], queue.Canceled);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync(location)).StatusCode);
    }

    [Fact]
    public async Task Queued_jobs_are_enqueued_again_after_a_restart()
    {
        using var data = new TempDirectory("server-jobs");
        Guid jobId;
        string key;
        using (var first = new SegWebServer(data.Path, null, s => s.AddSingleton<IJobQueue>(new RecordingQueue())))
        {
            (var client, key, _) = await first.NewUserAsync();
            using var put = await client.PutAsync("/api/v1/inputs/a.nii.gz", new ByteArrayContent(Studies.Nifti(gzip: true)));
            var input = (await put.Content.ReadFromJsonAsync<InputDto>())!;
            using var created = await client.PostAsJsonAsync("/api/v1/jobs", new { inputId = input.Id });
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            jobId = (await created.Content.ReadFromJsonAsync<JobDto>())!.Id;
        }

        var queue = new RecordingQueue();
        using var second = new SegWebServer(data.Path, null, s => s.AddSingleton<IJobQueue>(queue));
        using var again = second.Anonymous();
        again.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync($"/api/v1/jobs/{jobId}")).StatusCode);
        Assert.Equal([jobId], queue.Enqueued);
    }

    private sealed class RecordingQueue : IJobQueue
    {
        private readonly ConcurrentQueue<Guid> _enqueued = new();
        private readonly ConcurrentQueue<Guid> _canceled = new();

        public Guid[] Enqueued => [.. _enqueued];

        public Guid[] Canceled => [.. _canceled];

        public bool IsAvailable => true;

        public string UnavailableReason => "";

        public Task EnqueueAsync(Guid jobId, CancellationToken cancellationToken)
        {
            _enqueued.Enqueue(jobId);
            return Task.CompletedTask;
        }

        public Task CancelAsync(Guid jobId, CancellationToken cancellationToken)
        {
            _canceled.Enqueue(jobId);
            return Task.CompletedTask;
        }
    }
}
