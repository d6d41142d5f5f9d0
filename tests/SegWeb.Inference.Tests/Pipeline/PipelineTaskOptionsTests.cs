using System.Globalization;
using SegWeb.Imaging.Labels;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Pipeline;
using SegWeb.Models.Packages;
using Xunit.Abstractions;

namespace SegWeb.Inference.Tests.Pipeline;

/// <summary>
/// TotalSegmentator's task options through the pipeline: --roi_subset (only the parts that hold the classes run; only
/// those classes come out), models made of several packages, --force_split, --remove_small_blobs.
/// </summary>
public sealed class PipelineTaskOptionsTests(DemoPackageFixture demo, ITestOutputHelper output) : IClassFixture<DemoPackageFixture>
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";

    [SkippableFact]
    public void Roi_subset_runs_only_the_parts_holding_the_classes_and_outputs_only_them()
    {
        var ctPath = TestData.Require(Ct);
        using var temp = new TempDirectory("roi-subset");
        var m = demo.Package.Manifest;
        var part = m.Parts[0];
        var classes = new SortedDictionary<int, ClassInfo>(m.Classes);
        for (int k = 1; k <= 3; k++)
        {
            classes[k + 7] = m.Classes[k] with { Name = m.Classes[k].Name + "_b" };
        }

        // Part A's network is not an ONNX file at all: if --roi_subset ran it, the run would fail.
        var partA = part with { Name = "a", Files = ["broken.onnx"] };
        var partB = part with { Name = "b", LabelMap = new SortedDictionary<int, int>(Enumerable.Range(1, 7).ToDictionary(l => l, l => l <= 3 ? l + 7 : 0)) };
        var package = PartLabelMergerTests.RewriteManifest(demo.Package, temp.File("two"), x => x with { Classes = classes, Parts = [partA, partB] },
            dir => File.WriteAllText(Path.Combine(dir, "broken.onnx"), "not a network"));

        var single = SegmentationPipeline.Run(ctPath, demo.Package, new PipelineOptions { Threads = 2 });
        string wanted = classes[9].Name;
        var result = SegmentationPipeline.Run(ctPath, package, new PipelineOptions { Threads = 2, RoiSubset = [wanted] });

        Assert.Equal(new Dictionary<int, string> { [9] = wanted }, result.ClassNames);
        Assert.Equal(single.Labels.Data.Select(l => l == 2 ? (byte)9 : (byte)0).ToArray(), result.Labels.Data);
        Assert.Contains(result.Labels.Data, v => v == 9);

        var ex = Assert.Throws<InferenceException>(() =>
            SegmentationPipeline.Run(ctPath, package, new PipelineOptions { RoiSubset = ["no_such_organ"] }));
        Assert.Contains("no_such_organ", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Several_packages_merge_like_the_parts_of_one_package()
    {
        var ctPath = TestData.Require(Ct);
        using var temp = new TempDirectory("packages");
        var m = demo.Package.Manifest;
        var classes = new SortedDictionary<int, ClassInfo>(m.Classes);
        for (int k = 1; k <= 3; k++)
        {
            classes[k + 7] = m.Classes[k] with { Name = m.Classes[k].Name + "_b" };
        }

        // As `segweb models install total` lays TotalSegmentator's parts out: one package per part model.
        var a = PartLabelMergerTests.RewriteManifest(demo.Package, temp.File("a"), x => x with
        {
            Name = "a",
            Classes = new SortedDictionary<int, ClassInfo>(classes.Where(c => c.Key <= 7).ToDictionary()),
            Parts = [x.Parts[0] with { LabelMap = new SortedDictionary<int, int>(Enumerable.Range(1, 7).ToDictionary(l => l, l => l == 4 ? 0 : l)) }],
        });
        var b = PartLabelMergerTests.RewriteManifest(demo.Package, temp.File("b"), x => x with
        {
            Name = "b",
            Classes = new SortedDictionary<int, ClassInfo>(classes.Where(c => c.Key > 7).ToDictionary()),
            Parts = [x.Parts[0] with { LabelMap = new SortedDictionary<int, int>(Enumerable.Range(1, 7).ToDictionary(l => l, l => l <= 3 ? l + 7 : 0)) }],
        });

        var single = SegmentationPipeline.Run(ctPath, demo.Package, new PipelineOptions { Threads = 2 });
        using var pipeline = new SegmentationPipeline(new PipelineOptions { Threads = 2 });
        var merged = pipeline.Segment(ctPath, SegmentationModel.FromPackages([a, b]));

        byte[] expected = single.Labels.Data.Select(l => l switch { >= 1 and <= 3 => (byte)(l + 7), 4 => (byte)0, _ => l }).ToArray();
        Assert.Equal(expected, merged.Labels.Data);
        Assert.Equal(10, merged.ClassNames.Count);

        var other = PartLabelMergerTests.RewriteManifest(demo.Package, temp.File("c"), x => x with { TargetSpacing = [1.5, 1.5, 1.5] });
        Assert.Throws<InferenceException>(() => SegmentationModel.FromPackages([a, other]));
    }

    [SkippableFact]
    public void Force_split_output_slices_are_each_chunks_own_prediction_and_close_to_the_whole_image()
    {
        var ctPath = TestData.Require(Ct);
        using var temp = new TempDirectory("split");
        // Three copies of the scan stacked along z (90 slices at the model's 3 mm, so resampling is the identity):
        // chunks [0,50), [11,80), [41,90) supply output slices [0,30), [30,60), [60,90).
        // In-plane 96 × 64 of the centre (2 tiles of the demo's 64 × 64 patch instead of 9) keeps the five runs quick.
        var ct = new SegWeb.Inference.Cropping.CropBox(13, 18, 0, 109, 82, 30).Crop((Volume<short>)NiftiReader.Read(ctPath).Volume);
        var tall = new Volume<short>(ct.Shape with { Z = ct.Shape.Z * 3 }, ct.Affine, [.. ct.Data, .. ct.Data, .. ct.Data]);
        var path = temp.File("tall.nii.gz");
        NiftiWriter.Write(path, tall);
        var options = new PipelineOptions { Threads = 2 };

        var split = SegmentationPipeline.Run(path, demo.Package, options with { ForceSplit = true });

        // Each chunk segmented on its own, as a file of its own: the split output must be exactly these slices.
        var shape = tall.Shape;
        var expected = new byte[shape.VoxelCount];
        foreach (var chunk in ZSplit.Chunks(shape.Z))
        {
            var chunkPath = temp.File($"chunk{chunk.Start}.nii.gz");
            NiftiWriter.Write(chunkPath, new SegWeb.Inference.Cropping.CropBox(0, 0, chunk.Start, shape.X, shape.Y, chunk.End).Crop(tall));
            var alone = SegmentationPipeline.Run(chunkPath, demo.Package, options);
            Array.Copy(alone.Labels.Data, (long)(chunk.OutputStart - chunk.Start) * shape.SliceSize, expected, (long)chunk.OutputStart * shape.SliceSize,
                (long)(chunk.OutputEnd - chunk.OutputStart) * shape.SliceSize);
        }

        Assert.Equal(expected, split.Labels.Data);

        // Against the unsplit run the chunks differ through their tiles and cut edges: close, not identical. (The
        // differences concentrate at the seams where the stacked copies meet, where the network is least sure.)
        var whole = SegmentationPipeline.Run(path, demo.Package, options);
        long differing = whole.Labels.Data.Zip(split.Labels.Data).Count(p => p.First != p.Second);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"force split: {differing} of {whole.Labels.Data.Length} voxels differ from the unsplit run"));
        foreach (var (id, name) in whole.ClassNames)
        {
            double dice = LabelOverlap.Dice(split.Labels, id, whole.Labels, id);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-18} Dice split vs whole {dice:F4}"));
            Assert.True(double.IsNaN(dice) || dice >= 0.85, $"{name}: Dice {dice}");
        }

        Assert.Contains(split.Labels.Data, v => v != 0);
    }

    [SkippableFact]
    public void Z_split_chunks_are_totalsegmentators_numpy_slices()
    {
        ReferencePython.Require("numpy");
        int[] depths = [60, 61, 100, 121, 200, 601];
        const string script = """
            import sys
            import numpy as np
            for d in map(int, sys.argv[1:]):
                z = np.arange(d); third = d // 3; m = 20
                c = [z[:third+m], z[third+1-m:third*2+m], z[third*2+1-m:]]
                out = [c[0][:-m], c[1][m-1:-m], c[2][m-1:]]
                assert (np.concatenate(out) == z).all()
                print(" ".join(f"{a[0]} {a[-1]+1} {o[0]} {o[-1]+1}" for a, o in zip(c, out)))
            """;
        var lines = ReferencePython.Run(script, depths.Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray()).Trim().Split('\n');
        for (int i = 0; i < depths.Length; i++)
        {
            var expected = lines[i].Trim().Split(' ').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
            var chunks = ZSplit.Chunks(depths[i]);
            Assert.Equal(expected, chunks.SelectMany(c => new[] { c.Start, c.End, c.OutputStart, c.OutputEnd }).ToArray());
        }

        // Short images: clamped instead of Python's wrap-around, every slice still from exactly one chunk.
        var shortChunks = ZSplit.Chunks(30);
        Assert.Equal(Enumerable.Range(0, 30), shortChunks.SelectMany(c => Enumerable.Range(c.OutputStart, c.OutputEnd - c.OutputStart)));
        Assert.All(shortChunks, c => Assert.True(c.Start >= 0 && c.End <= 30 && c.Start <= c.OutputStart && c.OutputEnd <= c.End));
    }

    [SkippableFact]
    public void Remove_small_blobs_leaves_no_component_of_200_mm3_or_less_and_only_removes()
    {
        var ctPath = TestData.Require(Ct);
        var plain = SegmentationPipeline.Run(ctPath, demo.Package, new PipelineOptions { Threads = 2 });
        var cleaned = SegmentationPipeline.Run(ctPath, demo.Package, new PipelineOptions { Threads = 2, RemoveSmallBlobsMm3 = 200 });

        // The demo's grid is the model's (3 mm): 200 mm³ is 7.4 voxels, so components of ≤ 7 voxels must be gone.
        Assert.All(plain.Labels.Data.Zip(cleaned.Labels.Data), p => Assert.True(p.Second == p.First || p.Second == 0));
        long removed = plain.Labels.Data.Zip(cleaned.Labels.Data).Count(p => p.First != p.Second);
        foreach (var (id, name) in cleaned.ClassNames)
        {
            var components = ConnectedComponents.LabelOf(cleaned.Labels, (byte)id, Connectivity.Six);
            for (int c = 1; c <= components.Count; c++)
            {
                Assert.True(components.VoxelCounts[c] > 7, $"{name}: a component of {components.VoxelCounts[c]} voxels survived");
            }
        }

        var smallBefore = plain.ClassNames.Keys.Sum(id =>
        {
            var comps = ConnectedComponents.LabelOf(plain.Labels, (byte)id, Connectivity.Six);
            return Enumerable.Range(1, comps.Count).Count(c => comps.VoxelCounts[c] <= 7);
        });
        output.WriteLine($"small components before: {smallBefore}; voxels removed: {removed}");
        Assert.Equal(smallBefore > 0, removed > 0);
    }
}
