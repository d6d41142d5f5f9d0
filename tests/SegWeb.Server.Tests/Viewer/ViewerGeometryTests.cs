using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;
using SegWeb.Server.Components.Viewer;
using Xunit.Abstractions;

namespace SegWeb.Server.Tests.Viewer;

/// <summary>
/// Orientation on screen for NIfTI grids of every kind. The label map holds three bars defined in world (RAS)
/// coordinates through the world origin: one towards the patient's left, one anterior, one superior. Whatever the
/// affine, the views must show them where radiology expects: axial and coronal with the patient's left on the
/// screen's right, anterior up in axial, superior up in coronal and sagittal, anterior on the left in sagittal.
/// </summary>
[Collection(ViewerBrowserCollection.Name)]
public sealed class ViewerGeometryTests(ViewerBrowser browser, ITestOutputHelper output)
{
    private static readonly ViewerLabel Left = new(1, "left bar", [255, 0, 0]);
    private static readonly ViewerLabel Anterior = new(2, "anterior bar", [0, 255, 0]);
    private static readonly ViewerLabel Superior = new(3, "superior bar", [0, 0, 255]);

    public static TheoryData<string> Grids => new() { "ras-iso", "lps-aniso", "flipped-k", "oblique", "permuted" };

    [SkippableTheory]
    [MemberData(nameof(Grids))]
    public async Task Markers_show_on_the_radiological_side_in_every_view(string grid)
    {
        browser.Require();
        var (linear, shape) = GridOf(grid);
        var (ct, labels) = Synthetic(linear, shape);
        string ctPath = browser.Host!.Data.File($"geom-{grid}-ct.nii.gz");
        string segPath = browser.Host.Data.File($"geom-{grid}-seg.nii.gz");
        NiftiWriter.Write(ctPath, ct);
        NiftiWriter.Write(segPath, labels);

        await using var page = await ViewerPage.OpenAsync(browser, output, $"/data/{Path.GetFileName(ctPath)}", $"/data/{Path.GetFileName(segPath)}", [Left, Anterior, Superior]);
        Assert.Equal("loaded", await page.StateAsync());
        await page.CallAsync("v.jumpToWorld([0, 0, 0])");
        await page.ScreenshotAsync($"geometry-{grid}");

        // Axial: left bar right of centre, anterior bar above; the superior bar is not in this plane.
        var (w, h) = await page.CanvasSizeAsync("axial");
        var left = await page.ColourAsync("axial", Left.Color);
        var anterior = await page.ColourAsync("axial", Anterior.Color);
        output.WriteLine($"{grid} axial {w}×{h}: left bar {left}, anterior bar {anterior}");
        Assert.True(left.Count > 20 && left.X > (w / 2.0) + 10 && Math.Abs(left.Y - (h / 2.0)) < 10, $"axial: the patient's left shows right of centre ({left})");
        Assert.True(anterior.Count > 20 && anterior.Y < (h / 2.0) - 10 && Math.Abs(anterior.X - (w / 2.0)) < 10, $"axial: anterior shows above the centre ({anterior})");
        Assert.Equal(0, (await page.ColourAsync("axial", Superior.Color)).Count);

        // The readout over the left bar says so (hover uses the viewer's own inverse mapping).
        var hover = await page.HoverAsync("axial", left.X, left.Y);
        Assert.Equal(Left.Value, hover.Label);

        (w, h) = await page.CanvasSizeAsync("coronal");
        left = await page.ColourAsync("coronal", Left.Color);
        var superior = await page.ColourAsync("coronal", Superior.Color);
        Assert.True(left.Count > 20 && left.X > (w / 2.0) + 10 && Math.Abs(left.Y - (h / 2.0)) < 10, $"coronal: the patient's left shows right of centre ({left})");
        Assert.True(superior.Count > 20 && superior.Y < (h / 2.0) - 10, $"coronal: superior shows above the centre ({superior})");
        Assert.Equal(0, (await page.ColourAsync("coronal", Anterior.Color)).Count);

        (w, h) = await page.CanvasSizeAsync("sagittal");
        anterior = await page.ColourAsync("sagittal", Anterior.Color);
        superior = await page.ColourAsync("sagittal", Superior.Color);
        Assert.True(anterior.Count > 20 && anterior.X < (w / 2.0) - 10 && Math.Abs(anterior.Y - (h / 2.0)) < 10, $"sagittal: anterior shows left of centre ({anterior})");
        Assert.True(superior.Count > 20 && superior.Y < (h / 2.0) - 10, $"sagittal: superior shows above the centre ({superior})");
        Assert.Equal(0, (await page.ColourAsync("sagittal", Left.Color)).Count);
        page.AssertNoConsoleErrors();
    }

