using Microsoft.Playwright;
using SegWeb.Imaging.Nifti;
using SegWeb.Server.Components.Viewer;
using Xunit.Abstractions;

namespace SegWeb.Server.Tests.Viewer;

/// <summary>The mouse bindings on the real example CT: wheel scrolls, Shift+right drag zooms, middle drag pans, a left click moves the crosshairs, right drag windows.</summary>
[Collection(ViewerBrowserCollection.Name)]
public sealed class ViewerMouseTests(ViewerBrowser browser, ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Wheel_drag_and_click_do_what_the_bindings_say()
    {
        string ctPath = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        string segPath = TestData.Require("totalsegmentator/example_seg.nii.gz");
        browser.Require();
        var (_, names) = MultilabelNifti.Read(segPath);
        var host = browser.Host!;
        await using var page = await ViewerPage.OpenAsync(browser, output, host.Serve(ctPath, "ct-mouse.nii.gz"), host.Serve(segPath, "seg-mouse.nii.gz"), StructurePalette.LabelsFor(names), opacity: 0.5);
        Assert.Equal("loaded", await page.StateAsync());
        var box = await page.Page.Locator(".segweb-viewport-axial").BoundingBoxAsync();
        Assert.NotNull(box);
        float cx = box.X + (box.Width / 2), cy = box.Y + (box.Height / 2);
        async Task<int[]> CentreVoxel(string view) =>
            await page.EvalAsync<int[]>($"(() => {{ const [w, h] = window.canvasSize('{view}'); return v.probe('{view}', w / 2, h / 2).voxel; }})()");
        async Task Settle() => await page.CallAsync("undefined");

        // Wheel: the next axial slice, same column and row.
        var before = await CentreVoxel("axial");
        await page.Page.Mouse.MoveAsync(cx, cy);
        await page.Page.Mouse.WheelAsync(0, 120);
        await Settle();
        var after = await CentreVoxel("axial");
        output.WriteLine($"wheel: centre voxel {string.Join(',', before)} → {string.Join(',', after)}");
        Assert.Equal(before[..2], after[..2]);
        Assert.Equal(1, Math.Abs(after[2] - before[2]));

        // Shift + right drag: zoom; two voxels a row apart end up a different distance apart on screen.
        double Distance(double[] a, double[] b) => Math.Sqrt(Math.Pow(a[0] - b[0], 2) + Math.Pow(a[1] - b[1], 2));
        string spanScript = $"[v.voxelToCanvas('axial', [20, 50, {after[2]}]), v.voxelToCanvas('axial', [100, 50, {after[2]}])].flat()";
        var span0 = await page.EvalAsync<double[]>(spanScript);
        await page.Page.Keyboard.DownAsync("Shift");
        await Drag(page.Page, cx, cy, 0, -60, MouseButton.Right);
        await page.Page.Keyboard.UpAsync("Shift");
        await Settle();
        var span1 = await page.EvalAsync<double[]>(spanScript);
        double zoom = Distance(span1[..2], span1[2..]) / Distance(span0[..2], span0[2..]);
        output.WriteLine($"shift+right drag: zoom factor {zoom:0.00}");
        Assert.True(Math.Abs(zoom - 1) > 0.05, $"zoom factor {zoom}");

        // Middle drag: pan; the voxel at the centre moves, the slice does not.
        var unpanned = await CentreVoxel("axial");
        await Drag(page.Page, cx, cy, 60, 0, MouseButton.Middle);
        await Settle();
        var panned = await CentreVoxel("axial");
        output.WriteLine($"middle drag: centre voxel {string.Join(',', unpanned)} → {string.Join(',', panned)}");
        Assert.Equal(unpanned[2], panned[2]);
        Assert.True(Math.Abs(panned[0] - unpanned[0]) >= 5, "panning 60 px moves the centre by several voxels");

        // Left click in the axial view: the crosshairs move there, so the sagittal view shows that column.
        var sagittalBefore = await CentreVoxel("sagittal");
        // A voxel well inside the body, a different column from the current sagittal slice.
        int column = sagittalBefore[0] > 60 ? 35 : 90;
        var at = await page.EvalAsync<double[]>($"v.voxelToCanvas('axial', [{column}, 55, {after[2]}])");
        float clickX = box.X + (float)at[0], clickY = box.Y + (float)at[1];
        var target = await page.EvalAsync<int[]>($"v.probe('axial', {at[0].ToString(System.Globalization.CultureInfo.InvariantCulture)}, {at[1].ToString(System.Globalization.CultureInfo.InvariantCulture)}).voxel");
        Assert.Equal(column, target[0]);
        await page.Page.Mouse.ClickAsync(clickX, clickY);
        // Cornerstone holds a click back for its double-click window (about 400 ms) before acting on it.
        await page.Page.WaitForTimeoutAsync(700);
        await Settle();
        var sagittalSlice = await page.EvalAsync<int>("(() => { const [w, h] = window.canvasSize('sagittal'); return v.probe('sagittal', w / 2, h / 2 + 40)?.voxel[0] ?? v.probe('sagittal', w / 2, h / 2).voxel[0]; })()");
        output.WriteLine($"left click at axial voxel {string.Join(',', target)}: sagittal slice {sagittalBefore[0]} → {sagittalSlice}");
        Assert.NotEqual(sagittalBefore[0], sagittalSlice);
        Assert.True(Math.Abs(sagittalSlice - target[0]) <= 1, $"the sagittal view shows column {sagittalSlice}, the click was on {target[0]}");
        // Right drag: window/level changes. Last, because in a quick scripted sequence the drags that followed a
        // right-button drag were ignored (Cornerstone's double-click / multi-button hold-back; see docs/viewer.md).
        var window0 = await page.EvalAsync<double[]>("[v.getWindow().width, v.getWindow().center]");
        await Drag(page.Page, cx, cy, 40, 30, MouseButton.Right);
        await Settle();
        var window1 = await page.EvalAsync<double[]>("[v.getWindow().width, v.getWindow().center]");
        output.WriteLine($"right drag: window {string.Join('/', window0)} → {string.Join('/', window1)}");
        Assert.NotEqual(window0, window1);

        await page.ScreenshotAsync("mouse-after-interaction");
        page.AssertNoConsoleErrors();
    }

    private static async Task Drag(IPage page, float x, float y, float dx, float dy, MouseButton button)
    {
        await page.Mouse.MoveAsync(x, y);
        await page.Mouse.DownAsync(new MouseDownOptions { Button = button });
        await page.Mouse.MoveAsync(x + (dx / 2), y + (dy / 2), new MouseMoveOptions { Steps = 4 });
        await page.Mouse.MoveAsync(x + dx, y + dy, new MouseMoveOptions { Steps = 4 });
        await page.Mouse.UpAsync(new MouseUpOptions { Button = button });
    }
}
