using SegWeb.Inference.Runtime;
using SegWeb.Inference.SlidingWindow;
using SegWeb.Models.Catalog;
using SegWeb.Models.Packages;
using SegWeb.Models.Twins;
using Xunit.Abstractions;

namespace SegWeb.Inference.Tests.Runtime;

/// <summary>
/// The classifier applied after aggregation gives the logits and labels of the classifier inside the network: same
/// twin, same image, one cache with the split and one without. (NnUNetParityTests checks the split against the
/// independent NumPy/torch reference too.)
/// </summary>
public sealed class ClassifierSplitTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(new int[0], 1)]
    [InlineData(new[] { 0, 1, 2 }, 2)]
    public void Aggregating_features_then_classifying_equals_aggregating_logits(int[] mirror, int batch)
    {
        using var temp = new TempDirectory();
        var package = WriteTwin(temp.File("pkg"), classesLike: "total-fast");
        var part = package.Manifest.Parts[0];
        int[] size = [37, 29, 41];
        var random = new Random(5);
        var image = new float[size[0] * size[1] * size[2]];
        for (int i = 0; i < image.Length; i++)
        {
            image[i] = (float)(Math.Sin(i * 0.013) + (0.3 * random.NextDouble()));
        }

        var (splitLabels, splitLogits, splitNetworks) = Run(package, part, image, size, mirror, batch, split: true);
        var (wholeLabels, wholeLogits, wholeNetworks) = Run(package, part, image, size, mirror, batch, split: false);

        var head = Assert.Single(splitNetworks).Head;
        Assert.NotNull(head);
        Assert.Equal(118, head.Classes);
        Assert.Equal(3, Assert.Single(splitNetworks).OutputChannels);
        Assert.Null(Assert.Single(wholeNetworks).Head);
        Assert.Equal(118, Assert.Single(wholeNetworks).OutputChannels);

        double scale = wholeLogits.Max(v => Math.Abs(v));
        double worst = wholeLogits.Zip(splitLogits).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"max |logit| {scale:G4}, max difference {worst:G3} ({worst / scale:G3} relative)");
        Assert.True(worst <= 1e-5 * scale, $"logits differ by {worst} (scale {scale})");

        // Labels may differ only where the two best classes are closer than the float rounding between the two orders.
        int planeVoxels = size[1] * size[2], voxels = image.Length, differing = 0;
        for (int v = 0; v < voxels; v++)
        {
            if (splitLabels[v] == wholeLabels[v])
            {
                continue;
            }

            differing++;
            int plane = v / planeVoxels, within = v % planeVoxels;
            float a = wholeLogits[(((plane * 118) + splitLabels[v]) * planeVoxels) + within];
            float b = wholeLogits[(((plane * 118) + wholeLabels[v]) * planeVoxels) + within];
            Assert.True(Math.Abs(a - b) <= 1e-5 * scale, $"voxel {v}: labels {splitLabels[v]} and {wholeLabels[v]} are {Math.Abs(a - b)} apart");
        }

        output.WriteLine($"{differing} of {voxels} labels differ (near ties)");
        Assert.True(wholeLabels.Distinct().Count() >= 5, "a few-label map would not test the argmax");
    }

    [Fact]
    public void Parts_with_several_folds_or_few_classes_keep_the_classifier_in_the_network()
    {
        using var temp = new TempDirectory();
        using var cache = new ModelSessionCache(new InferenceRuntimeOptions { IntraOpThreads = 1 });

        // total-part3 has 19 classes: more features (24) than classes, so splitting would aggregate more, not less.
        var few = WriteTwin(temp.File("few"), classesLike: "total-part3", features: 24);
        Assert.Null(Assert.Single(PackagePrediction.Networks(cache, few, few.Manifest.Parts[0])).Head);

        // Two folds: each has its own classifier, so neither is split.
        var twoFolds = WriteTwin(temp.File("two"), classesLike: "total-fast");
        var manifestPath = Path.Combine(twoFolds.Directory, ModelManifest.FileName);
        var onnx = twoFolds.FoldFiles(twoFolds.Manifest.Parts[0])[0];
        File.Copy(onnx, Path.Combine(twoFolds.Directory, "fold_1.onnx"));
        var manifest = twoFolds.Manifest with { Folds = 2, Parts = [twoFolds.Manifest.Parts[0] with { Files = [.. twoFolds.Manifest.Parts[0].Files, "fold_1.onnx"] }] };
        File.WriteAllText(manifestPath, manifest.ToJson());
        var reloaded = ModelPackage.Load(twoFolds.Directory);
        var networks = PackagePrediction.Networks(cache, reloaded, reloaded.Manifest.Parts[0]);
        Assert.Equal(2, networks.Count);
        Assert.All(networks, n => Assert.Null(n.Head));

        // Releasing a part releases its split session too.
        var split = WriteTwin(temp.File("split"), classesLike: "total-fast");
        var file = split.FoldFiles(split.Manifest.Parts[0])[0];
        Assert.NotNull(cache.SingleFoldRunner(file).Head);
        Assert.True(cache.Release(file));
        Assert.False(cache.Release(file));
    }

    private static (byte[] Labels, float[] Logits, List<ITileNetwork> Networks) Run(ModelPackage package, ModelPart part, float[] image, int[] size, int[] mirror, int batch, bool split)
    {
        using var cache = new ModelSessionCache(new InferenceRuntimeOptions { IntraOpThreads = 1, SplitClassifierHead = split });
        int classes = part.OutputChannels, planeVoxels = size[1] * size[2];
        var logits = new float[classes * size[0] * planeVoxels];
        var options = PackagePrediction.OptionsFor(package.Manifest) with
        {
            MirrorAxes = mirror,
            BatchSize = batch,
            LogitsHandler = (plane, values) => values.CopyTo(logits.AsSpan(plane * classes * planeVoxels, classes * planeVoxels)),
        };
        var networks = PackagePrediction.Networks(cache, package, part);
        var result = PackagePrediction.Create(cache, package, part, options).Predict(image, size);
        return (result.Labels, logits, networks);
    }

    private static ModelPackage WriteTwin(string directory, string classesLike, int features = 3)
    {
        var full = ArchitectureTwin.Resolve(classesLike, TaskCatalog.LoadEmbedded());
        var twin = full with { Architecture = full.Architecture with { FeaturesPerStage = [features, 4, 4, 4, 4] }, PatchSize = [16, 16, 16] };
        return TwinPackageWriter.Write(twin, directory, seed: 11);
    }
}
