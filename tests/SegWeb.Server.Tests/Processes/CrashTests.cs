using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SegWeb.Imaging.Nifti;
using SegWeb.Server.Segmentation;
using SegWeb.Server.Tests.JobExecution;
using SegWeb.Server.Tests.Segmentation;

namespace SegWeb.Server.Tests.Processes;

/// <summary>
/// SIGKILL of the built server process mid-job and mid-upload, then a start on the same data folder: the job completes
/// once with complete, unduplicated results; the upload resumes from its saved offset to a byte-identical input.
/// </summary>
public sealed class CrashTests(DemoPackage model) : IClassFixture<DemoPackage>
{
    private static readonly string[] Outputs =
        [PipelineSegmentationRunner.MultilabelFile, PipelineSegmentationRunner.MasksZip, PipelineSegmentationRunner.StatisticsJson, PipelineSegmentationRunner.StatisticsCsvFile,
         JobOutputSelection.Volume, JobOutputSelection.Report, JobOutputSelection.Preview];

    [SkippableFact]
    public async Task A_job_killed_mid_predict_completes_once_after_a_restart_with_complete_results()
    {
        var ct = TestData.Require(LargeStudies.Ct);
        using var temp = new TempDirectory("crash-job");
        string study = temp.File("tiled.nii");
        LargeStudies.TiledCt(ct, study, tiles: 2);

        using var server = new ServerProcess(settings: new Dictionary<string, string?>
        {
            ["SegWeb:Segmentation:ModelPath"] = model.Directory,
            ["SegWeb:Jobs:ProgressWriteMilliseconds"] = "0",
            ["SegWeb:Jobs:TimeoutSeconds"] = "600",

            // The killed process's lease on the job must lapse before the restarted one (a new worker) takes it over.
            ["SegWeb:Jobs:LeaseSeconds"] = "6",
            ["SegWeb:Jobs:SchedulePollingSeconds"] = "1",
        });
        await server.StartAsync();
        var (client, _) = await server.NewUserAsync();
        using (client)
        {
            Guid inputId;
            using (var put = await client.PutAsync("/api/v1/inputs/tiled.nii", new StreamContent(File.OpenRead(study))))
            {
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
                inputId = (await put.Content.ReadFromJsonAsync<InputDto>())!.Id;
            }

            Guid jobId = await JobExecutionServer.CreateJobAsync(client, inputId, "total");
            var running = await PollAsync(client, jobId, j => j.State == "running" && j.Stage == "predict", TimeSpan.FromSeconds(90), server);
            Assert.Equal(1, running.Attempts);
            server.Kill();

            // What the kill left: the record running, the attempt's private work folder, nothing published.
            string jobFolder = Path.Combine(server.DataFolder, "jobs", jobId.ToString("N"));
            Assert.Contains(Directory.GetDirectories(jobFolder), d => Path.GetFileName(d).StartsWith("work-", StringComparison.Ordinal));
            Assert.False(Directory.Exists(Path.Combine(jobFolder, "results")), "results published before the kill: the kill did not land mid-job");

            await server.StartAsync();
            var job = await PollAsync(client, jobId, j => j.State is "succeeded" or "failed" or "canceled", TimeSpan.FromSeconds(240), server);
            Assert.True(job.State == "succeeded", $"{job.State}: {job.Error}\n{server.LogTail()}");
            Assert.Equal(2, job.Attempts);
            Assert.Equal(1.0, job.Progress, 6);
            Assert.Equal(Outputs.Order(), job.Outputs.Order());

            // Once in the list, once in the log: the rerun is the only run after the restart, and it succeeded once.
            var jobs = await client.GetFromJsonAsync<JobRunDto[]>("/api/v1/jobs");
            Assert.Single(jobs!, j => j.Id == jobId);
            string log = server.Log;
            Assert.Equal(1, Count(log, $"Job {jobId} attempt 1 started"));
            Assert.Equal(1, Count(log, $"Job {jobId} attempt 2 started"));
            Assert.Equal(1, Count(log, $"Job {jobId} succeeded"));

            // Results listed once each, every file complete and readable.
            var listed = (await client.GetFromJsonAsync<ResultFileDto[]>($"/api/v1/jobs/{jobId}/results"))!;
            Assert.Equal(Outputs.Order(), listed.Select(f => f.Name).Order());
            var files = new Dictionary<string, byte[]>();
            foreach (var file in listed)
            {
                files[file.Name] = await client.GetByteArrayAsync(file.Url);
                Assert.Equal(file.Bytes, files[file.Name].Length);
            }

            var input = NiftiReader.Read(study).Volume;
            var labels = NiftiReader.Read(new MemoryStream(files[PipelineSegmentationRunner.MultilabelFile]), "multilabel.nii.gz").Volume;
            Assert.Equal(input.Shape, labels.Shape);
            Assert.Equal(input.Affine, labels.Affine);
            var classes = MultilabelNifti.ReadLabelNames(NiftiReader.ReadHeader(new MemoryStream(files[PipelineSegmentationRunner.MultilabelFile]), "multilabel.nii.gz"));
            Assert.Equal(7, classes.Count);

            using (var zip = new ZipArchive(new MemoryStream(files[PipelineSegmentationRunner.MasksZip])))
            {
                Assert.Equal(classes.Values.Select(n => n + ".nii.gz").Order(), zip.Entries.Select(e => e.FullName).Order());
                foreach (var entry in zip.Entries)
                {
                    using var mask = new MemoryStream();
                    using (var s = entry.Open())
                    {
                        await s.CopyToAsync(mask);
                    }

                    mask.Position = 0;
                    Assert.Equal(input.Shape, NiftiReader.Read(mask, entry.FullName).Volume.Shape);
                }
            }

            using (var statistics = JsonDocument.Parse(files[PipelineSegmentationRunner.StatisticsJson]))
            {
                Assert.Equal(classes.Values.Order(), statistics.RootElement.EnumerateObject().Select(p => p.Name).Order());
            }

            Assert.Equal(classes.Count + 1, System.Text.Encoding.UTF8.GetString(files[PipelineSegmentationRunner.StatisticsCsvFile]).TrimEnd().Split('\n').Length);

            // No work folder (or scratch) left: only the published results.
            Assert.Equal(["results"], Directory.GetFileSystemEntries(jobFolder).Select(Path.GetFileName));
        }
    }

