using System.Globalization;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Resampling;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Pipeline;
using Xunit.Abstractions;

namespace SegWeb.Inference.Tests.Pipeline;

/// <summary>
/// Geometry through the whole pipeline on grids other than the model's: anisotropic (the resampling and export
/// paths), oblique (affine kept, voxels unchanged), and a real DICOM series (LAS, 0.98 × 0.98 × 2 mm).
/// </summary>
public sealed class PipelineGeometryTests(DemoPackageFixture demo, ITestOutputHelper output) : IClassFixture<DemoPackageFixture>
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";

    [SkippableFact]
    public void Anisotropic_input_is_resampled_to_the_model_and_labels_come_back_on_its_grid()
    {
        var ctPath = TestData.Require(Ct);
        var ct = NiftiReader.Read(ctPath).Volume;
        using var temp = new TempDirectory("pipeline-aniso");
        // 1.5 × 2 × 4.5 mm: finer in-plane, coarser in z (nnU-Net's separate-z path on the way to 3 mm and back).
        var fine = NnUNetResampling.ResampleData(ct, (1.5, 2.0, 4.5), order: 3);
        var path = temp.File("aniso.nii.gz");
        NiftiWriter.Write(path, fine);

        var direct = SegmentationPipeline.Run(ctPath, demo.Package, new PipelineOptions { Threads = 2 });
        var result = SegmentationPipeline.Run(path, demo.Package, new PipelineOptions { Threads = 2 });

        Assert.Equal(fine.Shape, result.Labels.Shape);
        Assert.Equal(NiftiReader.Read(path).Volume.Affine, result.Labels.Affine); // as stored (float32 srow), exactly
        // The 3 mm result taken to the same grid by nearest neighbour: the two differ only by interpolation.
        var expected = LabelResampler.ResampleLabels(direct.Labels, fine.Shape);
        foreach (var (id, name) in direct.ClassNames)
        {
            double dice = LabelOverlap.Dice(result.Labels, id, expected, id);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-18} Dice 1.5×2×4.5 mm input vs 3 mm input: {dice:F4}"));
            Assert.True(dice >= 0.85, $"{name}: Dice {dice}");
        }
    }

    [SkippableFact]
    public void Oblique_affine_is_kept_and_the_voxels_segment_as_before()
    {
        var ctPath = TestData.Require(Ct);
        var ct = NiftiReader.Read(ctPath).Volume;
        using var temp = new TempDirectory("pipeline-oblique");
        // 12° about z and 5° about x: still closest to RAS, so the network sees the same voxels.
        double a = 12 * Math.PI / 180, b = 5 * Math.PI / 180;
        double[] rz = [Math.Cos(a), -Math.Sin(a), 0, Math.Sin(a), Math.Cos(a), 0, 0, 0, 1];
        double[] rx = [1, 0, 0, 0, Math.Cos(b), -Math.Sin(b), 0, Math.Sin(b), Math.Cos(b)];
        var m = new double[16];
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                double rot = 0;
                for (int k = 0; k < 3; k++)
                {
                    rot += rz[(r * 3) + k] * rx[(k * 3) + c];
                }

                m[(r * 4) + c] = rot * ct.Spacing.X;
            }

            m[(r * 4) + 3] = ct.Affine[r, 3];
        }

        m[15] = 1;
        var oblique = ct.WithAffine(new Affine(m));
        var path = temp.File("oblique.nii.gz");
        NiftiWriter.Write(path, oblique);

        var direct = SegmentationPipeline.Run(ctPath, demo.Package, new PipelineOptions { Threads = 2 });
        var result = SegmentationPipeline.Run(path, demo.Package, new PipelineOptions { Threads = 2 });

        Assert.True(result.Labels.Affine.MaxAbsDifference(NiftiReader.Read(path).Volume.Affine) < 1e-9);
        Assert.True(result.Labels.Affine.MaxAbsDifference(ct.Affine) > 0.5, "the test affine must really be oblique");
        Assert.Equal(direct.Labels.Data, result.Labels.Data);
    }

    [SkippableFact]
    public void Dicom_series_segments_on_its_own_grid_with_left_and_right_on_the_patients_sides()
    {
        var folder = TestData.Require("totalsegmentator/example_ct_dicom");
        var reference = NiftiReader.Read(TestData.Require("totalsegmentator/example_seg_dicom.nii.gz")).Volume;

        var result = SegmentationPipeline.Run(folder, demo.Package, new PipelineOptions { Threads = 2 });

        // example_seg_dicom.nii.gz is TotalSegmentator's output for this series: its grid is the reference geometry.
        Assert.Equal(reference.Shape, result.Labels.Shape);
        Assert.True(result.Labels.Affine.MaxAbsDifference(reference.Affine) < 1e-3, $"{result.Labels.Affine} vs {reference.Affine}");
        Assert.Null(result.Header);

        // In RAS+ world coordinates the patient's left has the smaller x. The demo model generalises poorly to this
        // wider field of view (docs/demo-model.md), so only the sides are asserted; overlaps are printed.
        double leftX = CentroidWorldX(result.Labels, 6), rightX = CentroidWorldX(result.Labels, 7);
        double tsLeftX = CentroidWorldX(reference, 86), tsRightX = CentroidWorldX(reference, 87);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"autochthon centroid x (mm): left {leftX:F1}, right {rightX:F1}; TotalSegmentator left {tsLeftX:F1}, right {tsRightX:F1}"));
        Assert.True(leftX < rightX, "autochthon_left must lie on the patient's left");
        Assert.True(tsLeftX < tsRightX);
        int[] tsIds = [1, 2, 3, 5, 6, 86, 87];
        foreach (var (id, name) in result.ClassNames)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-18} Dice vs example_seg_dicom: {LabelOverlap.Dice(result.Labels, id, reference, tsIds[id - 1]):F4}"));
        }
    }

    private static double CentroidWorldX(Volume labels, int id)
    {
        double sum = 0;
        long n = 0;
        var s = labels.Shape;
        for (int z = 0; z < s.Z; z++)
        {
            for (int y = 0; y < s.Y; y++)
            {
                for (int x = 0; x < s.X; x++)
                {
                    if ((int)labels.GetValue(x + ((long)s.X * (y + ((long)s.Y * z)))) == id)
                    {
                        sum += labels.Affine.Apply(x, y, z).X;
                        n++;
                    }
                }
            }
        }

        Assert.True(n > 0, $"label {id} is empty");
        return sum / n;
    }
}
