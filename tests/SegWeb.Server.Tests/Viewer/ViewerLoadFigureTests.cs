using System.Diagnostics;
using System.Globalization;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;
using SegWeb.Server.Components.Viewer;
using Xunit.Abstractions;

namespace SegWeb.Server.Tests.Viewer;

/// <summary>
/// The load figure the issue asks for: a synthetic 512×512×400 CT and its label map (.nii.gz, written by SegWeb's own
/// NIfTI writer as the server writes results) loaded from localhost, then a few interactions timed. The figures are
/// printed, not asserted (software WebGL on a shared 2-core machine says little about a workstation); the test
/// asserts that the big volume loads and draws.
/// </summary>
[Collection(ViewerBrowserCollection.Name)]
public sealed class ViewerLoadFigureTests(ViewerBrowser browser, ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Prints_load_and_interaction_times_for_a_512x512x400_ct()
    {
        browser.Require();
        var shape = new VolumeShape(512, 512, 400);
        // LPS-stored like a DICOM-derived CT: 0.78 mm pixels, 1.25 mm slices.
        var affine = new Affine([-0.78, 0, 0, 200, 0, -0.78, 0, 200, 0, 0, 1.25, -250, 0, 0, 0, 1]);
        var (ct, labels) = SyntheticCt(shape, affine);
        var host = browser.Host!;
        var write = Stopwatch.StartNew();
        NiftiWriter.Write(host.Data.File("big-ct.nii.gz"), ct);
        NiftiWriter.Write(host.Data.File("big-seg.nii.gz"), labels);
        output.WriteLine($"wrote the test files in {write.Elapsed.TotalSeconds:0.0} s: CT {new FileInfo(host.Data.File("big-ct.nii.gz")).Length / 1e6:0.0} MB, labels {new FileInfo(host.Data.File("big-seg.nii.gz")).Length / 1e6:0.0} MB (gzip)");

        var table = new[] { new ViewerLabel(1, "body", [200, 160, 120]), new ViewerLabel(5, "liver", [40, 140, 40]), new ViewerLabel(2, "spleen", [50, 170, 60]) };
        var wall = Stopwatch.StartNew();
        await using var page = await ViewerPage.OpenAsync(browser, output, "/data/big-ct.nii.gz", "/data/big-seg.nii.gz", table, opacity: 0.5);
        wall.Stop();
        Assert.Equal("loaded", await page.StateAsync());
        var timings = await page.EvalAsync<double[]>("[v.timings.downloadedMs, v.timings.scanInViewsMs, v.timings.firstRenderMs]");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"512×512×400 CT + label map: downloaded and inflated at {timings[0]:0} ms, scan in the views at {timings[1]:0} ms, first render with the segmentation at {timings[2]:0} ms (page navigation to loaded: {wall.ElapsedMilliseconds} ms)"));

        double Elapsed(double[] t) => t[1] - t[0];
        var preset = await page.EvalAsync<double[]>("(async () => { const t0 = performance.now(); v.setWindowPreset('lung'); await window.nextFrames(); return [t0, performance.now()]; })()");
        var scroll = await page.EvalAsync<double[]>("(async () => { const t0 = performance.now(); v.jumpToVoxel([300, 200, 120]); await window.nextFrames(); return [t0, performance.now()]; })()");
        var hide = await page.EvalAsync<double[]>("(async () => { const t0 = performance.now(); await v.setStructureVisible(5, false); return [t0, performance.now()]; })()");
        var jump = await page.EvalAsync<double[]>("(async () => { const t0 = performance.now(); v.jumpToStructure(2); await window.nextFrames(); return [t0, performance.now()]; })()");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"interaction (ms, until redrawn): window preset {Elapsed(preset):0}, move all views to a voxel {Elapsed(scroll):0}, hide a structure {Elapsed(hide):0}, first jump to a structure (its centroid over 100 M voxels) {Elapsed(jump):0}"));
        await page.ScreenshotAsync("load-512x512x400");

        // It did draw the big volume: the hidden liver is gone, the spleen (jumped to) is at the axial centre.
        var (w, h) = await page.CanvasSizeAsync("axial");
        var hover = await page.HoverAsync("axial", w / 2.0, h / 2.0);
        Assert.Equal(2, hover.Label);
        page.AssertNoConsoleErrors();
    }

    /// <summary>A body cylinder (40 HU in −1000 air) with a liver ellipsoid (label 5, 60 HU) and a spleen (label 2), label 1 the rest of the body.</summary>
    private static (Volume<short> Ct, Volume<byte> Labels) SyntheticCt(VolumeShape shape, Affine affine)
    {
        var ct = Volume<short>.Zeros(shape, affine);
        var labels = Volume<byte>.Zeros(shape, affine);
        Parallel.For(0, shape.Z, z =>
        {
            for (int y = 0; y < shape.Y; y++)
            {
                for (int x = 0; x < shape.X; x++)
                {
                    double dx = (x - 256) / 230.0, dy = (y - 256) / 180.0;
                    long i = shape.IndexOf(x, y, z);
                    bool body = (dx * dx) + (dy * dy) < 1;
                    double lx = (x - 170) / 90.0, ly = (y - 230) / 70.0, lz = (z - 200) / 120.0;
                    double sx = (x - 380) / 40.0, sy = (y - 300) / 40.0, sz = (z - 220) / 50.0;
                    bool liver = (lx * lx) + (ly * ly) + (lz * lz) < 1;
                    bool spleen = (sx * sx) + (sy * sy) + (sz * sz) < 1;
                    ct.Data[i] = (short)(!body ? -1000 : liver ? 60 + ((x + y + z) % 7) : spleen ? 45 : 40 + ((x * 3 + y) % 11));
                    labels.Data[i] = (byte)(!body ? 0 : liver ? 5 : spleen ? 2 : 1);
                }
            }
        });
        return (ct, labels);
    }
}
