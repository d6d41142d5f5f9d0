using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SegWeb.Models.Packages;
using Xunit.Abstractions;

namespace SegWeb.Models.Tests;

/// <summary>
/// The committed DEMO model (models/segweb-demo-nnunet, trained by models/demo-training/train_demo.py on one
/// public scan) goes through the same importer as real nnU-Net weights, and the ONNX SegWeb builds from it
/// computes what PyTorch computes.
/// </summary>
public sealed class DemoModelImportTests(ITestOutputHelper output)
{
    private static string ResultsRoot => Path.Combine(RepoPaths.Root, "models", "segweb-demo-nnunet");

    private static string ConfigurationFolder =>
        Path.Combine(ResultsRoot, "Dataset900_SegWebDemo", "nnUNetTrainer__nnUNetPlans__3d_fullres");

    [Fact]
    public void Import_DemoResultsFolder_ManifestCarriesDatasetLabelsAndPlans()
    {
        using var temp = new TempDirectory("demo-import");
        var package = NnUNetImporter.Import(ResultsRoot, temp.File("segweb-demo"));
        var manifest = package.Manifest;

        // Expected values come from the committed dataset.json / plans.json, read here with plain JSON.
        using var dataset = JsonDocument.Parse(File.ReadAllText(Path.Combine(ConfigurationFolder, "dataset.json")));
        using var plans = JsonDocument.Parse(File.ReadAllText(Path.Combine(ConfigurationFolder, "plans.json")));
        var labels = dataset.RootElement.GetProperty("labels").EnumerateObject()
            .Where(p => p.Value.GetInt32() != 0)
            .ToDictionary(p => p.Value.GetInt32(), p => p.Name);
        Assert.Equal(7, labels.Count);
        Assert.Contains("liver", labels.Values);
        Assert.Equal(labels.OrderBy(l => l.Key).Select(l => (l.Key, l.Value)), manifest.Classes.Select(c => (c.Key, c.Value.Name)));

        var configuration = plans.RootElement.GetProperty("configurations").GetProperty("3d_fullres");
        Assert.Equal(configuration.GetProperty("patch_size").EnumerateArray().Select(v => v.GetInt32()), manifest.PatchSize);
        Assert.Equal([3.0, 3.0, 3.0], manifest.TargetSpacing);
        Assert.Equal([0, 1, 2], manifest.TransposeForward);

        var intensity = plans.RootElement.GetProperty("foreground_intensity_properties_per_channel").GetProperty("0");
        var normalization = Assert.Single(manifest.Normalization);
        Assert.Equal("CTNormalization", normalization.Scheme);
        Assert.Equal(intensity.GetProperty("percentile_00_5").GetDouble(), normalization.ClipLow);
        Assert.Equal(intensity.GetProperty("percentile_99_5").GetDouble(), normalization.ClipHigh);
        Assert.Equal(intensity.GetProperty("mean").GetDouble(), normalization.Mean);
        Assert.Equal(intensity.GetProperty("std").GetDouble(), normalization.Std);
        Assert.True(normalization.ClipLow < normalization.ClipHigh);

        // Trained without flips (left/right pairs are told apart by position), so no test-time mirroring.
        Assert.Empty(manifest.MirroringAxes);
        Assert.Equal("CT", manifest.Modality);
        Assert.Equal(1, manifest.Folds);
        var part = Assert.Single(manifest.Parts);
        Assert.Equal(1, part.InputChannels);
        Assert.Equal(labels.Count + 1, part.OutputChannels);
        Assert.Equal("nnUNetTrainer", part.Network.Trainer);
        Assert.EndsWith("PlainConvUNet", part.Network.ClassName, StringComparison.Ordinal);
        Assert.Empty(package.Verify());
    }

    [SkippableFact]
    public void ImportedOnnx_CentralTileOfExampleScan_MatchesPyTorchLogits()
    {
        ReferencePython.Require("torch", "nibabel");
        var ct = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        using var temp = new TempDirectory("demo-onnx");
        var package = NnUNetImporter.Import(ResultsRoot, temp.File("segweb-demo"));

        // check_demo.py reloads the checkpoint in PyTorch, re-checks the recorded training Dice and the committed
        // reference prediction (printing OK), and dumps one normalised tile with PyTorch's logits for it.
        var script = Path.Combine(RepoPaths.Root, "models", "demo-training", "check_demo.py");
        var tileDir = temp.File("tile");
        var checkOutput = ReferencePython.Run(
            "import runpy, sys\nsys.argv = sys.argv[1:]\nrunpy.run_path(sys.argv[0], run_name='__main__')\n",
            script, "--data", Path.GetDirectoryName(ct)!, "--model", ResultsRoot, "--dump-tile", tileDir);
        output.WriteLine(checkOutput);
        Assert.EndsWith("OK", checkOutput.TrimEnd(), StringComparison.Ordinal);

        var input = Npy.Read(Path.Combine(tileDir, "tile_input.npy"));
        var expected = Npy.Read(Path.Combine(tileDir, "tile_logits.npy"));
        Assert.Equal("<f4", input.Descr);
        Assert.False(input.FortranOrder);
        var inputValues = MemoryMarshal.Cast<byte, float>(input.Data).ToArray();
        var expectedValues = MemoryMarshal.Cast<byte, float>(expected.Data).ToArray();

        var part = Assert.Single(package.Manifest.Parts);
        using var session = new InferenceSession(Assert.Single(package.FoldFiles(part)));
        var tensor = new DenseTensor<float>(inputValues, input.Shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(part.Network.InputName, tensor)]);
        var logits = results.Single(r => r.Name == part.Network.OutputName).AsTensor<float>();
        Assert.Equal(expected.Shape, logits.Dimensions.ToArray());
        var actual = logits.ToArray();

        float scale = expectedValues.Max(MathF.Abs);
        float maxDifference = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            maxDifference = MathF.Max(maxDifference, MathF.Abs(actual[i] - expectedValues[i]));
        }

        Assert.True(maxDifference <= 1e-3f * MathF.Max(1f, scale), $"max |ONNX - PyTorch| = {maxDifference} (logit scale {scale})");

        // Same labels voxel by voxel (argmax over channels), and more than one label present in the tile.
        int channels = expected.Shape[1];
        int voxels = expectedValues.Length / channels;
        int agree = 0;
        var labelsSeen = new HashSet<int>();
        for (int v = 0; v < voxels; v++)
        {
            int a = ArgMax(actual, v, voxels, channels);
            int e = ArgMax(expectedValues, v, voxels, channels);
            agree += a == e ? 1 : 0;
            labelsSeen.Add(e);
        }

        output.WriteLine($"ONNX vs PyTorch on the central tile: max |difference| {maxDifference:G3} (logit scale {scale:G3}), argmax agrees on {agree}/{voxels} voxels, labels {string.Join(' ', labelsSeen.Order())}");
        Assert.True(agree >= voxels - (voxels / 10000), $"argmax agrees on {agree} of {voxels} voxels");
        Assert.True(labelsSeen.Count >= 3, $"the tile predicts only labels {string.Join(", ", labelsSeen)}");
    }

    private static int ArgMax(float[] values, int voxel, int voxels, int channels)
    {
        int best = 0;
        for (int c = 1; c < channels; c++)
        {
            if (values[(c * voxels) + voxel] > values[(best * voxels) + voxel])
            {
                best = c;
            }
        }

        return best;
    }
}
