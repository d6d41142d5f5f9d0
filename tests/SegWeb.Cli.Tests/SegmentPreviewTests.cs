using System.Globalization;
using SegWeb.Imaging.Nifti;
using SegWeb.Models.Packages;
using SkiaSharp;

namespace SegWeb.Cli.Tests;

/// <summary>`segweb segment --preview` with the demo model on example_ct_sm: the PNG, its size, and the liver's colour where the liver is.</summary>
public sealed class SegmentPreviewTests(SegmentDemoModelFixture model) : IClassFixture<SegmentDemoModelFixture>
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";

    [SkippableFact]
    public void Preview_goes_beside_the_ml_file_and_shows_the_liver_in_its_colour_where_nibabel_sees_it_from_the_front()
    {
        var ctPath = TestData.Require(Ct);
        ReferencePython.Require("nibabel", "numpy");
        using var tmp = new TempDirectory("segment-preview");
        var output = tmp.File("seg.nii.gz");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", output, "--ml", "-p", "-q", "--model", model.PackageDirectory);

        Assert.True(code == 0, stderr);
        var manifest = ModelPackage.Load(model.PackageDirectory).Manifest;
        var previewPath = tmp.File($"preview_{manifest.Task}.png");
        Assert.Equal([Path.GetFileName(previewPath), "seg.nii.gz"], Directory.GetFiles(tmp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var bitmap = SKBitmap.Decode(previewPath);
        Assert.NotNull(bitmap);

        // nibabel, independently: the canonical (RAS) grid, and a column (x, z) well inside the region where the liver
        // is the most anterior label (3×3 neighbours too), nearest to that region's centre.
        const string script = """
            import sys
            import nibabel as nib, numpy as np
            seg = nib.as_closest_canonical(nib.load(sys.argv[1]))
            lab = np.asarray(seg.dataobj).astype(np.int32); liver = int(sys.argv[2])
            R, A, S = lab.shape; zr, za, zs = seg.header.get_zooms()[:3]
            fg = lab != 0
            idx = np.where(fg.any(axis=1), A - 1 - np.argmax(fg[:, ::-1, :], axis=1), -1)   # most anterior labelled y per (x, z)
            front = np.where(idx >= 0, np.take_along_axis(lab, np.clip(idx, 0, None)[:, None, :], axis=1)[:, 0, :], 0)
            inner = np.zeros_like(front, dtype=bool)
            inner[1:-1, 1:-1] = np.all([front[1 + dx:R - 1 + dx, 1 + dz:S - 1 + dz] == liver for dx in (-1, 0, 1) for dz in (-1, 0, 1)], axis=0)
            xs, zs_ = np.nonzero(inner)
            cx, cz = xs.mean(), zs_.mean()
            k = np.argmin((xs - cx) ** 2 + (zs_ - cz) ** 2)
            print(R, A, S, zr, za, zs, xs[k], zs_[k], int(inner.sum()))
            """;
        var liverId = manifest.Classes.Single(c => c.Value.Name == "liver").Key;
        var f = ReferencePython.Run(script, output, liverId.ToString(CultureInfo.InvariantCulture)).Trim().Split(' ');
        int r = int.Parse(f[0], CultureInfo.InvariantCulture), a = int.Parse(f[1], CultureInfo.InvariantCulture), s = int.Parse(f[2], CultureInfo.InvariantCulture);
        double zr = double.Parse(f[3], CultureInfo.InvariantCulture), za = double.Parse(f[4], CultureInfo.InvariantCulture), zs = double.Parse(f[5], CultureInfo.InvariantCulture);
        int x = int.Parse(f[6], CultureInfo.InvariantCulture), z = int.Parse(f[7], CultureInfo.InvariantCulture);
        Assert.True(int.Parse(f[8], CultureInfo.InvariantCulture) > 20, "the liver should be widely visible from the front");

        // The documented layout: 512 px high unless 1536 px width binds, one scale for both views, an 8 px gap.
        double scale = Math.Min(512 / (s * zs), (1536 - 8) / ((r * zr) + (a * za)));
        int height = (int)Math.Round(s * zs * scale, MidpointRounding.AwayFromZero);
        int coronalWidth = (int)Math.Round(r * zr * scale, MidpointRounding.AwayFromZero);
        int sagittalWidth = (int)Math.Round(a * za * scale, MidpointRounding.AwayFromZero);
        Assert.Equal((coronalWidth + 8 + sagittalWidth, height), (bitmap.Width, bitmap.Height));

        // Coronal view from the front: column from the patient's right (x = R − 1), row from the head (z = S − 1).
        int px = (int)((r - 1 - x + 0.5) * coronalWidth / r), py = (int)((s - 1 - z + 0.5) * height / s);
        // The package's recorded colour when it has one (TotalSegmentator's table), else the palette's colour for the id.
        var expected = manifest.Classes[liverId].Color is { } recorded
            ? new SKColor((byte)recorded[0], (byte)recorded[1], (byte)recorded[2])
            : ToSk(Inference.Preview.PreviewPalette.ForId(liverId));
        Assert.Equal(expected, bitmap.GetPixel(px, py));
        // …and the liver lies mostly on the patient's right, the left half of the coronal view.
        var liver = bitmap.GetPixel(px, py);
        int left = 0, right = 0;
        for (int row = 0; row < height; row++)
        {
            for (int col = 0; col < coronalWidth; col++)
            {
                if (bitmap.GetPixel(col, row) == liver)
                {
                    _ = col < coronalWidth / 2 ? left++ : right++;
                }
            }
        }

        Assert.True(left > 2 * right, $"liver pixels: {left} on the patient's right, {right} on the left");
    }

    private static SKColor ToSk(Inference.Preview.PreviewColor c) => new(c.R, c.G, c.B);

    [SkippableFact]
    public void Preview_goes_into_the_output_folder_without_ml_and_is_named_after_the_task()
    {
        var ctPath = TestData.Require(Ct);
        using var tmp = new TempDirectory("segment-preview");
        var output = tmp.File("masks");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ctPath, "-o", output, "--preview", "-q", "--model", model.PackageDirectory,
            "--task", "my task");

        // --task names an installed package, so with --model too the package comes from --model and --task only names the preview.
        Assert.True(code == 0, stderr);
        var preview = Path.Combine(output, "preview_my_task.png");
        Assert.True(File.Exists(preview), string.Join(", ", Directory.GetFiles(output)));
        Assert.Equal(8, Directory.GetFiles(output).Length); // 7 masks + the preview
        using var bitmap = SKBitmap.Decode(preview);
        Assert.True(bitmap is { Width: > 100, Height: > 50 });
    }
}
