using System.Globalization;
using SegWeb.Models.Packages;
using Xunit.Abstractions;

namespace SegWeb.Models.Tests.Parity;

/// <summary>
/// The acceptance test of the importer: a checkpoint written by PyTorch (an independent re-implementation of
/// dynamic_network_architectures with nnU-Net's state-dict names, duplicates included) is imported without
/// Python, run on ONNX Runtime, and must reproduce PyTorch's logits: ‖ONNX−torch‖/‖torch‖ &lt; 1e-4.
/// </summary>
public sealed class UNetParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string> Cases() => new(ParityCases.Specs.Keys);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Imported_onnx_reproduces_pytorch_logits(string name)
    {
        var folder = ParityCases.Folder(name);
        var spec = ParityCases.Specs[name];
        int folds = spec["folds"]?.GetValue<int>() ?? 1;
        int classes = spec["classes"]!.GetValue<int>();
        using var temp = new TempDirectory("parity");

        var package = NnUNetImporter.Import(folder, Path.Combine(temp.Path, name));

        var part = Assert.Single(package.Manifest.Parts);
        Assert.Equal(folds, package.Manifest.Folds);
        Assert.Equal(spec["channels"]!.GetValue<int>(), part.InputChannels);
        Assert.Equal(classes, part.OutputChannels);
        Assert.EndsWith(spec["class"]!.GetValue<string>(), part.Network.ClassName, StringComparison.Ordinal);
        var (input, inputShape) = OnnxRunner.ReadFloat32(Path.Combine(folder, "input.npy"));
        var files = package.FoldFiles(part);
        var outputs = new List<float[]>();
        for (int fold = 0; fold < folds; fold++)
        {
            var actual = OnnxRunner.Run(files[fold], input, inputShape, out var outputShape);
            var (expected, expectedShape) = OnnxRunner.ReadFloat32(Path.Combine(folder, $"logits_fold{fold}.npy"));
            Assert.Equal(expectedShape, outputShape);
            Assert.Equal(classes, outputShape[1]);
            double error = OnnxRunner.RelativeError(actual, expected);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} fold {fold}: ‖ONNX−torch‖/‖torch‖ = {error:E2} over {expected.Length} logits, shape [{string.Join(", ", outputShape)}]"));
            Assert.True(error < Tolerance, $"{name} fold {fold}: relative error {error:E3} ≥ {Tolerance}");
            outputs.Add(actual);
        }

        if (folds > 1)
        {
            // Control: each fold has its own random weights, so comparing against the other fold's logits must
            // fail by orders of magnitude. This is what a wrong weight mapping would look like.
            var (other, _) = OnnxRunner.ReadFloat32(Path.Combine(folder, "logits_fold1.npy"));
            double crossed = OnnxRunner.RelativeError(outputs[0], other);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} control (fold 0 ONNX vs fold 1 torch): {crossed:E2}"));
            Assert.True(crossed > 0.1, $"control error {crossed} should be of order 1");
        }
    }
}
