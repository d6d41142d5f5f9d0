using System.Diagnostics;
using System.Reflection.PortableExecutable;
using SegWeb.Imaging.Nifti;
using Xunit.Abstractions;

namespace SegWeb.Cli.Tests;

/// <summary>
/// The `segweb` users run: deploy/setup.sh publishes it ReadyToRun-precompiled to artifacts/segweb (the README's
/// command line), while every other test runs the build output in-process. This runs the published one.
/// </summary>
public sealed class PublishedCommandTests(SegmentDemoModelFixture model, ITestOutputHelper output) : IClassFixture<SegmentDemoModelFixture>
{
    private static readonly string Published = Path.Combine(RepoPaths.Root, "artifacts", "segweb");

    [SkippableFact]
    public void The_published_command_is_precompiled_and_segments_exactly_like_the_build_output()
    {
        var ctPath = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        string dll = Path.Combine(Published, "segweb.dll");
        if (!File.Exists(dll))
        {
            Skip.If(Environment.GetEnvironmentVariable("SEGWEB_REQUIRE_REFERENCES") != "1", $"{dll} is missing: deploy/setup.sh publishes it");
            Assert.Fail($"{dll} is missing although deploy/setup.sh ran (SEGWEB_REQUIRE_REFERENCES=1)");
        }

        // ReadyToRun images carry a managed native header; IL-only assemblies (the build output) do not.
        foreach (var name in new[] { "segweb.dll", "SegWeb.Inference.dll", "SegWeb.Models.dll", "SegWeb.Imaging.dll" })
        {
            using var stream = File.OpenRead(Path.Combine(Published, name));
            using var pe = new PEReader(stream);
            Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"{name} in {Published} is not ReadyToRun");
        }

        using var tmp = new TempDirectory("published-cli");
        string published = tmp.File("published.nii.gz"), built = tmp.File("built.nii.gz");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "segment", "-i", ctPath, "-o", published, "--ml", "--model", model.PackageDirectory, "--quiet" })
        {
            start.ArgumentList.Add(arg);
        }

        using (var process = Process.Start(start)!)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "the published segweb did not finish in 3 minutes");
            Assert.True(process.ExitCode == 0, $"published segweb exited {process.ExitCode}: {stderr.Result}");
        }

        var (code, _, error) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", built, "--ml", "--model", model.PackageDirectory, "--quiet");
        Assert.True(code == 0, error);
        var publishedLabels = MultilabelNifti.Read(published).Image.Volume;
        var builtLabels = MultilabelNifti.Read(built).Image.Volume;
        Assert.Equal(builtLabels.Shape, publishedLabels.Shape);
        Assert.Equal(builtLabels.Affine.ToArray(), publishedLabels.Affine.ToArray());
        long labelled = 0;
        for (long i = 0; i < builtLabels.Shape.VoxelCount; i++)
        {
            Assert.Equal(builtLabels.GetValue(i), publishedLabels.GetValue(i));
            labelled += publishedLabels.GetValue(i) != 0 ? 1 : 0;
        }

        Assert.True(labelled > 0, "the demo model labelled nothing");
        output.WriteLine($"{Published}: ReadyToRun; labels on {publishedLabels.Shape} equal to the build output's, {labelled} labelled voxels");
    }
}
