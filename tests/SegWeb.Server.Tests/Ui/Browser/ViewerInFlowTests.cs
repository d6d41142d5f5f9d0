using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using SegWeb.Server.Components.Viewer;
using Xunit.Abstractions;

namespace SegWeb.Server.Tests.Ui.Browser;

/// <summary>
/// The viewer inside the real UI flow (issue 7): sign in, upload the example CT, watch the demo-model job finish, and
/// check on the result page's canvas that the liver's overlay shows at its centre, goes when its toggle is switched
/// off and comes back when switched on; statistics.json downloaded from the page equals the API's.
/// </summary>
public sealed class ViewerInFlowTests(BrowserFixture fixture, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";

    /// <summary>Half the side of the square around the axial canvas's centre in which the liver's colour is counted.</summary>
    private const int Half = 10;

    [SkippableFact]
    public async Task After_the_job_the_viewer_shows_the_liver_at_its_centre_and_its_toggle_hides_and_shows_it()
    {
        string ctPath = TestData.Require(Ct);
        fixture.Require();
        string email = $"ui-viewer-{Guid.NewGuid():N}@test.local";
        var (client, _, _) = await fixture.Server.NewUserAsync(email);
        client.Dispose();
        await using var ui = await UiSession.OpenAsync(fixture);
        await ui.SignInAsync(email, "User-Passw0rd!");

        await ui.Page.SetInputFilesAsync("#segweb-file-input", ctPath);
        Guid jobId = await ui.WaitForJobPageAsync();
        await ui.Page.WaitForSelectorAsync("a[data-output='statistics.json']", new PageWaitForSelectorOptions { Timeout = 90_000 });
        Assert.Equal("succeeded", (await ui.Page.InnerTextAsync(".segweb-state")).Trim());

        // The panel marks itself ready once createViewer resolved (both NIfTI files read, first render done).
        await ui.Page.WaitForSelectorAsync(".segweb-job-viewer[data-viewer-state='ready'], .segweb-job-viewer[data-viewer-state='error']",
            new PageWaitForSelectorOptions { Timeout = 60_000 });
        string state = await ui.Page.GetAttributeAsync(".segweb-job-viewer", "data-viewer-state") ?? "";
        Assert.True(state == "ready", $"viewer state {state}: {await ui.Page.InnerTextAsync(".segweb-job-viewer")}");

        // Full overlay opacity through the toolbar's slider, so the liver's pixels carry its palette colour unblended.
        await ui.Page.EvalOnSelectorAsync("input[aria-label='Overlay opacity']",
            "e => { e.value = '100'; e.dispatchEvent(new Event('change', { bubbles: true })); }");

        var (r, g, b) = StructurePalette.ColorOf("liver");
        int[] liver = [r, g, b];
        var row = ui.Page.Locator("table.segweb-structures tbody tr").Filter(new LocatorFilterOptions
        {
            Has = ui.Page.Locator("button.segweb-structure-name", new PageLocatorOptions { HasTextRegex = new System.Text.RegularExpressions.Regex("^liver$") }),
        });
        Assert.True(await row.CountAsync() == 1, "no single liver row in the structures table: " + await ui.Page.InnerTextAsync("table.segweb-structures"));
        var toggle = row.Locator("input[type='checkbox']");
        Assert.Equal("Show liver", await toggle.GetAttributeAsync("aria-label"));

        // Before the jump the axial view sits at the scan's middle slice; after it, the view is centred on the
        // liver's voxel nearest its centroid, so the liver's colour fills the square around the canvas centre.
        await row.Locator("button.segweb-structure-name").ClickAsync();
        int shown = await WaitForCentreCountAsync(ui, liver, n => n >= (2 * Half + 1) * (2 * Half + 1) / 2, "the liver's colour at the axial centre after the jump");
        output.WriteLine($"liver-coloured pixels in the {2 * Half + 1}² centre square: {shown}");
        await ui.ScreenshotAsync("08-viewer-liver");

        await toggle.UncheckAsync();
        int hidden = await WaitForCentreCountAsync(ui, liver, n => n == 0, "the liver's colour gone after its toggle was switched off");
        Assert.Equal(0, hidden);
        Assert.False(await toggle.IsCheckedAsync());
        await ui.ScreenshotAsync("09-viewer-liver-hidden");

        await toggle.CheckAsync();
        int back = await WaitForCentreCountAsync(ui, liver, n => n >= (2 * Half + 1) * (2 * Half + 1) / 2, "the liver's colour back after its toggle was switched on");
        Assert.Equal(shown, back);

        // statistics.json from the page's link equals the API's for the same job.
        var download = await ui.Page.RunAndWaitForDownloadAsync(() => ui.Page.ClickAsync("a[data-output='statistics.json']"));
        using var temp = new TempDirectory("ui-viewer-download");
        string saved = temp.File("statistics.json");
        await download.SaveAsAsync(saved);
        var api = await ui.Context.APIRequest.GetAsync($"/api/v1/jobs/{jobId}/results/statistics.json");
        Assert.Equal(200, api.Status);
        byte[] fromApi = await api.BodyAsync();
        Assert.Equal(fromApi, await File.ReadAllBytesAsync(saved));
        using var stats = JsonDocument.Parse(fromApi);
        Assert.True(stats.RootElement.TryGetProperty("liver", out _), "statistics.json has no liver entry");

        ui.AssertNoBrowserErrors();
    }

    /// <summary>
    /// Polls (Cornerstone redraws a few frames after each change) until the number of pixels within 10 per channel of
    /// <paramref name="rgb"/> in the square around the axial canvas's centre satisfies <paramref name="ok"/>; fails
    /// with the last count, the centre pixel and the canvas's size (300×150 = never laid out) otherwise.
    /// </summary>
    private static async Task<int> WaitForCentreCountAsync(UiSession ui, int[] rgb, Func<int, bool> ok, string what)
    {
        int count = -1;
        int[] centre = [];
        int[] canvas = [];
        for (int attempt = 0; attempt < 50; attempt++)
        {
            var result = await ui.Page.EvaluateAsync<int[]>(
                """
                ([r, g, b, half]) => {
                  const c = document.querySelector('.segweb-viewport-axial canvas');
                  const cx = Math.floor(c.width / 2), cy = Math.floor(c.height / 2);
                  const d = c.getContext('2d').getImageData(cx - half, cy - half, 2 * half + 1, 2 * half + 1).data;
                  let n = 0;
                  for (let i = 0; i < d.length; i += 4) {
                    if (Math.abs(d[i] - r) <= 10 && Math.abs(d[i + 1] - g) <= 10 && Math.abs(d[i + 2] - b) <= 10) n++;
                  }
                  const m = ((2 * half + 1) * half + half) * 4;
                  return [n, d[m], d[m + 1], d[m + 2], c.width, c.height, document.querySelectorAll('.segweb-viewport-axial canvas').length];
                }
                """,
                new[] { rgb[0], rgb[1], rgb[2], Half });
            count = result[0];
            centre = result[1..4];
            canvas = result[4..];
            if (ok(count))
            {
                return count;
            }

            await ui.Page.WaitForTimeoutAsync(100);
        }

        await ui.ScreenshotAsync("viewer-in-flow-failure");
        Assert.Fail(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {count} matching pixels of {(2 * Half + 1) * (2 * Half + 1)}; centre pixel rgb({string.Join(", ", centre)}), liver rgb({string.Join(", ", rgb)}); axial canvas {canvas[0]}×{canvas[1]} px ({canvas[2]} canvas elements)"));
        return count;
    }
}
