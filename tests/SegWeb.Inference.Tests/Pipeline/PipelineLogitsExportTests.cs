using System.Globalization;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Resampling;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Pipeline;
using Xunit.Abstractions;

namespace SegWeb.Inference.Tests.Pipeline;

/// <summary>
/// nnU-Net's export (<see cref="PipelineOptions.ResampleLogits"/>, TotalSegmentator's --higher_order_resampling) through
/// the whole pipeline. The resampling itself is checked against scipy in StreamedArgmaxResamplerTests; here: the grid
/// and affine of the input, the same result in every presentation of the scan, and a result close to, but not the same
/// as, the nearest-neighbour label export.
/// </summary>
public sealed class PipelineLogitsExportTests(DemoPackageFixture demo, ITestOutputHelper output) : IClassFixture<DemoPackageFixture>
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";

    [SkippableFact]
    public void Logits_export_on_an_anisotropic_scan_is_the_same_in_RAS_LPS_and_flipped_presentations()
    {
        var ctPath = TestData.Require(Ct);
        using var temp = new TempDirectory("logits-export");
        // 1.2 × 1.5 × 4.5 mm: from the model's 3 mm back to it nnU-Net resamples z separately (4.5 / 1.2 > 3), by nearest.
        var ras = NnUNetResampling.ResampleData(NiftiReader.Read(ctPath).Volume, (1.2, 1.5, 4.5), order: 3);
        Assert.Equal(2, NnUNetResampling.Decide((3, 3, 3), (1.2, 1.5, 4.5)).LowResolutionAxis);
        Volume<byte>? reference = null;
        foreach (var code in new[] { "RAS", "LPS", "RAI" })
        {
            var path = temp.File($"{code}.nii.gz");
            NiftiWriter.Write(path, Reorientation.ToOrientation(ras, code).Volume);
            var result = SegmentationPipeline.Run(path, demo.Package, new PipelineOptions { Threads = 2, ResampleLogits = true });
            var stored = NiftiReader.Read(path).Volume;
            Assert.Equal(stored.Shape, result.Labels.Shape);
            Assert.Equal(stored.Affine, result.Labels.Affine);
            var back = (Volume<byte>)Reorientation.ToOrientation(result.Labels, "RAS").Volume;
            reference ??= back;
            foreach (var (id, name) in result.ClassNames)
            {
                double dice = LabelOverlap.Dice(back, id, reference, id);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{code} {name,-18} Dice vs RAS {dice:F6}"));
                Assert.True(double.IsNaN(dice) || dice >= 0.999, $"{code} {name}: Dice {dice}");
            }

            Assert.Contains(back.Data, v => v != 0);
        }
    }

    [SkippableFact]
    public void Logits_export_of_a_finer_scan_is_close_to_the_label_export_but_not_the_same()
    {
        // The demo model works at the example's own 3 mm (nothing to resample there): a 1.5 mm copy goes 3 mm → 1.5 mm
        // on export, nnU-Net's 3D linear path.
        var ctPath = TestData.Require(Ct);
        using var temp = new TempDirectory("logits-vs-labels");
        var fine = temp.File("fine.nii.gz");
        NiftiWriter.Write(fine, NnUNetResampling.ResampleData(NiftiReader.Read(ctPath).Volume, (1.5, 1.5, 1.5), order: 3));
        var labelExport = SegmentationPipeline.Run(fine, demo.Package, new PipelineOptions { Threads = 2 });
        var logitsExport = SegmentationPipeline.Run(fine, demo.Package, new PipelineOptions { Threads = 2, ResampleLogits = true });

        Assert.Equal(labelExport.Labels.Shape, logitsExport.Labels.Shape);
        Assert.Equal(labelExport.Labels.Affine, logitsExport.Labels.Affine);
        int differing = labelExport.Labels.Data.Where((v, i) => v != logitsExport.Labels.Data[i]).Count();
        output.WriteLine($"{differing} of {labelExport.Labels.Data.Length} voxels differ between the two exports");
        Assert.True(differing > 0, "interpolated logits must change some boundary voxels");
        foreach (var (id, name) in labelExport.ClassNames)
        {
            double dice = LabelOverlap.Dice(logitsExport.Labels, id, labelExport.Labels, id);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-18} Dice logits vs label export {dice:F4}"));
            Assert.True(dice >= 0.9, $"{name}: Dice {dice}");
        }
    }

    [Fact]
    public void The_logits_export_counts_in_the_memory_check_before_anything_large_is_allocated()
    {
        // 512 × 512 × 16 at the demo's own 3 mm: 56 MiB of preprocessing; the export adds two 512 × 512 planes of 8 classes'
        // logits and the labels (24 MiB), which a 64 MiB limit refuses before the first large array.
        using var temp = new TempDirectory("logits-memory");
        var path = temp.File("wide.nii.gz");
        NiftiWriter.Write(path, Volume<short>.Zeros(new VolumeShape(512, 512, 16), Affine.FromSpacing(3, 3, 3)));
        var limit = new PipelineOptions { Threads = 2, MemoryLimitBytes = 64L << 20 };

        var e = Assert.Throws<InferenceException>(() => SegmentationPipeline.Run(path, demo.Package, limit with { ResampleLogits = true }));
        output.WriteLine(e.Message);
        Assert.Contains("--higher_order_resampling", e.Message, StringComparison.Ordinal);
        Assert.Contains("64 MiB limit", e.Message, StringComparison.Ordinal);

        // Without the export the same scan passes this check (the sliding window's own estimate, 97 MiB, refuses it next).
        var plain = Assert.Throws<InferenceException>(() => SegmentationPipeline.Run(path, demo.Package, limit));
        Assert.DoesNotContain("preprocessing would need", plain.Message, StringComparison.Ordinal);
        Assert.Contains("sliding window", plain.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Logits_export_with_z_chunks_is_refused_before_reading()
    {
        var ex = Assert.Throws<InferenceException>(() => SegmentationPipeline.Run("/nonexistent.nii.gz", demo.Package,
            new PipelineOptions { ResampleLogits = true, ForceSplit = true }));
        Assert.Contains("--force_split", ex.Message, StringComparison.Ordinal);
    }
}