    [Fact]
    public async Task A_tus_upload_killed_mid_patch_resumes_from_the_saved_offset_to_a_byte_identical_input()
    {
        using var temp = new TempDirectory("crash-upload");
        string source = temp.File("study.nii");
        LargeStudies.Nifti(source, 40L << 20, seed: 5);
        byte[] bytes = await File.ReadAllBytesAsync(source);

        using var server = new ServerProcess();
        await server.StartAsync();
        var (client, _) = await server.NewUserAsync();
        using (client)
        {
            var location = await Tus.CreateAsync(client, bytes.Length, new Dictionary<string, string> { ["filename"] = "study.nii" });

            // Stream slowly; once 20 MiB are out (two 8 MiB checkpoints' worth), give the server a moment to take them, then kill it.
            var body = new SlowContent(bytes, chunk: 256 << 10, signalAfter: 20L << 20);
            var patch = client.SendAsync(Tus.Patch(location, 0, body));
            await body.Signalled.WaitAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(1000);
            server.Kill();
            long sent = body.Sent;
            await Assert.ThrowsAnyAsync<Exception>(async () => (await patch).Dispose());

            await server.StartAsync();
            long offset;
            using (var head = await client.SendAsync(Tus.Head(location)))
            {
                Assert.Equal(HttpStatusCode.OK, head.StatusCode);
                offset = Tus.Offset(head);
            }

            Assert.True(offset >= 8L << 20 && offset <= sent, $"saved offset {offset}, sent {sent}");
            string part = Assert.Single(server.StoredFiles());
            Assert.StartsWith("uploads", part, StringComparison.Ordinal);

            using var rest = await client.SendAsync(Tus.Patch(location, offset, bytes.AsMemory((int)offset)));
            Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
            Assert.Equal(bytes.Length, Tus.Offset(rest));
            var input = (await client.GetFromJsonAsync<InputDto>(rest.Headers.GetValues(Uploads.TusEndpoints.InputHeader).Single()))!;
            Assert.Equal("ready", input.State);
            Assert.Equal(bytes.Length, input.Bytes);

            // The stored input is the source, byte for byte; the .part file is gone.
            string stored = Assert.Single(server.StoredFiles());
            Assert.StartsWith(Path.Combine("inputs", input.Id.ToString("N")), stored, StringComparison.Ordinal);
            Assert.Equal(LargeStudies.Sha256(source), LargeStudies.Sha256(Path.Combine(server.DataFolder, stored)));
        }
    }

    private static int Count(string text, string what)
    {
        int count = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    internal static async Task<JobRunDto> PollAsync(HttpClient client, Guid jobId, Func<JobRunDto, bool> done, TimeSpan within, ServerProcess server)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var job = await JobExecutionServer.GetAsync(client, jobId);
            if (done(job))
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} still {job.State}/{job.Stage} at {job.Progress} after {within}\n{server.LogTail()}");
            await Task.Delay(25);
        }
    }
}

/// <summary>A request body sent in small chunks with pauses, counting what went out, until the connection breaks.</summary>
internal sealed class SlowContent(byte[] bytes, int chunk, long signalAfter) : HttpContent
{
    private readonly TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sent;

    /// <summary>Completes once <c>signalAfter</c> bytes were written to the connection.</summary>
    public Task Signalled => _signal.Task;

    public long Sent => Interlocked.Read(ref _sent);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (int offset = 0; offset < bytes.Length; offset += chunk)
        {
            int n = Math.Min(chunk, bytes.Length - offset);
            await stream.WriteAsync(bytes.AsMemory(offset, n));
            await stream.FlushAsync();
            Interlocked.Add(ref _sent, n);
            if (Sent >= signalAfter)
            {
                _signal.TrySetResult();
                await Task.Delay(50);
            }
            else
            {
                await Task.Delay(5);
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bytes.Length;
        return true;
    }
}
