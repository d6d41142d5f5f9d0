using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SegWeb.Dicom.Segmentation;
using SegWeb.Imaging.Nifti;
using SegWeb.Inference.Pipeline;
using SegWeb.Server.Jobs;
using SegWeb.Server.Segmentation;
using SegWeb.Server.Tests.JobExecution;
using Xunit.Abstractions;

namespace SegWeb.Server.Tests.Segmentation;

internal sealed record LabelDto(int Value, string Name, int[] Color);

/// <summary>
/// The request's outputs list, seg.dcm (checked by dciodvfy), report.json, the viewer's volume.nii.gz (checked against
/// dcm2niix through nibabel) and the label table, with the demo model over HTTP.
/// </summary>
public sealed class JobOutputsTests(DemoModelServerFixture fixture, ITestOutputHelper output) : IClassFixture<DemoModelServerFixture>
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";
    private const string DicomFolder = "totalsegmentator/example_ct_dicom";

    [SkippableFact]
    public async Task A_DICOM_job_by_default_writes_a_dciodvfy_clean_SEG_a_report_the_viewer_volume_and_the_label_table()
    {
        var dicom = TestData.Require(DicomFolder);
        ExternalTool.Require("dciodvfy");
        ExternalTool.Require("dcm2niix");
        ReferencePython.Require("nibabel", "numpy");
        var (client, _, _) = await fixture.Server.NewUserAsync();
        using (client)
        {
            using var tmp = new TempDirectory("outputs-dicom");
            string zip = Path.Combine(tmp.Path, "series.zip");
            ZipFile.CreateFromDirectory(dicom, zip);
            Guid inputId = await UploadAsync(client, zip, "series.zip");
            Guid jobId = await JobExecutionServer.CreateJobAsync(client, inputId, "total");
            var job = await JobExecutionServer.WaitFinalAsync(client, jobId);
            Assert.True(job.State == "succeeded", $"{job.State}: {job.Error}");
            Assert.Equal(
                new[] { "multilabel.nii.gz", "volume.nii.gz", "segmentations.zip", "statistics.json", "statistics.csv", "seg.dcm", "report.json", "preview.png" }.Order(),
                job.Outputs.Order());

            // seg.dcm, downloaded over HTTP, passes dciodvfy.
            string seg = Path.Combine(tmp.Path, "seg.dcm");
            await File.WriteAllBytesAsync(seg, await client.GetByteArrayAsync($"/api/v1/jobs/{jobId}/results/seg.dcm"));
            var (code, text) = ExternalTool.Run("dciodvfy", seg);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (var warning in lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal)))
            {
                output.WriteLine($"dciodvfy: {warning}");
            }

            Assert.True(!lines.Any(l => l.StartsWith("Error", StringComparison.Ordinal)), $"dciodvfy (exit {code}):\n{text}");
            Assert.Contains(lines, l => l.Contains("Segmentation", StringComparison.Ordinal));

            // volume.nii.gz is the converted series: the same voxels and geometry as dcm2niix's conversion, both read by nibabel.
            string volume = Path.Combine(tmp.Path, "volume.nii.gz");
            await File.WriteAllBytesAsync(volume, await client.GetByteArrayAsync($"/api/v1/jobs/{jobId}/results/volume.nii.gz"));
            string verdict = ReferencePython.Run(CompareWithDcm2niix, volume, dicom, Path.Combine(tmp.Path, "dcm2niix"));
            Assert.True(verdict.Trim() == "same", verdict);

            // The multilabel map lies on the volume's grid (the viewer overlays one on the other).
            var volumeHeader = NiftiReader.Read(volume).Volume;
            var labels = NiftiReader.Read(Path.Combine(fixture.Server.Services.GetRequiredService<JobFolders>().ResultsFolder(jobId), "multilabel.nii.gz")).Volume;
            Assert.Equal(volumeHeader.Shape, labels.Shape);
            for (int r = 0; r < 3; r++)
            {
                for (int c = 0; c < 4; c++)
                {
                    Assert.Equal(volumeHeader.Affine[r, c], labels.Affine[r, c], 1e-3);
                }
            }

            // report.json says what ran.
            using var report = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/jobs/{jobId}/results/report.json"));
            var root = report.RootElement;
            Assert.Equal(JobReport.ServerVersion, root.GetProperty("segWebVersion").GetString());
            Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("segWebVersion").GetString()));
            Assert.Equal(SegWeb.Models.Packages.ModelPackage.Load(fixture.PackageDirectory).Manifest.Name, root.GetProperty("model").GetProperty("name").GetString());
            Assert.Equal(7, root.GetProperty("model").GetProperty("classes").GetInt32());
            Assert.Equal(jobId, root.GetProperty("jobId").GetGuid());
            Assert.Equal(inputId, root.GetProperty("options").GetProperty("inputId").GetGuid());
            Assert.Equal("dicom-zip", root.GetProperty("input").GetProperty("description").GetProperty("format").GetString());
            Assert.Equal(new[] { volumeHeader.Shape.X, volumeHeader.Shape.Y, volumeHeader.Shape.Z }, root.GetProperty("input").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
            var stages = root.GetProperty("stageTimings").EnumerateArray().Select(t => t.GetProperty("stage").GetString()).ToList();
            Assert.Contains(PipelineStages.Predict, stages);
            Assert.Contains("write seg.dcm", stages);
            Assert.All(root.GetProperty("stageTimings").EnumerateArray(), t => Assert.True(t.GetProperty("seconds").GetDouble() >= 0));
            Assert.Equal(job.Warnings.Order(), root.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).Order());
            Assert.Equal(job.Outputs.Order(), root.GetProperty("outputs").EnumerateArray().Select(w => w.GetString()!).Order());

            // The label table: the model's classes in value order, each with its TotalSegmentator colour.
            var table = await client.GetFromJsonAsync<LabelDto[]>($"/api/v1/jobs/{jobId}/labels");
            Assert.NotNull(table);
            Assert.Equal(["spleen", "kidney_right", "kidney_left", "liver", "stomach", "autochthon_left", "autochthon_right"], table.Select(l => l.Name));
            Assert.Equal([1, 2, 3, 4, 5, 6, 7], table.Select(l => l.Value));
            foreach (var label in table)
            {
                Assert.Equal(3, label.Color.Length);
                var known = SnomedMapping.Embedded.Describe(label.Value, label.Name).Rgb;
                Assert.NotNull(known);
                Assert.Equal(new[] { (int)known.Value.R, known.Value.G, known.Value.B }, label.Color);
            }

            // Colours differ between classes (a legend must tell them apart).
            Assert.Equal(table.Length, table.Select(l => string.Join(',', l.Color)).Distinct().Count());

            // Range requests on the viewer's files.
            using var range = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/{jobId}/results/volume.nii.gz");
            range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 1);
            using var partial = await client.SendAsync(range);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(new byte[] { 0x1f, 0x8b }, await partial.Content.ReadAsByteArrayAsync());

            // Another user sees none of it.
            var (other, _, _) = await fixture.Server.NewUserAsync();
            using (other)
            {
                foreach (var url in new[] { $"/api/v1/jobs/{jobId}/labels", $"/api/v1/jobs/{jobId}/results/seg.dcm", $"/api/v1/jobs/{jobId}/results/volume.nii.gz", $"/api/v1/jobs/{jobId}/results/report.json" })
                {
                    using var response = await other.GetAsync(url);
                    Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{url}: {response.StatusCode}");
                }
            }
        }
    }

    [SkippableFact]
    public async Task A_NIfTI_job_writes_only_the_selected_outputs_plus_the_viewer_files_and_volume_is_the_uploaded_file()
    {
        var ctPath = TestData.Require(Ct);
        var (client, _, _) = await fixture.Server.NewUserAsync();
        using (client)
        {
            Guid inputId = await UploadAsync(client, ctPath, "ct.nii.gz");
            using var created = await client.PostAsJsonAsync("/api/v1/jobs", new { inputId, task = "segweb-demo", outputs = new[] { "statistics.json" } });
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            Guid jobId = (await created.Content.ReadFromJsonAsync<JobRunDto>())!.Id;
            var job = await JobExecutionServer.WaitFinalAsync(client, jobId);
            Assert.True(job.State == "succeeded", $"{job.State}: {job.Error}");
            Assert.Equal(new[] { "multilabel.nii.gz", "statistics.json", "volume.nii.gz" }, job.Outputs.Order());
            Assert.Equal(await File.ReadAllBytesAsync(ctPath), await client.GetByteArrayAsync($"/api/v1/jobs/{jobId}/results/volume.nii.gz"));
            using var noReport = await client.GetAsync($"/api/v1/jobs/{jobId}/results/report.json");
            Assert.Equal(HttpStatusCode.NotFound, noReport.StatusCode);
        }
    }

    [SkippableTheory]
    [InlineData("seg.dcm", "needs DICOM input")]
    [InlineData("mesh.stl", "unknown output 'mesh.stl'")]
    public async Task Outputs_that_cannot_be_made_are_refused_at_creation(string requested, string problem)
    {
        var ctPath = TestData.Require(Ct);
        var (client, _, _) = await fixture.Server.NewUserAsync();
        using (client)
        {
            Guid inputId = await UploadAsync(client, ctPath, "ct.nii.gz");
            using var created = await client.PostAsJsonAsync("/api/v1/jobs", new { inputId, outputs = new[] { requested } });
            Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
            var body = await created.Content.ReadFromJsonAsync<ProblemDto>();
            Assert.Contains(problem, body!.Detail, StringComparison.Ordinal);
            Assert.Empty((await client.GetFromJsonAsync<JobRunDto[]>("/api/v1/jobs"))!);
        }
    }

    private static async Task<Guid> UploadAsync(HttpClient client, string path, string name)
    {
        using var put = await client.PutAsync($"/api/v1/inputs/{name}", new ByteArrayContent(await File.ReadAllBytesAsync(path)));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return (await put.Content.ReadFromJsonAsync<InputDto>())!.Id;
    }

    // dcm2niix converts the series on its own; both files go to RAS+ canonical axes (dcm2niix may store another axis
    // order) and must hold the same intensities on the same grid.
    private const string CompareWithDcm2niix = """
        import sys, os, glob, subprocess
        import numpy as np, nibabel as nib
        ours, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
        os.makedirs(out, exist_ok=True)
        subprocess.run(['dcm2niix', '-z', 'n', '-f', 'ref', '-o', out, src], check=True, capture_output=True)
        ref = nib.as_closest_canonical(nib.load(glob.glob(os.path.join(out, 'ref*.nii'))[0]))
        mine = nib.as_closest_canonical(nib.load(ours))
        problems = []
        if ref.shape != mine.shape: problems.append(f'shape {mine.shape} vs dcm2niix {ref.shape}')
        elif not np.allclose(ref.get_fdata(), mine.get_fdata(), atol=1e-3): problems.append('voxel values differ')
        if not np.allclose(ref.affine, mine.affine, atol=1e-2): problems.append(f'affine\n{mine.affine}\nvs dcm2niix\n{ref.affine}')
        print('same' if not problems else '; '.join(problems))
        """;
}
