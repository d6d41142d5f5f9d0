using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SegWeb.Server.Jobs;
using SegWeb.Server.Segmentation;
using SegWeb.Server.Tests.JobExecution;

namespace SegWeb.Server.Tests.Segmentation;

/// <summary>The SegWeb:Segmentation settings: checked at start, and no model means no runner (503, honestly).</summary>
public sealed class SegmentationSettingsTests
{
    [Theory]
    [InlineData("ModelPath", "/nonexistent/segweb-model", "model package manifest not found")]
    [InlineData("Device", "quantum", "unknown execution provider")]
    [InlineData("StepSize", "1.5", "outside (0, 1]")]
    public async Task A_bad_segmentation_setting_stops_the_server_at_start_naming_the_key(string key, string value, string problem)
    {
        using var data = new TempDirectory("runner-options");
        using var model = new TempDirectory("runner-options-model");
        string modelPath = key == "ModelPath" ? value : ImportDemo(model);
        await using var app = ServerApplication.Build([
            "--urls", "http://127.0.0.1:0",
            $"--SegWeb:DataFolder={data.Path}",
            $"--SegWeb:Segmentation:ModelPath={modelPath}",
            $"--SegWeb:Segmentation:{key}={value}"]);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains($"SegWeb:Segmentation:{key}", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_model_no_runner_is_registered_and_job_creation_answers_503()
    {
        using var server = new SegWebServer();
        Assert.Null(server.Services.GetService<ISegmentationRunner>());
        var (client, _, _) = await server.NewUserAsync();
        using (client)
        {
            Guid inputId = await JobExecutionServer.UploadAsync(client);
            using var created = await client.PostAsJsonAsync("/api/v1/jobs", new { inputId, task = "total" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, created.StatusCode);
        }
    }

    [Fact]
    public void With_a_model_the_pipeline_runner_is_the_registered_runner()
    {
        using var model = new TempDirectory("runner-options-model");
        using var server = new SegWebServer(null, new Dictionary<string, string?> { ["SegWeb:Segmentation:ModelPath"] = ImportDemo(model) });
        Assert.NotNull(server.Address);
        Assert.IsType<PipelineSegmentationRunner>(server.Services.GetRequiredService<ISegmentationRunner>());
    }

    private static string ImportDemo(TempDirectory folder) =>
        SegWeb.Models.Packages.NnUNetImporter.Import(Path.Combine(RepoPaths.Root, "models", "segweb-demo-nnunet"), folder.File("demo")).Directory;
}
