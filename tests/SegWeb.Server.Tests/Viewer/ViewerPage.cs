using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using SegWeb.Server.Components.Viewer;
using Xunit.Abstractions;

namespace SegWeb.Server.Tests.Viewer;

/// <summary>One browser page with the viewer loaded, and the checks the tests make on it.</summary>
internal sealed class ViewerPage : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IBrowserContext _context;
    private readonly ITestOutputHelper _output;

    private ViewerPage(IBrowserContext context, IPage page, ITestOutputHelper output)
    {
        _context = context;
        Page = page;
        _output = output;
    }

    public IPage Page { get; }

    /// <summary>Console errors and uncaught exceptions of the page: any one fails the test.</summary>
    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Opens the test page on these files and waits until the viewer loaded (or failed: see State).</summary>
    public static async Task<ViewerPage> OpenAsync(ViewerBrowser browser, ITestOutputHelper output, string volumeUrl, string labelMapUrl, IEnumerable<ViewerLabel> labels, double opacity = 1)
    {
        var context = await browser.Browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 600 }, DeviceScaleFactor = 1 });
        var page = await context.NewPageAsync();
        var viewer = new ViewerPage(context, page, output);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                viewer.ConsoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => viewer.ConsoleErrors.Add(error);
        // The label table goes in through an init script: 117 labels are too long for a URL.
        await context.AddInitScriptAsync($"window.viewerTable = {JsonSerializer.Serialize(labels, Json)};");
        string query = $"volume={Uri.EscapeDataString(volumeUrl)}&labels={Uri.EscapeDataString(labelMapUrl)}&opacity={opacity.ToString(CultureInfo.InvariantCulture)}";
        await page.GotoAsync(new Uri(browser.Host!.Address, "/viewer-test.html?" + query).ToString());
        await page.WaitForFunctionAsync("() => window.viewerState !== undefined", null, new PageWaitForFunctionOptions { Timeout = 90_000 });
        return viewer;
    }

    /// <summary>"loaded" or "error: …".</summary>
    public Task<string> StateAsync() => Page.EvaluateAsync<string>("() => window.viewerState");

    /// <summary>Runs a script on the viewer (<c>v</c>) and waits for the views to redraw.</summary>
    public async Task CallAsync(string script)
    {
        await Page.EvaluateAsync($"async () => {{ const v = window.viewer; await ({script}); await window.nextFrames(); }}");
    }

    public Task<T> EvalAsync<T>(string script) => Page.EvaluateAsync<T>($"async () => {{ const v = window.viewer; return {script}; }}");

    public async Task<(int Width, int Height)> CanvasSizeAsync(string view)
    {
        var size = await Page.EvaluateAsync<int[]>($"() => window.canvasSize('{view}')");
        return (size[0], size[1]);
    }

    public Task<int[]> PixelAsync(string view, double x, double y) =>
        Page.EvaluateAsync<int[]>($"() => window.pixelAt('{view}', {x.ToString(CultureInfo.InvariantCulture)}, {y.ToString(CultureInfo.InvariantCulture)})");

    /// <summary>How many pixels of a view show this colour (within tol per channel), and their centroid in CSS pixels.</summary>
    public async Task<(int Count, double X, double Y)> ColourAsync(string view, IReadOnlyList<int> rgb, int tol = 10)
    {
        var r = await Page.EvaluateAsync<double[]>($"() => window.colourCentroid('{view}', [{rgb[0]}, {rgb[1]}, {rgb[2]}], {tol})");
        return ((int)r[0], r[1], r[2]);
    }

    public Task<double> ChecksumAsync(string view) => Page.EvaluateAsync<double>($"() => window.canvasChecksum('{view}')");

    /// <summary>Moves the mouse to a canvas position of a view and returns the readout (text, HU value, label value).</summary>
    public async Task<(string Text, double Value, int Label)> HoverAsync(string view, double x, double y)
    {
        var box = await Page.Locator($".segweb-viewport-{view}").BoundingBoxAsync() ?? throw new InvalidOperationException($"no {view} view");
        await Page.Mouse.MoveAsync((float)(box.X + x), (float)(box.Y + y));
        var readout = Page.Locator(".segweb-viewer-readout");
        string text = await readout.TextContentAsync() ?? "";
        string value = await readout.GetAttributeAsync("data-value") ?? "NaN";
        string label = await readout.GetAttributeAsync("data-label") ?? "-1";
        return (text, double.Parse(value, CultureInfo.InvariantCulture), int.Parse(label, CultureInfo.InvariantCulture));
    }

    /// <summary>Saves a screenshot of the page and prints where.</summary>
    public async Task ScreenshotAsync(string name)
    {
        string path = Path.Combine(ViewerBrowser.ScreenshotFolder, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        _output.WriteLine($"screenshot: {path}");
    }

    public void AssertNoConsoleErrors() =>
        Assert.True(ConsoleErrors.Count == 0, "browser console errors:\n" + string.Join('\n', ConsoleErrors));

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
    }
}
