using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using SegWeb.Models.Packages;
using Xunit.Abstractions;

namespace SegWeb.Models.Tests.Parity;

/// <summary>
/// Opt-in benchmark (SEGWEB_BENCH=1): imports a checkpoint the size of a TotalSegmentator 1.5 mm part model
/// (PlainConvUNet, 6 stages 32…320, 25 classes, ~31 M parameters, old-format plans) written by PyTorch, prints
/// the import time and checks parity on one small input. Prints figures; asserts only correctness.
/// </summary>
public sealed class ImportBenchmark(ITestOutputHelper output)
{
    [SkippableFact]
    public void Import_of_a_full_size_part_model()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("SEGWEB_BENCH") == "1", "benchmark: set SEGWEB_BENCH=1 to run (writes a 125 MB checkpoint)");
        NnUNetReference.RequireTorch();
        using var temp = new TempDirectory("bench-import");
        int[] features = [32, 64, 128, 256, 320, 320];
        var spec = new JsonObject
        {
            ["class"] = "PlainConvUNet", ["channels"] = 1, ["classes"] = 25, ["old_format"] = true,
            ["features"] = new JsonArray([.. features.Select(f => (JsonNode)f)]),
            ["kernels"] = new JsonArray([.. features.Select(_ => (JsonNode)new JsonArray(3, 3, 3))]),
            ["strides"] = new JsonArray([.. features.Select((_, i) => (JsonNode)(i == 0 ? new JsonArray(1, 1, 1) : new JsonArray(2, 2, 2)))]),
            ["n_enc"] = new JsonArray(2, 2, 2, 2, 2, 2), ["n_dec"] = new JsonArray(2, 2, 2, 2, 2),
            ["input"] = new JsonArray(64, 64, 64), ["patch_size"] = new JsonArray(128, 128, 128),
        };
        var results = temp.File("results");
        var python = Stopwatch.StartNew();
        NnUNetReference.Make([(spec, results)]);
        python.Stop();
        var checkpoint = Path.Combine(results, NnUNetReference.ConfigurationFolder, "fold_0", "checkpoint_final.pth");

        var import = Stopwatch.StartNew();
        var package = NnUNetImporter.Import(results, temp.File("pkg"));
        import.Stop();

        var onnx = package.FoldFiles(package.Manifest.Parts[0])[0];
        var (input, shape) = OnnxRunner.ReadFloat32(Path.Combine(results, "input.npy"));
        var run = Stopwatch.StartNew();
        var logits = OnnxRunner.Run(onnx, input, shape, out _);
        run.Stop();
        var (expected, _) = OnnxRunner.ReadFloat32(Path.Combine(results, "logits_fold0.npy"));
        double error = OnnxRunner.RelativeError(logits, expected);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"checkpoint {new FileInfo(checkpoint).Length / 1e6:0} MB (PyTorch wrote it in {python.Elapsed.TotalSeconds:0.0} s) → ONNX {new FileInfo(onnx).Length / 1e6:0} MB: import {import.Elapsed.TotalSeconds:0.00} s; ONNX Runtime 64³ forward {run.Elapsed.TotalSeconds:0.0} s; ‖ONNX−torch‖/‖torch‖ = {error:E2}"));
        Assert.True(error < 1e-4);
    }
}
