using Microsoft.Playwright;

namespace SegWeb.Server.Tests.Viewer;

/// <summary>
/// Debian's Chromium (headless, software WebGL through SwiftShader) driven by Playwright, shared by the viewer
/// tests, and the static host serving the built viewer bundle. Never downloads a browser. When Chromium or the
/// bundle is missing the tests skip with the reason, unless SEGWEB_REQUIRE_REFERENCES=1 (CI), where they fail.
/// </summary>
public sealed class ViewerBrowser : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser? Browser { get; private set; }

    public ViewerTestHost? Host { get; private set; }

    /// <summary>Why the browser tests cannot run here, or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>Where the tests put screenshots (printed by each test that writes one).</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(Path.GetTempPath(), "segweb-viewer-screenshots");

    public async Task InitializeAsync()
    {
        Problem = DebianChromium.Problem(Path.Combine(ViewerTestHost.DistFolder, "viewer.js"));
        if (Problem is not null)
        {
            return;
        }

        try
        {
            _playwright = await Playwright.CreateAsync();
            Browser = await DebianChromium.LaunchAsync(_playwright);
        }
        catch (PlaywrightException e)
        {
            Problem = $"Playwright could not start {DebianChromium.ExecutablePath}: {e.Message}";
            return;
        }

        Directory.CreateDirectory(ScreenshotFolder);
        Host = await ViewerTestHost.StartAsync();
    }

    /// <summary>Skips (or on CI fails) the calling test when the browser cannot run.</summary>
    public void Require() => DebianChromium.Require(Problem);

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>The viewer test classes share one browser and one host.</summary>
[CollectionDefinition(Name)]
public sealed class ViewerBrowserCollection : ICollectionFixture<ViewerBrowser>
{
    public const string Name = "viewer browser";
}
