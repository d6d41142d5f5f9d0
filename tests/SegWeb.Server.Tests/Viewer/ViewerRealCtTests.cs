using SegWeb.Imaging.Nifti;
using SegWeb.Server.Components.Viewer;
using Xunit.Abstractions;

namespace SegWeb.Server.Tests.Viewer;

/// <summary>The viewer in Chromium on the real TotalSegmentator example CT and its official segmentation.</summary>
[Collection(ViewerBrowserCollection.Name)]
public sealed class ViewerRealCtTests(ViewerBrowser browser, ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Liver_shows_at_its_centre_hides_when_toggled_readout_and_window_presets_work()
    {
        string ctPath = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        string segPath = TestData.Require("totalsegmentator/example_seg.nii.gz");
        browser.Require();

        // The reference, computed here from the files: the liver voxel nearest the liver's centroid, and its HU.
        var (seg, names) = MultilabelNifti.Read(segPath);
        var ct = NiftiReader.Read(ctPath).Volume;
        int liver = names.Single(kv => kv.Value == "liver").Key;
        var (cx, cy, cz) = NearestVoxelToCentroid(seg.Volume, liver);
        var shape = ct.Shape;
        double hu = ct.GetValue(cx + ((long)shape.X * (cy + ((long)shape.Y * cz))));
        var labels = StructurePalette.LabelsFor(names);
        var liverColour = labels.Single(l => l.Value == liver).Color;

        var host = browser.Host!;
        await using var page = await ViewerPage.OpenAsync(browser, output, host.Serve(ctPath, "ct.nii.gz"), host.Serve(segPath, "seg.nii.gz"), labels);
        Assert.Equal("loaded", await page.StateAsync());
        await page.CallAsync($"v.jumpToVoxel([{cx}, {cy}, {cz}])");
        await page.ScreenshotAsync("real-ct-liver-centre");

        // Jumping puts the voxel at the centre of every view: the axial centre pixel is the liver's colour (opacity 1).
        var (w, h) = await page.CanvasSizeAsync("axial");
        var centre = await page.PixelAsync("axial", w / 2, h / 2);
        AssertColour(liverColour, centre, 12, "axial centre pixel with the liver shown");
        Assert.True((await page.ColourAsync("coronal", liverColour)).Count > 50, "the liver shows in the coronal view");
        Assert.True((await page.ColourAsync("sagittal", liverColour)).Count > 50, "the liver shows in the sagittal view");

        // The hover readout names the liver and gives the CT's value at that voxel.
        var readout = await page.HoverAsync("axial", w / 2.0, h / 2.0);
        output.WriteLine($"readout at the liver centre: {readout.Text} (expected {hu} HU)");
        Assert.Equal(liver, readout.Label);
        Assert.Equal(hu, readout.Value, 3);
        Assert.Contains("liver", readout.Text, StringComparison.Ordinal);

        // Liver off: its colour is gone from the axial view and the centre pixel is grey (the CT alone).
        await page.CallAsync($"v.setStructureVisible({liver}, false)");
        await page.ScreenshotAsync("real-ct-liver-hidden");
        Assert.Equal(0, (await page.ColourAsync("axial", liverColour, 6)).Count);
        var grey = await page.PixelAsync("axial", w / 2, h / 2);
        Assert.True(Math.Abs(grey[0] - grey[1]) <= 2 && Math.Abs(grey[1] - grey[2]) <= 2, $"the centre pixel is grey without the liver, was {string.Join(',', grey)}");

        // "Show only" the liver: it is back, and another structure of this slice is gone.
        var other = labels.First(l => l.Value != liver && CountInSlice(seg.Volume, l.Value, cz) > 30 && ColourDistance(l.Color, liverColour) > 60);
        await page.CallAsync($"v.setStructureVisible({liver}, true)");
        Assert.True((await page.ColourAsync("axial", other.Color, 6)).Count > 0, $"{other.Name} shows before 'show only liver'");
        await page.CallAsync($"v.showOnly({liver})");
        Assert.Equal(0, (await page.ColourAsync("axial", other.Color, 6)).Count);
        AssertColour(liverColour, await page.PixelAsync("axial", w / 2, h / 2), 12, "axial centre pixel after 'show only liver'");
        await page.CallAsync("v.showOnly(null)");
        Assert.True((await page.ColourAsync("axial", other.Color, 6)).Count > 0, $"{other.Name} is back after 'show all'");

        // Window presets change the picture (overlay off so only the CT counts), and going back restores it.
        await page.CallAsync("v.setOverlayOpacity(0)");
        double softTissue = await page.ChecksumAsync("axial");
        await page.CallAsync("v.setWindowPreset('lung')");
        await page.ScreenshotAsync("real-ct-lung-window");
        double lung = await page.ChecksumAsync("axial");
        var window = await page.EvalAsync<double[]>("[v.getWindow().width, v.getWindow().center]");
        Assert.Equal([1500.0, -600.0], window);
        await page.CallAsync("v.setWindowPreset('bone')");
        double bone = await page.ChecksumAsync("axial");
        await page.CallAsync("v.setWindowPreset('soft-tissue')");
        Assert.NotEqual(softTissue, lung);
        Assert.NotEqual(softTissue, bone);
        Assert.NotEqual(lung, bone);
        Assert.Equal(softTissue, await page.ChecksumAsync("axial"));
        page.AssertNoConsoleErrors();
    }

    [SkippableFact]
    public async Task Jump_to_structure_centres_every_view_on_that_structure()
    {
        string ctPath = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        string segPath = TestData.Require("totalsegmentator/example_seg.nii.gz");
        browser.Require();
        var (seg, names) = MultilabelNifti.Read(segPath);
        var labels = StructurePalette.LabelsFor(names);
        var host = browser.Host!;
        await using var page = await ViewerPage.OpenAsync(browser, output, host.Serve(ctPath, "ct2.nii.gz"), host.Serve(segPath, "seg2.nii.gz"), labels);
        Assert.Equal("loaded", await page.StateAsync());

        // Small, off-centre structures: the jump must land on them in all three views.
        foreach (string name in new[] { "spleen", "kidney_left", "aorta" })
        {
            var label = labels.Single(l => l.Name == name);
            Assert.True(await page.EvalAsync<bool>($"v.jumpToStructure({label.Value})"));
            await page.CallAsync("undefined");
            foreach (string view in new[] { "axial", "sagittal", "coronal" })
            {
                var (w, h) = await page.CanvasSizeAsync(view);
                var hover = await page.HoverAsync(view, w / 2.0, h / 2.0);
                Assert.True(hover.Label == label.Value, $"{view} centre after jumping to {name} shows label {hover.Label} ({hover.Text})");
            }
        }

        Assert.False(await page.EvalAsync<bool>("v.jumpToStructure(250)"));

        // A page that shows another job (Blazor navigating between results) disposes the viewer and makes a new one
        // in the same place: it must load and work again.
        string again = await page.EvalAsync<string>(
            "(async () => { v.dispose(); const m = await import('/dist/viewer.js'); " +
            "window.viewer = await m.createViewer(document.getElementById('viewer'), { volumeUrl: '/data/ct2.nii.gz', labelMapUrl: '/data/seg2.nii.gz', labels: window.viewerTable, overlayOpacity: 1 }); " +
            "return document.querySelectorAll('.segweb-viewport').length + ' views'; })()");
        Assert.Equal("3 views", again);
        var spleen = labels.Single(l => l.Name == "spleen");
        Assert.True(await page.EvalAsync<bool>($"v.jumpToStructure({spleen.Value})"));
        await page.CallAsync("undefined");
        var (aw, ah) = await page.CanvasSizeAsync("axial");
        Assert.Equal(spleen.Value, (await page.HoverAsync("axial", aw / 2.0, ah / 2.0)).Label);
        page.AssertNoConsoleErrors();
    }

    internal static (int X, int Y, int Z) NearestVoxelToCentroid(Imaging.Volumes.Volume labels, int value)
    {
        var s = labels.Shape;
        double sx = 0, sy = 0, sz = 0;
        long n = 0;
        for (int z = 0; z < s.Z; z++)
        {
            for (int y = 0; y < s.Y; y++)
            {
                for (int x = 0; x < s.X; x++)
                {
                    if (labels.GetValue(x + ((long)s.X * (y + ((long)s.Y * z)))) == value)
                    {
                        sx += x;
                        sy += y;
                        sz += z;
                        n++;
                    }
                }
            }
        }

        Assert.True(n > 0, $"label {value} is absent");
        (double mx, double my, double mz) = (sx / n, sy / n, sz / n);
        var best = (X: 0, Y: 0, Z: 0);
        double bestD = double.MaxValue;
        for (int z = 0; z < s.Z; z++)
        {
            for (int y = 0; y < s.Y; y++)
            {
                for (int x = 0; x < s.X; x++)
                {
                    double d = Math.Pow(x - mx, 2) + Math.Pow(y - my, 2) + Math.Pow(z - mz, 2);
                    if (d < bestD && labels.GetValue(x + ((long)s.X * (y + ((long)s.Y * z)))) == value)
                    {
                        (bestD, best) = (d, (x, y, z));
                    }
                }
            }
        }

        return best;
    }

    private static int CountInSlice(Imaging.Volumes.Volume labels, int value, int z)
    {
        var s = labels.Shape;
        int n = 0;
        for (long i = (long)s.X * s.Y * z, end = i + ((long)s.X * s.Y); i < end; i++)
        {
            n += labels.GetValue(i) == value ? 1 : 0;
        }

        return n;
    }

    private static int ColourDistance(IReadOnlyList<int> a, IReadOnlyList<int> b) =>
        Math.Abs(a[0] - b[0]) + Math.Abs(a[1] - b[1]) + Math.Abs(a[2] - b[2]);

    internal static void AssertColour(IReadOnlyList<int> expected, int[] actual, int tol, string what) =>
        Assert.True(
            Math.Abs(expected[0] - actual[0]) <= tol && Math.Abs(expected[1] - actual[1]) <= tol && Math.Abs(expected[2] - actual[2]) <= tol,
            $"{what}: expected about ({string.Join(',', expected)}), got ({string.Join(',', actual)})");
}
