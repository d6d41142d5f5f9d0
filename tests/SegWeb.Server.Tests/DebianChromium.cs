using Microsoft.Playwright;

namespace SegWeb.Server.Tests;

/// <summary>
/// The one way the browser tests (UI and viewer) start a browser: Debian's Chromium, headless, driven by Playwright,
/// never a downloaded one; and the one rule for when it cannot run: skip with the reason, or fail under
/// SEGWEB_REQUIRE_REFERENCES=1 (CI, where deploy/setup.sh --tests has installed it).
/// </summary>
internal static class DebianChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Why the browser tests cannot run: Chromium or one of <paramref name="bundles"/> (built front-end files) missing; null if they can.</summary>
    public static string? Problem(params string[] bundles)
    {
        if (!File.Exists(ExecutablePath))
        {
            return $"Chromium is not installed at {ExecutablePath} (deploy/setup.sh --tests installs Debian's chromium)";
        }

        return bundles.FirstOrDefault(b => !File.Exists(b)) is { } missing
            ? $"the front end is not built ({missing} is missing): run `cd web && npm ci && npm run build` (deploy/setup.sh does) before the .NET build"
            : null;
    }

    /// <summary>Starts the browser.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Root in a container has no user-namespace sandbox (the pages are our own server's); no GPU on the build
            // machines: WebGL2 through SwiftShader, which Chromium now wants named explicitly.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"],
        });

    /// <summary>Skips the calling test with <paramref name="problem"/> (fails under SEGWEB_REQUIRE_REFERENCES=1); nothing when null.</summary>
    public static void Require(string? problem)
    {
        if (problem is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("SEGWEB_REQUIRE_REFERENCES") == "1")
        {
            throw new InvalidOperationException(problem);
        }

        Console.WriteLine($"skipped: {problem}");
        Skip.If(true, problem);
    }
}
