using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SegWeb.Inference.Pipeline;
using SegWeb.Models.Packages;
using SegWeb.Server.Segmentation;
using SegWeb.Server.Tests.JobExecution;

namespace SegWeb.Server.Tests.Segmentation;

/// <summary>The preview.png hook: a registered <see cref="IJobPreviewRenderer"/> is called by the real runner and its file published.</summary>
public sealed class PreviewHookTests
{
    /// <summary>TEST DOUBLE renderer: records what it was given and writes a marker file (the real renderer comes from the CLI slice).</summary>
    private sealed class RecordingRenderer : IJobPreviewRenderer
    {
        public static readonly byte[] Marker = [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 42];

        public List<(SegmentationResult Result, string Path)> Calls { get; } = [];

        public void Render(SegmentationResult result, string pngPath, CancellationToken cancellationToken)
        {
            Calls.Add((result, pngPath));
            File.WriteAllBytes(pngPath, Marker);
        }
    }

    [SkippableFact]
    public async Task A_registered_renderer_makes_preview_png_a_default_output()
    {
        var ctPath = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        using var model = new TempDirectory("preview-model");
        string package = NnUNetImporter.Import(Path.Combine(RepoPaths.Root, "models", "segweb-demo-nnunet"), model.File("segweb-demo")).Directory;
        var renderer = new RecordingRenderer();
        using var server = new SegWebServer(null, new Dictionary<string, string?>(JobExecutionServer.FastSettings)
        {
            ["SegWeb:Jobs:TimeoutSeconds"] = "120",
            ["SegWeb:Segmentation:ModelPath"] = package,
        }, s => s.AddSingleton<IJobPreviewRenderer>(renderer));
        var (client, _, _) = await server.NewUserAsync();
        using (client)
        {
            using var put = await client.PutAsync("/api/v1/inputs/ct.nii.gz", new ByteArrayContent(await File.ReadAllBytesAsync(ctPath)));
            Guid inputId = (await put.Content.ReadFromJsonAsync<InputDto>())!.Id;
            Guid jobId = await JobExecutionServer.CreateJobAsync(client, inputId, "total");
            var job = await JobExecutionServer.WaitAsync(client, jobId, j => j.State is "succeeded" or "failed");
            Assert.True(job.State == "succeeded", job.Error);
            Assert.Contains(JobOutputSelection.Preview, job.Outputs);
            Assert.Equal(RecordingRenderer.Marker, await client.GetByteArrayAsync($"/api/v1/jobs/{jobId}/results/preview.png"));

            var (result, path) = Assert.Single(renderer.Calls);
            Assert.Equal(JobOutputSelection.Preview, Path.GetFileName(path));
            Assert.Equal(result.Image.Shape, result.Labels.Shape);

            // With a renderer, asking for it explicitly is accepted too.
            using var explicitly = await client.PostAsJsonAsync("/api/v1/jobs", new { inputId, outputs = new[] { "preview.png" } });
            Assert.Equal(HttpStatusCode.Accepted, explicitly.StatusCode);
            Guid second = (await explicitly.Content.ReadFromJsonAsync<JobRunDto>())!.Id;
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/jobs/{second}")).StatusCode);
        }
    }
}
