using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Preview;
using SkiaSharp;

namespace SegWeb.Inference.Tests.Preview;

/// <summary>The PNG: decodes, has the layout's size, shows class colours where the views have labels, greys elsewhere.</summary>
public sealed class SegmentationPreviewTests
{
    private static (Volume<short> Image, Volume<byte> Labels) Scan(string orientation)
    {
        // 30 × 20 × 10 voxels at 1.5 × 1 × 4 mm; a structure (label 5) on the patient's left, anterior, superior.
        var shape = new VolumeShape(30, 20, 10);
        var affine = Affine.FromSpacing(1.5, 1, 4);
        var image = new short[shape.VoxelCount];
        var labels = new byte[shape.VoxelCount];
        for (int z = 0; z < shape.Z; z++)
        {
            for (int y = 0; y < shape.Y; y++)
            {
                for (int x = 0; x < shape.X; x++)
                {
                    long i = shape.IndexOf(x, y, z);
                    image[i] = (short)((x * 10) + (z * 50));
                    labels[i] = x < 8 && y > 12 && z > 6 ? (byte)5 : (byte)0;
                }
            }
        }

        var ras = (new Volume<short>(shape, affine, image), new Volume<byte>(shape, affine, labels));
        return orientation == "RAS"
            ? ras
            : ((Volume<short>)Reorientation.ToOrientation(ras.Item1, orientation).Volume, (Volume<byte>)Reorientation.ToOrientation(ras.Item2, orientation).Volume);
    }

    [Theory]
    [InlineData("RAS")]
    [InlineData("LPS")]
    [InlineData("ILA")]
    public void Png_decodes_to_the_layout_size_with_the_class_colour_where_the_structure_is(string orientation)
    {
        var (image, labels) = Scan(orientation);
        var colors = PreviewPalette.For([5], new Dictionary<int, int[]?> { [5] = [200, 30, 90] });
        using var tmp = new TempDirectory("preview");
        var path = tmp.File("preview.png");

        var layout = SegmentationPreview.Write(path, image, labels, colors, new PreviewOptions { Height = 200, MaxWidth = 1000, Gap = 6 });

        // Height 10 × 4 = 40 mm, widths 30 × 1.5 = 45 mm (coronal) and 20 mm (sagittal): s = min(200/40, 994/65) = 5 px/mm.
        Assert.Equal(5.0, layout.PixelsPerMm, 9);
        Assert.Equal(new PreviewRect(0, 0, 225, 200), layout.Coronal);
        Assert.Equal(new PreviewRect(231, 0, 100, 200), layout.Sagittal);
        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        Assert.Equal((331, 200), (bitmap.Width, bitmap.Height));

        var structure = new SKColor(200, 30, 90);
        // Coronal: the structure is on the patient's left (x < 8 → the image's right side), superior (top 3/10 rows).
        Assert.Equal(structure, bitmap.GetPixel(225 - (4 * 1.5 * 5).Px(), 20));
        Assert.NotEqual(structure, bitmap.GetPixel(20, 20));           // patient's right, superior: no structure
        Assert.NotEqual(structure, bitmap.GetPixel(225 - 15, 180));     // inferior
        // Sagittal (seen from the right): anterior on the right, y > 12 → the right 7/20 of the view.
        Assert.Equal(structure, bitmap.GetPixel(231 + 100 - 10, 20));
        Assert.NotEqual(structure, bitmap.GetPixel(231 + 10, 20));
        // The gap is black, and where no label is seen the pixel is grey.
        Assert.Equal(SKColors.Black, bitmap.GetPixel(228, 100));
        var grey = bitmap.GetPixel(40, 150);
        Assert.True(grey.Red == grey.Green && grey.Green == grey.Blue, grey.ToString());
        Assert.Equal(0, Directory.GetFiles(tmp.Path).Count(f => f != path)); // written atomically, no temporary left
    }

    [Fact]
    public void Width_limit_shrinks_the_whole_picture_keeping_proportions()
    {
        var (image, labels) = Scan("RAS");
        var (png, layout) = SegmentationPreview.Render(image, labels, PreviewPalette.For([5]), new PreviewOptions { Height = 1000, MaxWidth = 138, Gap = 8 });

        // s = min(1000/40, 130/65) = 2 px/mm → 90 + 8 + 40 wide, 80 high.
        Assert.Equal((138, 80), (layout.Width, layout.Height));
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((138, 80), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void Generated_colours_are_stable_distinct_and_never_grey()
    {
        var colors = Enumerable.Range(1, 117).Select(PreviewPalette.ForId).ToList();
        Assert.Equal(colors, Enumerable.Range(1, 117).Select(PreviewPalette.ForId));
        Assert.Equal(117, colors.Distinct().Count());
        foreach (var c in colors)
        {
            Assert.True(Math.Max(c.R, Math.Max(c.G, c.B)) - Math.Min(c.R, Math.Min(c.G, c.B)) >= 40, $"{c} is too grey to tell from the scan");
        }

        // Neighbouring ids (adjacent structures are often numbered together) differ clearly.
        for (int i = 1; i < colors.Count; i++)
        {
            var (a, b) = (colors[i - 1], colors[i]);
            double distance = Math.Sqrt(Math.Pow(a.R - b.R, 2) + Math.Pow(a.G - b.G, 2) + Math.Pow(a.B - b.B, 2));
            Assert.True(distance > 80, $"ids {i} and {i + 1}: {a} vs {b}");
        }
    }

    [Fact]
    public void Recorded_colours_win_and_invalid_ones_fall_back()
    {
        var colors = PreviewPalette.For([1, 2, 3], new Dictionary<int, int[]?> { [1] = [1, 2, 3], [2] = [1, 2], [3] = [0, 300, 0] });
        Assert.Equal(new PreviewColor(1, 2, 3), colors[1]);
        Assert.Equal(PreviewPalette.ForId(2), colors[2]);
        Assert.Equal(PreviewPalette.ForId(3), colors[3]);
    }
}

internal static class PixelExtensions
{
    public static int Px(this double value) => (int)Math.Round(value);
}
