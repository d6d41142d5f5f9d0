using System.Text.Json;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Layout;
using SegWeb.Inference.Normalization;
using SegWeb.Inference.Runtime;
using SegWeb.Inference.SlidingWindow;
using SegWeb.Models.Packages;
using Xunit.Abstractions;

namespace SegWeb.Inference.Tests.SlidingWindow;

/// <summary>
/// The acceptance test of the inference core: a random-weight nnU-Net (2 folds) written as nnU-Net checkpoints by the
/// project's PyTorch reference, imported by SegWeb and run on ONNX Runtime, against the test's NumPy sliding window
/// running the same networks in torch: CT normalisation, axis mapping, padding, tiles, Gaussian, mirroring and fold
/// averaging. Labels must be equal and logits within 1e-4 relative. The single-fold case with more classes than
/// features runs with the classifier split off (features aggregated, <see cref="ClassifierHead"/> applied after), so
/// the same reference checks that reordering too.
/// </summary>
public sealed class NnUNetParityTests(ITestOutputHelper output)
{
    private static readonly int[] Patch = [8, 16, 12];

    [SkippableTheory]
    [InlineData(30, 23, 19, new[] { 0, 1, 2 }, new[] { 0, 1, 2 }, 0.5, 2, 2, 4)]
    [InlineData(10, 20, 6, new[] { 2, 0, 1 }, new int[0], 0.7, 1, 2, 4)]
    [InlineData(17, 9, 26, new[] { 1, 2, 0 }, new[] { 1, 2 }, 0.8, 3, 2, 4)]
    [InlineData(21, 18, 15, new[] { 0, 2, 1 }, new[] { 0, 2 }, 0.5, 1, 1, 11)]
    [InlineData(19, 25, 13, new[] { 2, 1, 0 }, new int[0], 0.6, 2, 1, 11)]
    public void SegWeb_matches_the_numpy_torch_reference(int nx, int ny, int nz, int[] transpose, int[] mirror, double step, int batch, int folds, int modelClasses)
    {
        ReferencePython.Require("numpy", "scipy", "torch");
        var maker = Path.Combine(RepoPaths.Root, "tests", "SegWeb.Models.Tests", "Python", "make_nnunet_results.py");
        Skip.IfNot(File.Exists(maker), $"{maker} (the project's PyTorch U-Net reference) is missing");
        using var dir = new TempDirectory();

        // A smooth CT-like volume with values beyond both clip bounds, on an oblique, anisotropic, flipped affine.
        var shape = new VolumeShape(nx, ny, nz);
        var random = new Random(nx * 1000 + nz);
        var data = new short[shape.VoxelCount];
        for (int z = 0; z < nz; z++)
        {
            for (int y = 0; y < ny; y++)
            {
                for (int x = 0; x < nx; x++)
                {
                    double v = (900 * Math.Sin((x * 0.4) + (y * 0.25))) + (700 * Math.Cos(z * 0.5)) + random.Next(-300, 300);
                    data[shape.IndexOf(x, y, z)] = (short)Math.Clamp(v * 1.3, -1500, 2000);
                }
            }
        }

        var affine = new Affine([-0.8, 0.1, 0, 100, 0.05, -0.9, 0.2, 80, 0, 0.15, 2.5, -40, 0, 0, 0, 1]);
        var volume = new Volume<short>(shape, affine, data);
        Npy.WriteVolume(dir.File("volume.npy"), volume);

        var spec = new
        {
            maker,
            results = dir.File("results"),
            net = new { @class = "PlainConvUNet", features = new[] { 4, 8, 16 }, kernels = new[] { new[] { 3, 3, 3 }, new[] { 3, 3, 3 }, new[] { 3, 3, 3 } },
                strides = new[] { new[] { 1, 1, 1 }, new[] { 2, 2, 2 }, new[] { 2, 2, 2 } }, n_enc = new[] { 1, 1, 1 }, n_dec = new[] { 1, 1 },
                channels = 1, classes = modelClasses, patch_size = Patch, input = Patch, folds, seed = 3 },
            patch = Patch,
            norm = new { low = -980.0, high = 1200.0, mean = 90.5, std = 200.25 },
            cases = new[]
            {
                new { volume = dir.File("volume.npy"), transpose, mirror, step, normalized = dir.File("normalized.npy"), logits = dir.File("logits.npy"), labels = dir.File("labels.npy") },
            },
        };
        File.WriteAllText(dir.File("spec.json"), JsonSerializer.Serialize(spec));
        Assert.Equal("ok", ReferenceScript.Run("predict", dir.File("spec.json")).Split('\n')[^1]);

        var package = NnUNetImporter.Import(dir.File("results"), dir.File("package"));
        var manifest = package.Manifest;
        var part = manifest.Parts[0];
        Assert.Equal(Patch, manifest.PatchSize);
        Assert.Equal(-980.0, manifest.Normalization[0].ClipLow);

        using var cache = new ModelSessionCache();
        var layout = new NetworkLayout(transpose);
        var size = layout.NetworkSize(shape);
        var image = layout.ToNetwork([volume]);
        ChannelNormalizer.NormalizeChannels(image, manifest.Normalization);
        Assert.Equal(ReferenceScript.ReadFloats(dir.File("normalized.npy")), image);

        int classes = part.OutputChannels;
        // More classes than the 4 last-stage features and one fold: the classifier runs after aggregation.
        bool split = folds == 1 && classes > 4;
        Assert.Equal(split, PackagePrediction.Networks(cache, package, part).Any(n => n.Head is not null));
        int planeVoxels = size[1] * size[2];
        var logits = new float[classes * size[0] * planeVoxels];
        var defaults = PackagePrediction.OptionsFor(manifest);
        Assert.Equal(new[] { 0, 1, 2 }, defaults.MirrorAxes);
        Assert.Equal(0.5, defaults.StepSize);
        var predictor = PackagePrediction.Create(cache, package, part, defaults with
        {
            StepSize = step,
            MirrorAxes = mirror,
            BatchSize = batch,
            LogitsHandler = (plane, values) =>
            {
                for (int c = 0; c < classes; c++)
                {
                    values.Slice(c * planeVoxels, planeVoxels).CopyTo(logits.AsSpan(((c * size[0]) + plane) * planeVoxels, planeVoxels));
                }
            },
        });
        var result = predictor.Predict(image, size);

        var expectedLogits = ReferenceScript.ReadFloats(dir.File("logits.npy"));
        Assert.Equal(expectedLogits.Length, logits.Length);
        double scale = expectedLogits.Max(v => Math.Abs(v));
        double worst = expectedLogits.Zip(logits).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"network size {string.Join("×", size)}, {result.Tiles} network runs, max |logit| {scale:G4}, max difference {worst:G3} ({worst / scale:G3} relative)");
        Assert.True(worst <= 1e-4 * scale, $"logits differ by {worst} (scale {scale})");

        var labels = layout.LabelsToVolume(result.Labels, shape, affine);
        var expectedLabels = Npy.ReadVolume<byte>(dir.File("labels.npy"));
        Assert.Equal(expectedLabels.Data, labels.Data);
        Assert.True(labels.Data.Distinct().Count() >= 2, "a one-label map would not test the argmax");
    }
}
