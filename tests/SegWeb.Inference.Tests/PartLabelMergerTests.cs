using SegWeb.Inference.Pipeline;
using SegWeb.Inference.Tests.Pipeline;
using SegWeb.Models;
using SegWeb.Models.Packages;

namespace SegWeb.Inference.Tests;

public sealed class PartLabelMergerTests(DemoPackageFixture demo) : IClassFixture<DemoPackageFixture>
{
    [Fact]
    public void Parts_map_to_global_ids_and_later_parts_win_where_both_have_foreground()
    {
        var merged = new byte[6];
        PartLabelMerger.Merge(merged, new byte[] { 0, 1, 2, 0, 1, 2 }, new Dictionary<int, int> { [1] = 5, [2] = 7 });
        Assert.Equal(new byte[] { 0, 5, 7, 0, 5, 7 }, merged);
        PartLabelMerger.Merge(merged, new byte[] { 1, 0, 0, 2, 0, 1 }, new Dictionary<int, int> { [1] = 30, [2] = 117 });
        Assert.Equal(new byte[] { 30, 5, 7, 117, 5, 30 }, merged);
    }

    [Fact]
    public void Unmapped_labels_and_size_mismatches_are_inference_errors()
    {
        Assert.Throws<InferenceException>(() => PartLabelMerger.Merge(new byte[2], new byte[] { 0, 3 }, new Dictionary<int, int> { [1] = 5 }));
        Assert.Throws<InferenceException>(() => PartLabelMerger.Merge(new byte[3], new byte[] { 0, 1 }, new Dictionary<int, int> { [1] = 5 }));
        Assert.Throws<InferenceException>(() => PartLabelMerger.Merge(new byte[2], new byte[] { 0, 1 }, new Dictionary<int, int> { [1] = 300 }));
    }

    [Fact]
    public void Global_zero_drops_the_label_as_the_manifest_says_leaving_earlier_parts_untouched()
    {
        // Regression: the merger used to refuse "→ 0" although model.json defines it as "drop" (docs/models.md), so the
        // pipeline had to rewrite such labels itself. Now a manifest the loader accepts merges as is.
        var manifestPart = demo.Package.Manifest.Parts[0] with
        {
            LabelMap = new SortedDictionary<int, int> { [1] = 1, [2] = 0, [3] = 3, [4] = 0, [5] = 5, [6] = 6, [7] = 7 },
        };
        using var temp = new TempDirectory("merger-drop");
        var package = RewriteManifest(demo.Package, temp.File("drop"), m => m with { Parts = [manifestPart] });
        var map = package.Manifest.Parts[0].LabelMap;

        var merged = new byte[] { 9, 9, 9, 0, 0 };
        PartLabelMerger.Merge(merged, new byte[] { 1, 2, 4, 2, 3 }, map);
        Assert.Equal(new byte[] { 1, 9, 9, 0, 3 }, merged);
    }

    [Fact]
    public void Local_background_entries_are_refused_by_both_the_manifest_loader_and_the_merger()
    {
        using var temp = new TempDirectory("merger-zero");
        var part = demo.Package.Manifest.Parts[0] with { LabelMap = new SortedDictionary<int, int> { [0] = 0, [1] = 1 } };
        Assert.Throws<ModelFormatException>(() => RewriteManifest(demo.Package, temp.File("zero"), m => m with { Parts = [part] }));
        Assert.Throws<InferenceException>(() => PartLabelMerger.Merge(new byte[1], new byte[1], new Dictionary<int, int> { [0] = 0 }));
    }

    [Fact]
    public void A_model_with_class_ids_beyond_a_byte_is_a_clear_inference_error_before_reading_the_input()
    {
        using var temp = new TempDirectory("merger-300");
        var m0 = demo.Package.Manifest;
        var classes = new SortedDictionary<int, ClassInfo>(m0.Classes) { [300] = m0.Classes[1] with { Name = "class_300" } };
        var part = m0.Parts[0] with { LabelMap = new SortedDictionary<int, int>(m0.Parts[0].LabelMap) { [1] = 300 } };
        var package = RewriteManifest(demo.Package, temp.File("big"), m => m with { Classes = classes, Parts = [part] });

        var ex = Assert.Throws<InferenceException>(() => SegmentationPipeline.Run(temp.File("not-read.nii.gz"), package));
        Assert.Contains("300", ex.Message, StringComparison.Ordinal);
        Assert.Contains("255", ex.Message, StringComparison.Ordinal);
        Assert.Contains(package.Directory, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_part_with_more_than_256_output_channels_is_a_clear_inference_error()
    {
        using var temp = new TempDirectory("merger-channels");
        var part = demo.Package.Manifest.Parts[0] with { OutputChannels = 300 };
        var package = RewriteManifest(demo.Package, temp.File("wide"), m => m with { Parts = [part] });
        var ex = Assert.Throws<InferenceException>(() => PartLabelMerger.RequireByteLabels(package));
        Assert.Contains("300 output channels", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A copy of <paramref name="source"/> with its manifest changed, loaded through the real loader.</summary>
    internal static ModelPackage RewriteManifest(ModelPackage source, string directory, Func<ModelManifest, ModelManifest> change, Action<string>? addFiles = null)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.GetFiles(source.Directory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(directory, Path.GetRelativePath(source.Directory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        addFiles?.Invoke(directory);
        File.WriteAllText(Path.Combine(directory, ModelManifest.FileName), change(source.Manifest).ToJson());
        return ModelPackage.Load(directory);
    }
}
