using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Preview;

namespace SegWeb.Inference.Tests.Preview;

/// <summary>
/// The preview's views are defined in world (RAS+) terms: the same anatomy stored RAS, LPS, permuted, flipped or with an
/// oblique affine must give identical views, and a structure must land where the patient has it.
/// </summary>
public sealed class PreviewProjectionTests
{
    // 20 (R) × 16 (A) × 12 (S) voxels, anisotropic 1 × 2 × 3 mm, stored RAS.
    private static (Volume<short> Image, Volume<byte> Labels) Phantom()
    {
        var shape = new VolumeShape(20, 16, 12);
        var affine = Affine.FromSpacing(1, 2, 3, -10, 20, 5);
        var image = new short[shape.VoxelCount];
        var labels = new byte[shape.VoxelCount];
        var random = new Random(5);
        for (int z = 0; z < shape.Z; z++)
        {
            for (int y = 0; y < shape.Y; y++)
            {
                for (int x = 0; x < shape.X; x++)
                {
                    long i = shape.IndexOf(x, y, z);
                    image[i] = (short)random.Next(-1000, 1500);
                    // Label 1: a block on the patient's right (high x in RAS), superior half, spanning y 2–9.
                    if (x >= 14 && x <= 17 && z >= 7 && z <= 10 && y >= 2 && y <= 9)
                    {
                        labels[i] = 1;
                    }

                    // Label 2: in front of part of label 1 (y 11–13, more anterior), on x 16–17 only.
                    if (x >= 16 && x <= 17 && z >= 7 && z <= 10 && y >= 11 && y <= 13)
                    {
                        labels[i] = 2;
                    }

                    // Label 3: a small block on the patient's left, inferior.
                    if (x <= 2 && z <= 2 && y >= 5 && y <= 6)
                    {
                        labels[i] = 3;
                    }
                }
            }
        }

        return (new Volume<short>(shape, affine, image, slope: 1, intercept: -24), new Volume<byte>(shape, affine, labels));
    }

    [Fact]
    public void Structures_land_where_the_patient_has_them_and_the_most_anterior_one_wins()
    {
        var (image, labels) = Phantom();
        var (coronal, sagittal) = PreviewProjection.Compute(image, labels);

        Assert.Equal((20, 12), (coronal.Width, coronal.Height));
        Assert.Equal((16, 12), (sagittal.Width, sagittal.Height));
        Assert.Equal((1.0, 3.0), (coronal.PixelWidthMm, coronal.PixelHeightMm));
        Assert.Equal((2.0, 3.0), (sagittal.PixelWidthMm, sagittal.PixelHeightMm));

        // Coronal from the front: the patient's right (x = 19 in RAS) is column 0; the head (z = 11) is row 0.
        static int Cor(int x, int z) => (20 - 1 - x) + (20 * (12 - 1 - z));
        Assert.Equal(1, coronal.Labels[Cor(14, 8)]);
        Assert.Equal(2, coronal.Labels[Cor(16, 8)]);   // label 2 is in front of label 1 there
        Assert.Equal(3, coronal.Labels[Cor(1, 1)]);
        Assert.Equal(0, coronal.Labels[Cor(8, 5)]);
        Assert.Equal((4 * 4) + (3 * 3), coronal.Labels.Count(l => l != 0)); // labels 1/2: x 14–17 × z 7–10; label 3: x 0–2 × z 0–2
    }

    [Fact]
    public void Sagittal_is_seen_from_the_right_with_anterior_on_the_right()
    {
        var (image, labels) = Phantom();
        var (_, sagittal) = PreviewProjection.Compute(image, labels);

        static int Sag(int y, int z) => y + (16 * (12 - 1 - z));
        // Rays along x from the right: labels 1 and 2 (x up to 17) hide label 3 (x ≤ 2) nowhere (different y, z).
        Assert.Equal(1, sagittal.Labels[Sag(5, 8)]);
        Assert.Equal(2, sagittal.Labels[Sag(12, 8)]);
        Assert.Equal(3, sagittal.Labels[Sag(5, 1)]);
        Assert.Equal(0, sagittal.Labels[Sag(15, 8)]);
    }