    /// <summary>The 3x3 voxel→RAS part of each test grid, and a shape covering about ±45 mm.</summary>
    private static (double[,] Linear, VolumeShape Shape) GridOf(string grid)
    {
        double[,] m = grid switch
        {
            "ras-iso" => Diagonal(1.5, 1.5, 1.5),
            // DICOM-derived NIfTI (LPS-ordered voxels): i towards the patient's left, j posterior; thick slices.
            "lps-aniso" => Diagonal(-0.8, -0.8, 2.5),
            // A left-handed grid: k runs from head to feet.
            "flipped-k" => Diagonal(1.2, 1.2, -2.0),
            "oblique" => Multiply(Multiply(RotationZ(25), RotationX(15)), Diagonal(1.2, 1.0, 2.0)),
            // A sagittal acquisition: i runs feet→head, j posterior→anterior, k right→left (anisotropic).
            "permuted" => new double[,] { { 0, 0, -2.0 }, { 0, 1.1, 0 }, { 1.3, 0, 0 } },
            _ => throw new ArgumentOutOfRangeException(nameof(grid)),
        };
        int Extent(int axis) => (int)Math.Ceiling(90 / Math.Sqrt((m[0, axis] * m[0, axis]) + (m[1, axis] * m[1, axis]) + (m[2, axis] * m[2, axis])));
        return (m, new VolumeShape(Extent(0), Extent(1), Extent(2)));
    }

    /// <summary>A CT (a gradient in HU) and the three bars, on a grid whose centre voxel sits at the world origin.</summary>
    private static (Volume<short> Ct, Volume<byte> Labels) Synthetic(double[,] m, VolumeShape shape)
    {
        double ci = (shape.X - 1) / 2.0, cj = (shape.Y - 1) / 2.0, ck = (shape.Z - 1) / 2.0;
        var t = new double[3];
        for (int r = 0; r < 3; r++)
        {
            t[r] = -((m[r, 0] * ci) + (m[r, 1] * cj) + (m[r, 2] * ck));
        }

        var affine = new Affine([m[0, 0], m[0, 1], m[0, 2], t[0], m[1, 0], m[1, 1], m[1, 2], t[1], m[2, 0], m[2, 1], m[2, 2], t[2], 0, 0, 0, 1]);
        var ct = Volume<short>.Zeros(shape, affine);
        var labels = Volume<byte>.Zeros(shape, affine);
        for (int k = 0; k < shape.Z; k++)
        {
            for (int j = 0; j < shape.Y; j++)
            {
                for (int i = 0; i < shape.X; i++)
                {
                    var (x, y, z) = affine.Apply(i, j, k);
                    long index = shape.IndexOf(i, j, k);
                    ct.Data[index] = (short)Math.Round((2 * x) + (3 * y) + z);
                    // RAS: the patient's left is -x, anterior +y, superior +z. Bars 8 mm thick, from 12 mm out.
                    labels.Data[index] =
                        x < -12 && Math.Abs(y) < 4 && Math.Abs(z) < 4 ? (byte)1
                        : y > 12 && Math.Abs(x) < 4 && Math.Abs(z) < 4 ? (byte)2
                        : z > 12 && Math.Abs(x) < 4 && Math.Abs(y) < 4 ? (byte)3
                        : (byte)0;
                }
            }
        }

        return (ct, labels);
    }

    private static double[,] Diagonal(double a, double b, double c) => new double[,] { { a, 0, 0 }, { 0, b, 0 }, { 0, 0, c } };

    private static double[,] RotationZ(double degrees)
    {
        double r = degrees * Math.PI / 180;
        return new double[,] { { Math.Cos(r), -Math.Sin(r), 0 }, { Math.Sin(r), Math.Cos(r), 0 }, { 0, 0, 1 } };
    }

    private static double[,] RotationX(double degrees)
    {
        double r = degrees * Math.PI / 180;
        return new double[,] { { 1, 0, 0 }, { 0, Math.Cos(r), -Math.Sin(r) }, { 0, Math.Sin(r), Math.Cos(r) } };
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var c = new double[3, 3];
        for (int r = 0; r < 3; r++)
        {
            for (int col = 0; col < 3; col++)
            {
                for (int n = 0; n < 3; n++)
                {
                    c[r, col] += a[r, n] * b[n, col];
                }
            }
        }

        return c;
    }
}
