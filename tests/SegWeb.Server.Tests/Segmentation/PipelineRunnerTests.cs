using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SegWeb.Imaging.Nifti;
using SegWeb.Inference.Pipeline;
using SegWeb.Models.Packages;
using SegWeb.Server.Jobs;
using SegWeb.Server.Segmentation;
using SegWeb.Server.Tests.JobExecution;

namespace SegWeb.Server.Tests.Segmentation;

/// <summary>The committed demo model imported once into a temporary package folder, and a server configured with it.</summary>
public sealed class DemoModelServerFixture : IDisposable
{
    private readonly TempDirectory _temp = new("runner-model");
    private SegWebServer? _server;

    public DemoModelServerFixture()
    {
        PackageDirectory = NnUNetImporter.Import(Path.Combine(RepoPaths.Root, "models", "segweb-demo-nnunet"), _temp.File("segweb-demo")).Directory;
    }

    public string PackageDirectory { get; }

    /// <summary>One server for the class (started on first use): the ONNX session then loads once.</summary>
    internal SegWebServer Server => _server ??= new SegWebServer(null, new Dictionary<string, string?>(JobExecutionServer.FastSettings)
    {
        ["SegWeb:Jobs:TimeoutSeconds"] = "120",
        ["SegWeb:Segmentation:ModelPath"] = PackageDirectory,
    });

    public void Dispose()
    {
        _server?.Dispose();
        _temp.Dispose();
    }
}

internal sealed record ResultFileDto(string Name, long Bytes, string Url);

