using System.Globalization;
using SegWeb.Imaging;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Pipeline;
using SegWeb.Inference.Progress;
using Xunit.Abstractions;

namespace SegWeb.Inference.Tests.Pipeline;

/// <summary>
/// The whole pipeline with the demo model on TotalSegmentator's example scan: geometry of the output, agreement with
/// PyTorch's prediction and with TotalSegmentator's labels, invariance to the orientation the scan is stored in, and
/// refusals of bad input.
/// </summary>
public sealed class SegmentationPipelineTests(DemoPackageFixture demo, ITestOutputHelper output) : IClassFixture<DemoPackageFixture>
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";

    // The demo's classes as TotalSegmentator ids in example_seg.nii.gz (docs/demo-model.md): spleen 1, kidney_right 2,
    // kidney_left 3, liver 5, stomach 6, autochthon_left 86, autochthon_right 87.
    private static readonly Dictionary<string, int> TotalSegmentatorIds = new()
    {
        ["spleen"] = 1, ["kidney_right"] = 2, ["kidney_left"] = 3, ["liver"] = 5, ["stomach"] = 6,
        ["autochthon_left"] = 86, ["autochthon_right"] = 87,
    };

    [SkippableFact]
    public void Demo_model_on_example_ct_matches_pytorch_reference_on_the_input_grid()
    {
        var ctPath = TestData.Require(Ct);
        var input = NiftiReader.Read(ctPath);
        var reference = NiftiReader.Read(DemoPackageFixture.ReferencePrediction).Volume;
        var stages = new List<InferenceProgress>();

        // Uniform weights, as the reference was made; then nnU-Net's Gaussian (the default), which may differ slightly.
        var uniform = SegmentationPipeline.Run(ctPath, demo.Package, new PipelineOptions { UseGaussian = false, Threads = 2 }, new SyncProgress(stages.Add));
        var gaussian = SegmentationPipeline.Run(ctPath, demo.Package, new PipelineOptions { Threads = 2 });

        foreach (var result in new[] { uniform, gaussian })
        {
            Assert.Equal(input.Volume.Shape, result.Labels.Shape);
            Assert.Equal(input.Volume.Affine, result.Labels.Affine);
            Assert.Equal(7, result.ClassNames.Count);
        }

        foreach (var (id, name) in uniform.ClassNames)
        {
            double dUniform = LabelOverlap.Dice(uniform.Labels, id, reference, id);
            double dGaussian = LabelOverlap.Dice(gaussian.Labels, id, reference, id);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-18} Dice vs PyTorch reference: uniform {dUniform:F4}, gaussian {dGaussian:F4}"));
            Assert.True(dUniform >= 0.95, $"{name}: Dice {dUniform} (uniform weights) vs the reference");
            Assert.True(dGaussian >= 0.95, $"{name}: Dice {dGaussian} (Gaussian) vs the reference");
        }

        // Every stage reported, and the stages ran in nnU-Net's order.
        Assert.Equal(
            [PipelineStages.Read, PipelineStages.Reorient, PipelineStages.Crop, PipelineStages.Normalize, PipelineStages.Resample, PipelineStages.Predict,
                PipelineStages.Postprocess, PipelineStages.Export],
            stages.Select(s => s.Stage).Distinct());
        Assert.All(stages.GroupBy(s => s.Stage), g => Assert.Equal(1, g.Last().Fraction));
        Assert.Equal(uniform.Timings.Select(t => t.Stage), stages.Select(s => s.Stage).Distinct());
        foreach (var t in uniform.Timings)
        {
            output.WriteLine($"{t.Stage,-10} {t.Elapsed.TotalMilliseconds,8:F1} ms");
        }
    }

    [SkippableFact]
    public void Demo_model_agrees_with_totalsegmentator_labels_it_was_trained_on()
    {
        var ctPath = TestData.Require(Ct);
        var truth = NiftiReader.Read(TestData.Require("totalsegmentator/example_seg.nii.gz")).Volume;
        var result = SegmentationPipeline.Run(ctPath, demo.Package, new PipelineOptions { Threads = 2 });
        foreach (var (id, name) in result.ClassNames)
        {
            double dice = LabelOverlap.Dice(result.Labels, id, truth, TotalSegmentatorIds[name]);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-18} Dice vs example_seg.nii.gz: {dice:F4}"));
            // A demo trained on this very scan: a weak floor that still catches a mirrored or shifted output.
            Assert.True(dice >= 0.7, $"{name}: Dice {dice} vs TotalSegmentator's label");
        }
    }

    [SkippableTheory]
    [InlineData("LPS")]
    [InlineData("PIR")]
    public void Same_scan_stored_in_another_orientation_gives_the_same_segmentation(string axisCodes)
    {
        var ctPath = TestData.Require(Ct);
        var original = NiftiReader.Read(ctPath);
        Assert.Equal("RAS", Orientation.ToAxisCodes(Orientation.FromAffine(original.Volume.Affine)));
        using var temp = new TempDirectory("pipeline-orient");
        var stored = Reorientation.ToOrientation(original.Volume, axisCodes).Volume;
        var storedPath = temp.File($"ct_{axisCodes}.nii.gz");
        NiftiWriter.Write(storedPath, stored);

        var direct = SegmentationPipeline.Run(ctPath, demo.Package, new PipelineOptions { Threads = 2 });
        var other = SegmentationPipeline.Run(storedPath, demo.Package, new PipelineOptions { Threads = 2 });

        // On the stored file's own grid, and identical once mapped back to RAS.
        Assert.Equal(stored.Shape, other.Labels.Shape);
        Assert.Equal(stored.Affine, other.Labels.Affine);
        var back = Reorientation.ToClosestCanonical(other.Labels).Volume;
        Assert.Equal(direct.Labels.Shape, back.Shape);
        foreach (var id in direct.ClassNames.Keys)
        {
            double dice = LabelOverlap.Dice(direct.Labels, id, back, id);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{axisCodes} class {id}: Dice {dice:F6}"));
            Assert.True(dice >= 0.999, $"class {id}: Dice {dice} between RAS and {axisCodes} presentations");
        }
    }

    [Fact]
    public void A_text_file_or_missing_file_is_a_typed_error_naming_it()
    {
        using var temp = new TempDirectory("pipeline-bad");
        var text = temp.File("notes.nii.gz");
        File.WriteAllText(text, "this is not an image\n");
        var e = Assert.ThrowsAny<ImageFormatException>(() => SegmentationPipeline.Run(text, demo.Package));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
        var missing = temp.File("absent.nii.gz");
        e = Assert.ThrowsAny<ImageFormatException>(() => SegmentationPipeline.Run(missing, demo.Package));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 40, 30, 3.0)]
    [InlineData(40, 40, 1, 3.0)]
    [InlineData(40, 40, 30, 1000.0)]
    [InlineData(40, 40, 30, 0.0001)]
    public void Two_dimensional_images_and_absurd_spacing_are_refused(int x, int y, int z, double spacing)
    {
        using var temp = new TempDirectory("pipeline-bad");
        var shape = new VolumeShape(x, y, z);
        var affine = Affine.FromSpacing(spacing, spacing * 1.5, spacing, 0, 0, 0);
        var path = temp.File("bad.nii.gz");
        NiftiWriter.Write(path, Volume<short>.Zeros(shape, affine));
        var e = Assert.Throws<InferenceException>(() => SegmentationPipeline.Run(path, demo.Package));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Matches(spacing == 3.0 ? "2D" : "voxel size", e.Message);
    }

    [Fact]
    public void An_all_zero_volume_still_runs_and_warns()
    {
        using var temp = new TempDirectory("pipeline-zero");
        var shape = new VolumeShape(40, 36, 20);
        var affine = Affine.FromSpacing(3, 3, 3, -60, -50, 10);
        var path = temp.File("zero.nii.gz");
        NiftiWriter.Write(path, Volume<short>.Zeros(shape, affine));
        var warnings = new List<string>();
        var result = SegmentationPipeline.Run(path, demo.Package, new PipelineOptions { Warning = warnings.Add });
        Assert.Equal(shape, result.Labels.Shape);
        Assert.Contains(warnings, w => w.Contains("same value", StringComparison.Ordinal));
        Assert.Equal(warnings, result.Warnings);
    }

    [Fact]
    public void A_scan_that_would_not_fit_in_memory_is_refused_before_preprocessing()
    {
        using var temp = new TempDirectory("pipeline-huge");
        // 10 mm voxels become a 334³ grid at the demo's 3 mm: about 480 MiB of preprocessing arrays.
        var path = temp.File("coarse.nii.gz");
        NiftiWriter.Write(path, Volume<short>.Zeros(new VolumeShape(100, 100, 100), Affine.FromSpacing(10, 10, 10)));
        var e = Assert.Throws<InferenceException>(() =>
            SegmentationPipeline.Run(path, demo.Package, new PipelineOptions { MemoryLimitBytes = 256L << 20 }));
        Assert.Contains("256 MiB limit", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_stops_the_pipeline()
    {
        using var temp = new TempDirectory("pipeline-cancel");
        var path = temp.File("small.nii.gz");
        NiftiWriter.Write(path, Volume<short>.Zeros(new VolumeShape(40, 36, 20), Affine.FromSpacing(3, 3, 3)));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SegmentationPipeline.Run(path, demo.Package, cancellationToken: cts.Token));
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; tests need the events in order, on the calling thread.</summary>
    private sealed class SyncProgress(Action<InferenceProgress> report) : IProgress<InferenceProgress>
    {
        public void Report(InferenceProgress value) => report(value);
    }
}
