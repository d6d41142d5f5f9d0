using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using SegWeb.Server.Tests.JobExecution;
using Xunit.Abstractions;

namespace SegWeb.Server.Tests.Processes;

/// <summary>
/// A bounded load test on loopback against the built server process: 20 clients at once each upload a 50 MB study and
/// create a job. Every request is accepted, nothing is lost, and the server's memory stays bounded while the uploads
/// stream (they go to disk in chunks). Prints the latencies and the peak memory; run with
/// <c>--logger "console;verbosity=detailed"</c> to see them.
/// </summary>
public sealed class LoadTests(DemoPackage model, ITestOutputHelper output) : IClassFixture<DemoPackage>
{
    private const int Clients = 20;
    private const long StudyBytes = 50_000_000;
    private const long MemoryLimitBytes = 1L << 30;

    [Fact]
    public async Task Twenty_clients_each_uploading_50_MB_and_creating_a_job_are_all_accepted_in_bounded_memory()
    {
        using var temp = new TempDirectory("load");
        string study = temp.File("study.nii");
        LargeStudies.Nifti(study, StudyBytes, seed: 7);
        long studyBytes = new FileInfo(study).Length;

        using var server = new ServerProcess(settings: new Dictionary<string, string?>
        {
            ["SegWeb:Segmentation:ModelPath"] = model.Directory,

            // 40 rate-limited requests from one user within the minute: lift the limit so 429 cannot hide a real refusal.
            ["SegWeb:UploadsPerMinute"] = "10000",
            ["SegWeb:Jobs:CancelWaitSeconds"] = "20",
        });
        await server.StartAsync();
        long idle = server.MemoryBytes();
        var (owner, key) = await server.NewUserAsync();
        owner.Dispose();
        var clients = Enumerable.Range(0, Clients).Select(_ => server.Bearer(key)).ToArray();
        try
        {
            // Phase 1: all uploads at once (each client its own connection), streamed from disk.
            var total = Stopwatch.StartNew();
            using var start = new SemaphoreSlim(0);
            var uploads = clients.Select(async (client, i) =>
            {
                await start.WaitAsync();
                var watch = Stopwatch.StartNew();
                await using var file = File.OpenRead(study);
                using var put = await client.PutAsync($"/api/v1/inputs/study-{i}.nii", new StreamContent(file, 1 << 20));
                watch.Stop();
                Assert.True(put.StatusCode == HttpStatusCode.Created, $"upload {i}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
                var input = (await put.Content.ReadFromJsonAsync<InputDto>())!;
                Assert.Equal(studyBytes, input.Bytes);
                return (input.Id, watch.Elapsed);
            }).ToArray();
            start.Release(Clients);
            var uploaded = await Task.WhenAll(uploads);
            total.Stop();
            long peakWhileUploading = server.PeakMemoryBytes();

            // Phase 2: every client creates its job at once.
            var jobs = await Task.WhenAll(clients.Select((client, i) => JobExecutionServer.CreateJobAsync(client, uploaded[i].Id, "total")));
            var inputs = await clients[0].GetFromJsonAsync<InputDto[]>("/api/v1/inputs?take=200");
            var listed = await clients[0].GetFromJsonAsync<JobRunDto[]>("/api/v1/jobs?take=200");
            long peakAfterJobs = server.PeakMemoryBytes();

            var latencies = uploaded.Select(u => u.Elapsed.TotalSeconds).Order().ToArray();
            double p95 = latencies[(int)Math.Ceiling(0.95 * latencies.Length) - 1];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"load: {Clients} clients × {studyBytes / 1e6:F1} MB PUT on loopback in {total.Elapsed.TotalSeconds:F1} s ({Clients * studyBytes / 1e6 / total.Elapsed.TotalSeconds:F0} MB/s); " +
                $"upload latency p50 {latencies[latencies.Length / 2]:F2} s, p95 {p95:F2} s, max {latencies[^1]:F2} s"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"load: server RSS idle {idle / 1048576.0:F0} MiB; peak (VmHWM) while uploading {peakWhileUploading / 1048576.0:F0} MiB; after the 20 jobs were created {peakAfterJobs / 1048576.0:F0} MiB"));

            Assert.True(peakWhileUploading < MemoryLimitBytes, $"server peak memory {peakWhileUploading} bytes while uploading");
            Assert.Equal(uploaded.Select(u => u.Id).Order(), inputs!.Select(i => i.Id).Order());
            Assert.All(inputs!, i => Assert.Equal("ready", i.State));
            Assert.Equal(jobs.Order(), listed!.Select(j => j.Id).Order());
            Assert.Equal(Clients, Directory.GetDirectories(Path.Combine(server.DataFolder, "inputs")).Length);

            // Clean up through the API: jobs (a running one is canceled), then inputs; nothing is left on disk.
            foreach (var id in jobs)
            {
                using var deleted = await clients[0].DeleteAsync($"/api/v1/jobs/{id}");
                Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            }

            foreach (var (id, _) in uploaded)
            {
                using var deleted = await clients[0].DeleteAsync($"/api/v1/inputs/{id}");
                Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            }

            Assert.Empty(server.StoredFiles());
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