/// <summary>The real pipeline behind the job API, over HTTP, with the demo model.</summary>
public sealed class PipelineRunnerTests(DemoModelServerFixture fixture) : IClassFixture<DemoModelServerFixture>
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";

    [SkippableFact]
    public async Task A_job_on_a_CT_writes_the_pipelines_outputs_with_statistics_equal_to_the_library_and_monotone_progress()
    {
        var ctPath = TestData.Require(Ct);
        var server = fixture.Server;
        var (client, _, _) = await server.NewUserAsync();
        using (client)
        {
            Guid inputId = await UploadAsync(client, ctPath);
            Guid jobId = await JobExecutionServer.CreateJobAsync(client, inputId, "total");

            var seen = new List<double>();
            var job = await PollAsync(client, jobId, seen);

            Assert.True(job.State == "succeeded", $"{job.State}: {job.Error}");
            Assert.Equal(1.0, job.Progress, 6);
            for (int i = 1; i < seen.Count; i++)
            {
                Assert.True(seen[i] >= seen[i - 1], $"progress went back: {string.Join(", ", seen)}");
            }

            Assert.Equal(
                new[] { PipelineSegmentationRunner.MultilabelFile, PipelineSegmentationRunner.MasksZip, PipelineSegmentationRunner.StatisticsJson, PipelineSegmentationRunner.StatisticsCsvFile, JobOutputSelection.Volume, JobOutputSelection.Report, JobOutputSelection.Preview }.Order(),
                job.Outputs.Order());

            // preview.png is the CLI's renderer: a PNG as wide as its two views (IHDR, big-endian), over 1 KB of picture.
            byte[] png = await client.GetByteArrayAsync($"/api/v1/jobs/{jobId}/results/preview.png");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10 }, png[..8]);
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
            Assert.InRange(System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), 64, 1536);
            Assert.InRange(System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)), 64, 512);
            Assert.True(png.Length > 1024, $"preview.png is only {png.Length} bytes");
            Assert.Contains(job.StageTimings, t => t.Stage == PipelineStages.Predict);
            Assert.Contains(job.StageTimings, t => t.Stage == JobProgressMapper.WritingStage);
            Assert.Contains(job.Warnings, w => w.Contains("task 'total' requested", StringComparison.Ordinal));

            var results = server.Services.GetRequiredService<JobFolders>().ResultsFolder(jobId);
            Assert.Equal(job.Outputs.Order(), Directory.GetFiles(results).Select(Path.GetFileName).Order());

            // The reference: the same library calls `segweb segment --ml --statistics` makes, run here directly.
            using var expected = new TempDirectory("runner-expected");
            using var pipeline = new SegmentationPipeline(new PipelineOptions { Mirroring = false });
            var result = pipeline.Segment(ctPath, ModelPackage.Load(fixture.PackageDirectory));
            SegmentationOutput.Write(result, Path.Combine(expected.Path, "seg.nii.gz"), new SegmentationOutputOptions
            {
                Multilabel = true,
                Statistics = true,
                StatisticsOptions = PipelineSegmentationRunner.StatisticsOptionsFor(result.Header),
            });
            Assert.Equal(
                File.ReadAllText(Path.Combine(expected.Path, "statistics.json")),
                File.ReadAllText(Path.Combine(results, PipelineSegmentationRunner.StatisticsJson)));

            // The multilabel file holds the same labels on the input's grid, with the model's label table.
            var labels = NiftiReader.Read(Path.Combine(results, PipelineSegmentationRunner.MultilabelFile));
            var input = NiftiReader.Read(ctPath);
            Assert.Equal(input.Volume.Shape, labels.Volume.Shape);
            Assert.Equal(input.Volume.Affine, labels.Volume.Affine);
            Assert.Equal(result.Labels.Data, ((SegWeb.Imaging.Volumes.Volume<byte>)labels.Volume).Data);
            Assert.Equal(result.ClassNames.OrderBy(c => c.Key), MultilabelNifti.ReadLabelNames(labels.Header).OrderBy(c => c.Key));

            // One mask per class of the model, each matching its label in the multilabel map.
            using var zip = ZipFile.OpenRead(Path.Combine(results, PipelineSegmentationRunner.MasksZip));
            Assert.Equal(result.ClassNames.Values.Select(n => n + ".nii.gz").Order(), zip.Entries.Select(e => e.FullName).Order());
            var (id, name) = result.ClassNames.First(c => result.Labels.Data.Contains((byte)c.Key));
            using var unzipped = new TempDirectory("runner-mask");
            string maskPath = Path.Combine(unzipped.Path, "mask.nii.gz");
            zip.GetEntry(name + ".nii.gz")!.ExtractToFile(maskPath);
            var mask = ((SegWeb.Imaging.Volumes.Volume<byte>)NiftiReader.Read(maskPath).Volume).Data;
            Assert.Equal(result.Labels.Data.Select(v => v == id ? (byte)1 : (byte)0), mask);

            var csv = File.ReadAllLines(Path.Combine(results, PipelineSegmentationRunner.StatisticsCsvFile));
            Assert.Equal(result.ClassNames.Count + 1, csv.Length);
            Assert.Equal("structure,volume_ml,intensity,intensity_median", csv[0]);

            // The median column, checked against medians computed here from the voxels (sorted, middle or mean of the two).
            // Structures touching the border of this 30-slice crop are reported as 0 in both columns (TotalSegmentator's rule).
            int measured = 0;
            foreach (var line in csv.Skip(1))
            {
                var row = line.Split(',');
                if (row[2] == "0.0")
                {
                    Assert.Equal("0.0", row[3]);
                    continue;
                }

                int label = result.ClassNames.Single(c => c.Value == row[0]).Key;
                var values = Enumerable.Range(0, result.Labels.Data.Length).Where(i => result.Labels.Data[i] == label)
                    .Select(i => result.Image.GetValue(i)).Order().ToArray();
                double median = values.Length % 2 == 1 ? values[values.Length / 2] : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
                Assert.Equal(Math.Round(median, 5), double.Parse(row[3], System.Globalization.CultureInfo.InvariantCulture), 5);
                measured++;
            }

            Assert.InRange(measured, 0, result.ClassNames.Count); // this crop: every structure touches the border (see the CSV unit test)

            // The results routes: the list, a whole download, a range, and nothing outside the recorded outputs.
            var listed = await client.GetFromJsonAsync<ResultFileDto[]>($"/api/v1/jobs/{jobId}/results");
            Assert.NotNull(listed);
            Assert.Equal(job.Outputs.Order(), listed.Select(f => f.Name).Order());
            Assert.All(listed, f => Assert.Equal(new FileInfo(Path.Combine(results, f.Name)).Length, f.Bytes));
            var statsUrl = listed.Single(f => f.Name == PipelineSegmentationRunner.StatisticsJson).Url;
            Assert.Equal(File.ReadAllBytes(Path.Combine(results, PipelineSegmentationRunner.StatisticsJson)), await client.GetByteArrayAsync(statsUrl));
            using (var range = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/{jobId}/results/{PipelineSegmentationRunner.MultilabelFile}"))
            {
                range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(10, 19);
                using var partial = await client.SendAsync(range);
                Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
                Assert.Equal(File.ReadAllBytes(Path.Combine(results, PipelineSegmentationRunner.MultilabelFile))[10..20], await partial.Content.ReadAsByteArrayAsync());
            }

            foreach (var bad in new[] { "nothere.json", "..%2Fresults", "multilabel.nii" })
            {
                using var missing = await client.GetAsync($"/api/v1/jobs/{jobId}/results/{bad}");
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            }

            var (other, _, _) = await server.NewUserAsync();
            using (other)
            {
                using var notYours = await other.GetAsync(statsUrl);
                Assert.Equal(HttpStatusCode.NotFound, notYours.StatusCode);
            }
        }
    }

    [SkippableFact]
    public async Task A_job_on_a_DICOM_zip_segments_the_series_as_the_library_does_on_its_folder()
    {
        var dicomFolder = TestData.Require("totalsegmentator/example_ct_dicom");
        var server = fixture.Server;
        var (client, _, _) = await server.NewUserAsync();
        using (client)
        {
            using var tmp = new TempDirectory("runner-dicom");
            string zipPath = Path.Combine(tmp.Path, "series.zip");
            ZipFile.CreateFromDirectory(dicomFolder, zipPath);
            Guid inputId = await UploadAsync(client, zipPath, "series.zip");
            Guid jobId = await JobExecutionServer.CreateJobAsync(client, inputId, "total");
            var job = await PollAsync(client, jobId, []);
            Assert.True(job.State == "succeeded", $"{job.State}: {job.Error}");

            using var pipeline = new SegmentationPipeline(new PipelineOptions { Mirroring = false });
            var result = pipeline.Segment(dicomFolder, ModelPackage.Load(fixture.PackageDirectory));
            var results = server.Services.GetRequiredService<JobFolders>().ResultsFolder(jobId);
            var labels = NiftiReader.Read(Path.Combine(results, PipelineSegmentationRunner.MultilabelFile)).Volume;
            Assert.Equal(result.Labels.Shape, labels.Shape);
            for (int r = 0; r < 4; r++)
            {
                for (int c = 0; c < 4; c++)
                {
                    // NIfTI stores the affine in float32 (sform): equal to that precision.
                    Assert.Equal(result.Labels.Affine[r, c], labels.Affine[r, c], 1e-3);
                }
            }

            Assert.Equal(result.Labels.Data, ((SegWeb.Imaging.Volumes.Volume<byte>)labels).Data);
            Assert.Equal(
                SegWeb.Imaging.Statistics.StatisticsReport.Compute(result.Image, result.Labels, result.ClassNames).ToJson(),
                File.ReadAllText(Path.Combine(results, PipelineSegmentationRunner.StatisticsJson)));
        }
    }

    [SkippableFact]
    public async Task A_corrupt_stored_input_fails_the_job_with_the_readers_message_and_publishes_nothing()
    {
        var ctPath = TestData.Require(Ct);
        var server = fixture.Server;
        var (client, _, _) = await server.NewUserAsync();
        using (client)
        {
            Guid inputId = await UploadAsync(client, ctPath);

            // Validation at upload reads the whole file, so corruption can only come later: the disk, an operator.
            var stored = Directory.GetFiles(Path.Combine(server.DataFolder, "inputs", inputId.ToString("N"))).Single();
            var bytes = File.ReadAllBytes(stored);
            File.WriteAllBytes(stored, bytes[..(bytes.Length / 2)]);

            Guid jobId = await JobExecutionServer.CreateJobAsync(client, inputId, "total");
            var job = await PollAsync(client, jobId, []);

            Assert.Equal("failed", job.State);
            Assert.NotNull(job.Error);
            Assert.Contains(stored, job.Error, StringComparison.Ordinal);
            Assert.Equal(1, job.Attempts);
            Assert.Empty(job.Outputs);
            Assert.False(Directory.Exists(server.Services.GetRequiredService<JobFolders>().ResultsFolder(jobId)));
            using var noResults = await client.GetAsync($"/api/v1/jobs/{jobId}/results");
            Assert.Equal(HttpStatusCode.Conflict, noResults.StatusCode);
        }
    }

    [SkippableFact]
    public async Task Options_the_server_cannot_honour_fail_the_job_instead_of_being_ignored()
    {
        var ctPath = TestData.Require(Ct);
        var server = fixture.Server;
        var (client, _, _) = await server.NewUserAsync();
        using (client)
        {
            Guid inputId = await UploadAsync(client, ctPath);
            foreach (var (body, problem) in new (object Body, string Problem)[]
            {
                (new { inputId, task = "total", fast = true }, "fast is not available"),
                (new { inputId, task = "total", roiSubset = new[] { "liver" } }, "roiSubset is not implemented"),
            })
            {
                using var created = await client.PostAsJsonAsync("/api/v1/jobs", body);
                Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
                var job = await PollAsync(client, (await created.Content.ReadFromJsonAsync<JobRunDto>())!.Id, []);
                Assert.Equal("failed", job.State);
                Assert.Contains(problem, job.Error, StringComparison.Ordinal);
            }
        }
    }

    private static async Task<Guid> UploadAsync(HttpClient client, string path, string name = "example_ct_sm.nii.gz")
    {
        using var put = await client.PutAsync($"/api/v1/inputs/{name}", new ByteArrayContent(await File.ReadAllBytesAsync(path)));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return (await put.Content.ReadFromJsonAsync<InputDto>())!.Id;
    }

    /// <summary>Polls until the job ends (60 s at most), recording every progress value seen.</summary>
    private static async Task<JobRunDto> PollAsync(HttpClient client, Guid jobId, List<double> seen)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var job = await JobExecutionServer.GetAsync(client, jobId);
            seen.Add(job.Progress);
            if (job.State is "succeeded" or "failed" or "canceled")
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} still {job.State}/{job.Stage} at {job.Progress}");
            await Task.Delay(50);
        }
    }
}