    [Fact]
    public void Mean_intensity_is_the_real_value_mean_along_the_ray()
    {
        var (image, labels) = Phantom();
        var (coronal, sagittal) = PreviewProjection.Compute(image, labels);

        double expected = 0;
        for (int y = 0; y < 16; y++)
        {
            expected += image.GetValue(image.Shape.IndexOf(3, y, 4));
        }

        Assert.Equal(expected / 16, coronal.MeanIntensity[(20 - 1 - 3) + (20 * (12 - 1 - 4))], 9);
        double side = 0;
        for (int x = 0; x < 20; x++)
        {
            side += image.GetValue(image.Shape.IndexOf(x, 7, 2));
        }

        Assert.Equal(side / 20, sagittal.MeanIntensity[7 + (16 * (12 - 1 - 2))], 9);
    }

    [Theory]
    [InlineData("LPS")]
    [InlineData("LAI")]
    [InlineData("PIR")]
    [InlineData("SLP")]
    public void The_same_anatomy_stored_in_another_orientation_gives_identical_views(string codes)
    {
        var (image, labels) = Phantom();
        var (coronal, sagittal) = PreviewProjection.Compute(image, labels);
        var storedImage = Reorientation.ToOrientation(image, codes).Volume;
        var storedLabels = (Volume<byte>)Reorientation.ToOrientation(labels, codes).Volume;
        Assert.Equal(codes, Orientation.AxisCodes(storedImage.Affine));

        var (c2, s2) = PreviewProjection.Compute(storedImage, storedLabels);

        Assert.Equal(coronal.Labels, c2.Labels);
        Assert.Equal(sagittal.Labels, s2.Labels);
        Assert.Equal((coronal.Width, coronal.Height, coronal.PixelWidthMm, coronal.PixelHeightMm), (c2.Width, c2.Height, c2.PixelWidthMm, c2.PixelHeightMm));
        Assert.Equal((sagittal.Width, sagittal.PixelWidthMm), (s2.Width, s2.PixelWidthMm));
        for (int i = 0; i < coronal.MeanIntensity.Length; i++)
        {
            Assert.Equal(coronal.MeanIntensity[i], c2.MeanIntensity[i], 9);
        }
    }

    [Fact]
    public void An_oblique_affine_uses_the_closest_world_axes()
    {
        var (image, labels) = Phantom();
        var (coronal, _) = PreviewProjection.Compute(image, labels);
        // Rotate the whole affine 12° about S and 5° about R: every voxel axis keeps its closest world axis.
        double a = 12 * Math.PI / 180, b = 5 * Math.PI / 180;
        var rz = new Affine([Math.Cos(a), -Math.Sin(a), 0, 0, Math.Sin(a), Math.Cos(a), 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
        var rx = new Affine([1, 0, 0, 0, 0, Math.Cos(b), -Math.Sin(b), 0, 0, Math.Sin(b), Math.Cos(b), 0, 0, 0, 0, 1]);
        var oblique = rz.Multiply(rx).Multiply(image.Affine);
        Assert.Equal("RAS", Orientation.AxisCodes(oblique));

        var (c2, _) = PreviewProjection.Compute(image.WithAffine(oblique), new Volume<byte>(labels.Shape, oblique, labels.Data));

        Assert.Equal(coronal.Labels, c2.Labels);
        Assert.Equal(coronal.PixelWidthMm, c2.PixelWidthMm, 9); // rotation keeps the voxel sizes
    }

    [Fact]
    public void Labels_off_the_image_grid_are_refused()
    {
        var (image, _) = Phantom();
        var other = Volume<byte>.Zeros(new VolumeShape(20, 16, 11), image.Affine);
        Assert.Throws<ArgumentException>(() => PreviewProjection.Compute(image, other));
        Assert.Throws<InferenceException>(() => SegmentationPreview.Render(image, other, new Dictionary<int, PreviewColor>()));
    }
}
