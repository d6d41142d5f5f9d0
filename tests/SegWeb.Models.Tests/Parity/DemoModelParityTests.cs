using System.Globalization;
using SegWeb.Models.Packages;
using Xunit.Abstractions;

namespace SegWeb.Models.Tests.Parity;

/// <summary>
/// The demo model shipped in the repository (models/segweb-demo-nnunet, an nnU-Net v2 results folder trained by
/// SegWeb's demo script) imports, and its ONNX reproduces the checkpoint's PyTorch forward pass.
/// </summary>
public sealed class DemoModelParityTests(ITestOutputHelper output)
{
    private const string Driver = """
        import runpy, sys
        script = sys.argv[1]
        sys.argv = sys.argv[1:]
        runpy.run_path(script, run_name="__main__")
        """;

    [SkippableFact]
    public void Demo_model_imports_and_matches_pytorch()
    {
        var demo = Path.Combine(RepoPaths.Root, "models", "segweb-demo-nnunet");
        Skip.IfNot(Directory.Exists(demo), $"{demo} is not in this checkout (the demo model is added by the demo branch)");
        NnUNetReference.RequireTorch();
        using var temp = new TempDirectory("demo");

        var package = NnUNetImporter.Import(demo, temp.File("pkg"));

        var part = package.Manifest.Parts[0];
        var configurationFolder = Directory.EnumerateFiles(demo, "plans.json", SearchOption.AllDirectories).Select(Path.GetDirectoryName).Single()!;
        var script = Path.Combine(AppContext.BaseDirectory, "Python", "run_checkpoint.py");
        ReferencePython.Run(Driver, script, configurationFolder, temp.File("torch"));
        var (input, shape) = OnnxRunner.ReadFloat32(temp.File("torch/input.npy"));
        var (expected, expectedShape) = OnnxRunner.ReadFloat32(temp.File("torch/logits_fold0.npy"));
        var actual = OnnxRunner.Run(package.FoldFiles(part)[0], input, shape, out var outputShape);
        double error = OnnxRunner.RelativeError(actual, expected);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"demo model {package.Manifest.Name}: ‖ONNX−torch‖/‖torch‖ = {error:E2}, logits [{string.Join(", ", outputShape)}]"));
        Assert.Equal(expectedShape, outputShape);
        Assert.True(error < 1e-4, $"relative error {error}");
    }
}
