using System.Globalization;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Resampling;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Cropping;
using SegWeb.Inference.Pipeline;
using Xunit.Abstractions;

namespace SegWeb.Inference.Tests.Pipeline;

/// <summary>
/// Cropping through the whole pipeline: nnU-Net's crop to the non-zero box and a mask crop (a first segmentation's
/// box + margin), each undone on export so the labels land exactly on the input grid, in several orientations.
/// </summary>
public sealed class PipelineCropTests(DemoPackageFixture demo, ITestOutputHelper output) : IClassFixture<DemoPackageFixture>
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";

    // Asymmetric zero padding (x before/after, y, z): the non-zero box is not centred, so a wrong undo shows.
    private static readonly CropBox Inner = new(7, 0, 4, 7 + 122, 0 + 101, 4 + 30);
    private static readonly VolumeShape PaddedShape = new(7 + 122 + 3, 101 + 5, 4 + 30 + 2);

    [SkippableFact]
    public void Zero_padding_is_cropped_away_and_the_labels_come_back_exactly_on_the_padded_grid()
    {
        var ctPath = TestData.Require(Ct);
        using var temp = new TempDirectory("crop-nonzero");
        var padded = Pad((Volume<short>)NiftiReader.Read(ctPath).Volume);
        var path = temp.File("padded.nii.gz");
        NiftiWriter.Write(path, padded);

        var direct = SegmentationPipeline.Run(ctPath, demo.Package, new PipelineOptions { Threads = 2 });
        var result = SegmentationPipeline.Run(path, demo.Package, new PipelineOptions { Threads = 2 });

        Assert.Equal(PaddedShape, result.Labels.Shape);
        Assert.Equal(NiftiReader.Read(path).Volume.Affine, result.Labels.Affine);
        // The network saw exactly the original voxels: identical labels inside, background in the padding.
        Assert.Equal(direct.Labels.Data, Inner.Crop(result.Labels).Data);
        Assert.Equal(direct.Labels.Data.Count(v => v != 0), result.Labels.Data.Count(v => v != 0));
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Same_scan_in_LPS_RAS_and_flipped_orientations_segments_the_same_with_cropping_on(bool anisotropic)
    {
        var ctPath = TestData.Require(Ct);
        using var temp = new TempDirectory("crop-orient");
        Volume ras = Pad((Volume<short>)NiftiReader.Read(ctPath).Volume);
        if (anisotropic)
        {
            // 1.5 × 2 × 4.5 mm: resampled on the way to the model's 3 mm and back, through the crop.
            ras = NnUNetResampling.ResampleData(ras, (1.5, 2.0, 4.5), order: 3);
        }

        string[] codes = anisotropic ? ["RAS", "LPS"] : ["RAS", "LPS", "RAI"];
        Volume<byte>? reference = null;
        foreach (var code in codes)
        {
            var path = temp.File($"{code}.nii.gz");
            NiftiWriter.Write(path, Reorientation.ToOrientation(ras, code).Volume);
            var result = SegmentationPipeline.Run(path, demo.Package, new PipelineOptions { Threads = 2 });
            Assert.Equal(NiftiReader.Read(path).Volume.Affine, result.Labels.Affine);
            var back = (Volume<byte>)Reorientation.ToOrientation(result.Labels, "RAS").Volume;
            reference ??= back;
            foreach (var (id, name) in result.ClassNames)
            {
                double dice = LabelOverlap.Dice(back, id, reference, id);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(anisotropic ? "aniso" : "3 mm")} {code} {name,-18} Dice vs RAS {dice:F6}"));
                Assert.True(double.IsNaN(dice) || dice >= 0.999, $"{code} {name}: Dice {dice}");
            }

            Assert.Contains(back.Data, v => v != 0);
        }
    }

    [SkippableFact]
    public void Mask_crop_keeps_the_output_inside_the_first_pass_box_plus_margin_in_any_orientation()
    {
        var ctPath = TestData.Require(Ct);
        using var temp = new TempDirectory("crop-mask");
        var ras = Pad((Volume<short>)NiftiReader.Read(ctPath).Volume);
        var rasPath = temp.File("ras.nii.gz");
        NiftiWriter.Write(rasPath, ras);
        var model = SegmentationModel.FromPackage(demo.Package);
        var options = new PipelineOptions { Threads = 2, Crop = new MaskCrop(model, ["liver"], MaskCrop.RoiMarginMm) };

        var plain = SegmentationPipeline.Run(rasPath, demo.Package, new PipelineOptions { Threads = 2 });
        var cropped = SegmentationPipeline.Run(rasPath, demo.Package, options);

        // The first pass is the plain run; its liver box + 20 mm (6 voxels at 3 mm) bounds every output label.
        int liver = plain.ClassNames.Single(c => c.Value == "liver").Key;
        var selected = new bool[256];
        selected[liver] = true;
        var box = CropBox.OfLabels(plain.Labels, selected)!.Value.Expand((6, 6, 6), PaddedShape);
        Assert.False(box.Covers(PaddedShape));
        Assert.Equal(cropped.Labels.Data.Count(v => v != 0), box.Crop(cropped.Labels).Data.Count(v => v != 0));
        Assert.Contains(cropped.Timings, t => t.Stage == PipelineStages.CropPass);
        double liverDice = LabelOverlap.Dice(cropped.Labels, liver, plain.Labels, liver);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"liver Dice cropped to its own box vs whole image: {liverDice:F4}; box {box}"));
        Assert.True(liverDice >= 0.95, $"liver Dice {liverDice}");

        var lpsPath = temp.File("lps.nii.gz");
        NiftiWriter.Write(lpsPath, Reorientation.ToOrientation(ras, "LPS").Volume);
        var lps = SegmentationPipeline.Run(lpsPath, demo.Package, options);
        var back = (Volume<byte>)Reorientation.ToOrientation(lps.Labels, "RAS").Volume;
        foreach (var (id, name) in cropped.ClassNames)
        {
            double dice = LabelOverlap.Dice(back, id, cropped.Labels, id);
            Assert.True(double.IsNaN(dice) || dice >= 0.999, $"LPS {name}: Dice {dice}");
        }
    }

    /// <summary>The CT inside zeros, its voxels at the same world positions (the affine's origin moved back).</summary>
    internal static Volume<short> Pad(Volume<short> ct)
    {
        Assert.Equal(Inner.Shape, ct.Shape);
        var data = new short[PaddedShape.VoxelCount];
        for (int z = 0; z < ct.Shape.Z; z++)
        {
            for (int y = 0; y < ct.Shape.Y; y++)
            {
                Array.Copy(ct.Data, ct.Shape.IndexOf(0, y, z), data, PaddedShape.IndexOf(Inner.X0, y + Inner.Y0, z + Inner.Z0), ct.Shape.X);
            }
        }

        var m = ct.Affine.ToArray();
        var (ox, oy, oz) = ct.Affine.Apply(-Inner.X0, -Inner.Y0, -Inner.Z0);
        (m[3], m[7], m[11]) = (ox, oy, oz);
        return new Volume<short>(PaddedShape, new Affine(m), data, ct.Slope, ct.Intercept);
    }
}
