using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;
using SegWeb.Server.Segmentation;
using SegWeb.Server.Tests.JobExecution;
using SegWeb.Server.Tests.Segmentation;

namespace SegWeb.Server.Tests.Processes;

/// <summary>
/// The whole path on the built server process: tus upload of the example CT → job → progress over Server-Sent Events →
/// results, whose statistics.json is byte for byte what the built `segweb segment --ml --statistics` writes.
/// </summary>
public sealed class FullPathTests(DemoPackage model) : IClassFixture<DemoPackage>
{
    [SkippableFact]
    public async Task Upload_job_events_and_results_match_the_command_line_byte_for_byte()
    {
        var ct = TestData.Require(LargeStudies.Ct);
        using var server = new ServerProcess(settings: new Dictionary<string, string?>
        {
            ["SegWeb:Segmentation:ModelPath"] = model.Directory,
            ["SegWeb:Jobs:EventsPollMilliseconds"] = "50",
        });
        await server.StartAsync();
        var (client, _) = await server.NewUserAsync();
        using (client)
        {
            byte[] bytes = await File.ReadAllBytesAsync(ct);
            using var finished = await Tus.UploadAsync(client, bytes, "example_ct_sm.nii.gz", chunk: 100_000);
            Assert.Equal(HttpStatusCode.NoContent, finished.StatusCode);
            var input = (await client.GetFromJsonAsync<InputDto>(finished.Headers.GetValues(Uploads.TusEndpoints.InputHeader).Single()))!;
            Guid jobId = await JobExecutionServer.CreateJobAsync(client, input.Id, "total");

            // The events stream, read as a browser's EventSource would: progress events, then one final event.
            var events = new List<(string Type, SegWeb.Server.Jobs.JobEvents.JobEvent Data)>();
            using (var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/{jobId}/events"))
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
                await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
                var parser = SseParser.Create(stream, (type, data) => JsonSerializer.Deserialize<SegWeb.Server.Jobs.JobEvents.JobEvent>(data, JsonSerializerOptions.Web)!);
                await foreach (var item in parser.EnumerateAsync(timeout.Token))
                {
                    events.Add((item.EventType, item.Data));
                }
            }

            Assert.True(events.Count >= 3, string.Join("; ", events));
            Assert.All(events[..^1], e => Assert.Equal("progress", e.Type));
            Assert.Equal("succeeded", events[^1].Type);
            Assert.Equal("succeeded", events[^1].Data.State);
            Assert.Equal(1.0, events[^1].Data.Progress, 6);
            Assert.Contains(events, e => e.Data.Stage == "predict");
            Assert.Contains(events, e => e.Data.Stage == JobProgressMapper.WritingStage);
            for (int i = 1; i < events.Count; i++)
            {
                Assert.True(events[i].Data.Progress >= events[i - 1].Data.Progress, $"progress went back: {string.Join(", ", events.Select(e => e.Data.Progress))}");
            }

            var listed = (await client.GetFromJsonAsync<ResultFileDto[]>($"/api/v1/jobs/{jobId}/results"))!;
            byte[] statistics = await client.GetByteArrayAsync(listed.Single(f => f.Name == PipelineSegmentationRunner.StatisticsJson).Url);
            byte[] multilabel = await client.GetByteArrayAsync(listed.Single(f => f.Name == PipelineSegmentationRunner.MultilabelFile).Url);

            // The reference: the built command line, as a user runs it, on the same file with the same model package.
            using var cli = new TempDirectory("fullpath-cli");
            string seg = cli.File("seg.nii.gz");
            var (exit, log) = await RunCliAsync("segment", "-i", ct, "-o", seg, "--ml", "--statistics", "--model", model.Directory, "--quiet");
            Assert.True(exit == 0, $"segweb segment exited {exit}: {log}");
            Assert.Equal(await File.ReadAllBytesAsync(cli.File("statistics.json")), statistics);

            var served = NiftiReader.Read(new MemoryStream(multilabel), "multilabel.nii.gz").Volume;
            var written = NiftiReader.Read(seg).Volume;
            Assert.Equal(written.Shape, served.Shape);
            Assert.Equal(written.Affine, served.Affine);
            Assert.Equal(((Volume<byte>)written).Data, ((Volume<byte>)served).Data);
        }
    }

    private static async Task<(int Exit, string Log)> RunCliAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(BuiltAssemblies.CliDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
