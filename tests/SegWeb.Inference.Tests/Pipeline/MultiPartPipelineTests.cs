using SegWeb.Inference.Pipeline;
using SegWeb.Inference.Progress;
using SegWeb.Models.Packages;

namespace SegWeb.Inference.Tests.Pipeline;

/// <summary>
/// A two-part package built from the demo's network (both parts run the same ONNX file with different label maps,
/// as TotalSegmentator's <c>total</c> parts map local labels to global ids): parts merge in manifest order, a later
/// part's foreground wins, labels mapped to 0 are dropped, and progress rises across the parts.
/// </summary>
public sealed class MultiPartPipelineTests(DemoPackageFixture demo) : IClassFixture<DemoPackageFixture>
{
    [SkippableFact]
    public void Parts_merge_into_global_ids_in_manifest_order()
    {
        var ctPath = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        using var temp = new TempDirectory("pipeline-parts");
        var package = TwoPartPackage(demo.Package, temp.File("two-part"));
        var events = new List<InferenceProgress>();

        var single = SegmentationPipeline.Run(ctPath, demo.Package, new PipelineOptions { Threads = 2 });
        var merged = SegmentationPipeline.Run(ctPath, package, new PipelineOptions { Threads = 2 }, new SyncProgress(events.Add));

        // Part A: identity for 1..7 except liver (4) dropped. Part B: 1..3 → 8..10, the rest dropped; B is later, so it wins.
        byte[] expected = single.Labels.Data.Select(l => l switch
        {
            >= 1 and <= 3 => (byte)(l + 7),
            4 => (byte)0,
            _ => l,
        }).ToArray();
        Assert.Equal(expected, merged.Labels.Data);
        Assert.Equal(10, merged.ClassNames.Count);
        Assert.Contains(expected, v => v == 8);

        var predict = events.Where(e => e.Stage == PipelineStages.Predict).Select(e => e.Fraction).ToList();
        Assert.Equal(predict.Order(), predict); // non-decreasing across both parts
        Assert.Equal(1, predict[^1]);
        Assert.Contains(predict, f => f is > 0.45 and < 0.55); // the end of part A is half of the stage
    }

    private static ModelPackage TwoPartPackage(ModelPackage source, string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.GetFiles(source.Directory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(directory, Path.GetRelativePath(source.Directory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var m = source.Manifest;
        var part = Assert.Single(m.Parts);
        var classes = new SortedDictionary<int, ClassInfo>(m.Classes);
        for (int k = 1; k <= 3; k++)
        {
            classes[k + 7] = m.Classes[k] with { Name = m.Classes[k].Name + "_part_b" };
        }

        var partA = part with { Name = "a", LabelMap = new SortedDictionary<int, int>(Enumerable.Range(1, 7).ToDictionary(l => l, l => l == 4 ? 0 : l)) };
        var partB = part with { Name = "b", LabelMap = new SortedDictionary<int, int>(Enumerable.Range(1, 7).ToDictionary(l => l, l => l <= 3 ? l + 7 : 0)) };
        var manifest = m with { Classes = classes, Parts = [partA, partB] };
        File.WriteAllText(Path.Combine(directory, ModelManifest.FileName), manifest.ToJson());
        return ModelPackage.Load(directory);
    }

    private sealed class SyncProgress(Action<InferenceProgress> report) : IProgress<InferenceProgress>
    {
        public void Report(InferenceProgress value) => report(value);
    }
}
