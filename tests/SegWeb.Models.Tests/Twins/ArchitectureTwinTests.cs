using System.Globalization;
using SegWeb.Imaging;
using SegWeb.Models.Catalog;
using SegWeb.Models.Packages;
using SegWeb.Models.Tests.Parity;
using SegWeb.Models.Twins;
using Xunit.Abstractions;

namespace SegWeb.Models.Tests.Twins;

/// <summary>Architecture twins: resolution against the catalogue, and packages that ONNX Runtime runs.</summary>
public sealed class ArchitectureTwinTests(ITestOutputHelper output)
{
    private static readonly TaskCatalog Catalog = TaskCatalog.LoadEmbedded();

    [Theory]
    [InlineData("total-fast", 297, "fast", 5)]
    [InlineData("total-fastest", 298, "fastest", 5)]
    [InlineData("total-part", 291, "default", 6)]
    [InlineData("total-part3", 293, "default", 6)]
    [InlineData("total_mr-fast", 852, "fast", 5)]
    [InlineData("body", 299, "default", 6)]
    public void Like_names_resolve_to_catalogue_models(string like, int dataset, string variant, int stages)
    {
        var twin = ArchitectureTwin.Resolve(like, Catalog);

        Assert.Equal(dataset, twin.Model.DatasetId);
        Assert.Equal(variant, twin.Variant.Name);
        Assert.Equal(stages, twin.Architecture.Stages);
        Assert.Equal(twin.Model.Labels!.Max(l => l.Local) + 1, twin.OutputChannels);
        Assert.Equal(twin.Model.Labels!.Count(l => l.Global != 0), twin.ClassNames.Count);
        Assert.All(twin.PatchSize, p => Assert.Equal(0, p % (1 << (stages - 1)))); // every stage halves exactly
    }

    [Theory]
    [InlineData("total", "total-part5")]
    [InlineData("total-part9", "no part 9")]
    [InlineData("nonsense", "no task 'nonsense'")]
    [InlineData("body-fastest", "no --fastest variant")]
    public void Bad_like_names_are_refused_with_the_choices(string like, string message)
    {
        var ex = Assert.ThrowsAny<SegWebException>(() => ArchitectureTwin.Resolve(like, Catalog));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Twin_of_the_fast_model_runs_on_onnx_runtime_with_its_class_count()
    {
        using var temp = new TempDirectory("twin");
        var twin = ArchitectureTwin.Resolve("total-fast", Catalog);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var package = TwinPackageWriter.Write(twin, temp.File("fast"), seed: 7);

        var written = started.Elapsed;
        var part = Assert.Single(package.Manifest.Parts);
        Assert.Equal(118, part.OutputChannels);
        Assert.Equal(117, package.Manifest.Classes.Count);
        Assert.Equal("liver", package.Manifest.Classes[5].Name);
        Assert.Empty(package.Verify());
        var input = RandomInput(32 * 32 * 32, seed: 1);
        var logits = OnnxRunner.Run(package.FoldFiles(part)[0], input, [1, 1, 32, 32, 32], out var shape);
        Assert.Equal([1, 118, 32, 32, 32], shape);
        Assert.All(logits, v => Assert.True(float.IsFinite(v)));
        // Random weights still give a spread of logits, not a constant map.
        Assert.True(logits.Max() - logits.Min() > 1e-3);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"total-fast twin: {new FileInfo(package.FoldFiles(part)[0]).Length / 1e6:0.0} MB ONNX written in {written.TotalSeconds:0.0} s; 32³ patch ran in {(started.Elapsed - written).TotalSeconds:0.0} s"));
    }

    [Fact]
    public void Same_seed_same_bytes_other_seed_other_weights()
    {
        using var temp = new TempDirectory("twin-seed");
        // Narrow features keep the test quick; seeding does not depend on the widths.
        var full = ArchitectureTwin.Resolve("total-fastest", Catalog);
        var twin = full with { Architecture = full.Architecture with { FeaturesPerStage = [4, 8, 16, 32, 32] } };

        var a = TwinPackageWriter.Write(twin, temp.File("a"), seed: 1).Manifest.Provenance.Sha256["fold_0.onnx"];
        var b = TwinPackageWriter.Write(twin, temp.File("b"), seed: 1).Manifest.Provenance.Sha256["fold_0.onnx"];
        var c = TwinPackageWriter.Write(twin, temp.File("c"), seed: 2).Manifest.Provenance.Sha256["fold_0.onnx"];

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Throws<ModelFormatException>(() => TwinPackageWriter.Write(twin, temp.File("a"), seed: 1));
    }

    [Fact]
    public void Part_twin_keeps_the_parts_global_label_ids()
    {
        using var temp = new TempDirectory("twin-part");
        var twin = ArchitectureTwin.Resolve("total-part2", Catalog);

        var part = Assert.Single(TwinPackageWriter.Write(twin, temp.File("p2")).Manifest.Parts);

        foreach (var label in twin.Model.Labels!)
        {
            Assert.Equal(label.Global, part.LabelMap[label.Local]);
        }

        Assert.Contains(part.LabelMap.Values, g => g > part.OutputChannels); // global ids differ from the part's own
    }

    [SkippableFact]
    public void Catalog_importer_writes_the_parts_label_map_and_task()
    {
        // A PyTorch results folder zipped and imported as if it were Dataset292 (part 2 of total).
        var folder = ParityCases.Folder("plain_iso_4stages_1ch");
        using var temp = new TempDirectory("catalog-import");
        var zip = temp.File("part2.zip");
        System.IO.Compression.ZipFile.CreateFromDirectory(folder, zip);
        const string modelName = "Dataset292_TotalSegmentator_part2_vertebrae_1532subj";
        var model = Catalog.Tasks.SelectMany(t => t.Variants).SelectMany(v => v.Models).First(m => m.ModelName == modelName);

        var dir = CatalogImporter.Create(Catalog)(zip, temp.Path, modelName, CancellationToken.None).GetAwaiter().GetResult();

        var manifest = ModelPackage.Load(dir).Manifest;
        Assert.Equal(Path.Combine(temp.Path, modelName), dir);
        Assert.Equal("total", manifest.Task);
        Assert.Equal(modelName, manifest.Name);
        var labelMap = manifest.Parts[0].LabelMap;
        Assert.Equal([1, 2], labelMap.Keys);
        Assert.Equal(model.Labels!.First(l => l.Local == 1).Global, labelMap[1]);
        Assert.Equal(model.Labels!.First(l => l.Local == 2).Global, labelMap[2]);
    }

    private static float[] RandomInput(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}
