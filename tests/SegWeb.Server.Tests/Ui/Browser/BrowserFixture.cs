using Microsoft.Playwright;
using SegWeb.Models.Packages;
using SegWeb.Server.Tests.JobExecution;

namespace SegWeb.Server.Tests.Ui.Browser;

/// <summary>
/// Debian's Chromium driven headless by Playwright (never a downloaded browser), against the real server on Kestrel
/// with the demo model imported into a temporary package. One server and one browser for the class.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("ui-browser");
    private IPlaywright? _playwright;

    /// <summary>Why the browser tests cannot run here, or null.</summary>
    public string? Problem { get; private set; }

    public IBrowser Browser { get; private set; } = default!;

    internal SegWebServer Server { get; private set; } = default!;

    /// <summary>Where the screenshots go (printed by the tests): artifacts/ui-screenshots/ in the repository (git-ignored).</summary>
    public string ScreenshotFolder { get; } = Path.Combine(RepoPaths.Root, "artifacts", "ui-screenshots");

    public async Task InitializeAsync()
    {
        Problem = DebianChromium.Problem(Path.Combine(RepoPaths.Root, "src", "SegWeb.Server", "wwwroot", "dist", "upload.js"));
        if (Problem is not null)
        {
            return;
        }

        string package = NnUNetImporter.Import(Path.Combine(RepoPaths.Root, "models", "segweb-demo-nnunet"), _temp.File("segweb-demo")).Directory;
        Server = new SegWebServer(null, new Dictionary<string, string?>(JobExecutionServer.FastSettings)
        {
            ["SegWeb:Jobs:TimeoutSeconds"] = "120",
            ["SegWeb:Segmentation:ModelPath"] = package,
        });
        _ = Server.Address;

        Directory.CreateDirectory(ScreenshotFolder);
        _playwright = await Playwright.CreateAsync();
        Browser = await DebianChromium.LaunchAsync(_playwright);
    }

    /// <summary>Skips with the reason (fails under SEGWEB_REQUIRE_REFERENCES=1, where CI has installed Chromium).</summary>
    public void Require() => DebianChromium.Require(Problem);

    public async Task DisposeAsync()
    {
        if (Problem is null)
        {
            await Browser.DisposeAsync();
            _playwright?.Dispose();
            Server.Dispose();
        }

        _temp.Dispose();
    }
}
