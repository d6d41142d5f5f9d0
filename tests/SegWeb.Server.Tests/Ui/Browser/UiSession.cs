using System.Text.Json;
using Microsoft.Playwright;

namespace SegWeb.Server.Tests.Ui.Browser;

/// <summary>
/// One browser context and page: collects console errors and page errors (a test fails on any), signs in through
/// the form, takes screenshots and runs axe-core in the page.
/// </summary>
internal sealed class UiSession : IAsyncDisposable
{
    private static readonly Lazy<string> AxeSource = new(() =>
        File.ReadAllText(Path.Combine(RepoPaths.Root, "web", "node_modules", "axe-core", "axe.min.js")));

    private readonly List<string> _errors = [];
    private readonly BrowserFixture _fixture;

    private UiSession(BrowserFixture fixture, IBrowserContext context, IPage page)
    {
        _fixture = fixture;
        Context = context;
        Page = page;
        page.Console += (_, msg) =>
        {
            if (msg.Type == "error")
            {
                lock (_errors)
                {
                    _errors.Add($"console: {msg.Text} ({msg.Location})");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_errors)
            {
                _errors.Add($"page error: {error}");
            }
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public Uri Base => _fixture.Server.Address;

    public static async Task<UiSession> OpenAsync(BrowserFixture fixture)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.Server.Address.ToString(),
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(30_000);
        return new UiSession(fixture, context, await context.NewPageAsync());
    }

    /// <summary>Signs in through the static form, with the keyboard only (Tab to each field, Enter to submit).</summary>
    public async Task SignInAsync(string email, string password)
    {
        await Page.GotoAsync("/");
        Assert.Contains("/signin", Page.Url, StringComparison.Ordinal);
        await Page.FocusAsync("#signin-email");
        await Page.Keyboard.TypeAsync(email);
        await Page.Keyboard.PressAsync("Tab");
        await Page.Keyboard.TypeAsync(password);
        await Page.Keyboard.PressAsync("Enter");
        await Page.WaitForURLAsync(new Uri(Base, "/").ToString());
        await WaitForCircuitAsync();
    }

    /// <summary>Waits until the home page is interactive: the upload module has attached to the drop zone (after the circuit started).</summary>
    public async Task WaitForCircuitAsync() =>
        await Page.WaitForSelectorAsync("#segweb-dropzone[data-upload-ready='true']");

    /// <summary>
    /// After a drop: waits until the page has moved to the job it created (the default, no click), or fails with
    /// the upload row's message when the upload failed.
    /// </summary>
    public async Task<Guid> WaitForJobPageAsync()
    {
        try
        {
            await Page.WaitForFunctionAsync(
                "() => /\\/jobs\\/[0-9a-f-]{36}$/.test(location.pathname) || document.querySelector('[data-upload-state=failed]') !== null",
                null, new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 100 });
        }
        catch (TimeoutException)
        {
            await ScreenshotAsync("stuck-upload");
            string uploads = await Page.Locator(".segweb-uploads").CountAsync() > 0 ? await Page.InnerTextAsync(".segweb-uploads") : "(no upload rows)";
            Assert.Fail($"no job page after 60 s; uploads: {uploads}; browser errors: {string.Join(" | ", Errors)}");
        }
        var match = System.Text.RegularExpressions.Regex.Match(Page.Url, "/jobs/([0-9a-f-]{36})$");
        if (!match.Success)
        {
            await ScreenshotAsync("failed-upload");
            Assert.Fail("the upload failed: " + await Page.InnerTextAsync("[data-upload-state=failed]"));
        }

        return Guid.Parse(match.Groups[1].Value);
    }

    /// <summary>
    /// Focuses the element and presses Enter, expecting a file chooser. Blazor's FocusOnNavigate moves the focus to
    /// the h1 once the circuit has rendered, which on a loaded machine can land after the test's focus; so the
    /// focus is checked and the attempt repeated (three times at most).
    /// </summary>
    public async Task<IFileChooser> OpenFileChooserWithEnterAsync(string selector)
    {
        for (int attempt = 1; ; attempt++)
        {
            await Page.FocusAsync(selector);
            await Page.WaitForTimeoutAsync(200);
            if (!await Page.EvaluateAsync<bool>("s => document.activeElement === document.querySelector(s)", selector))
            {
                Assert.True(attempt < 3, $"{selector} does not keep the keyboard focus");
                continue;
            }

            try
            {
                return await Page.RunAndWaitForFileChooserAsync(
                    () => Page.Keyboard.PressAsync("Enter"), new PageRunAndWaitForFileChooserOptions { Timeout = 5000 });
            }
            catch (TimeoutException) when (attempt < 3)
            {
                // Focus moved between the check and the key press: try again.
            }
        }
    }

    /// <summary>A full-page screenshot named after the page; returns its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        string path = Path.Combine(_fixture.ScreenshotFolder, $"{name}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 1000, $"screenshot {path} is empty");
        return path;
    }

    /// <summary>Runs axe-core in the page; returns the serious and critical violations as "id: help (targets)".</summary>
    public async Task<IReadOnlyList<string>> AxeSeriousViolationsAsync()
    {
        // MudBlazor animates labels and fields in (CSS transitions): a colour read mid-transition fails contrast at
        // random (seen on the account page under load), so let running animations finish first.
        await Page.EvaluateAsync("() => Promise.all(document.getAnimations()" +
            ".filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)" + // spinners never finish
            ".map(a => a.finished.catch(() => null)))");

        // Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') does not block it.
        await Page.EvaluateAsync(AxeSource.Value + "\n;0");
        var json = await Page.EvaluateAsync<JsonElement>(
            "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations" +
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')" +
            ".map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')')");
        return json.EnumerateArray().Select(e => e.GetString() ?? "").ToList();
    }

    /// <summary>Screenshot plus axe: the page must have no serious or critical accessibility violation.</summary>
    public async Task CheckPageAsync(string name)
    {
        await ScreenshotAsync(name);
        var violations = await AxeSeriousViolationsAsync();
        Assert.True(violations.Count == 0, $"{name}: axe found serious/critical violations:\n{string.Join("\n", violations)}");
    }

    /// <summary>Console and page errors so far.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToList();
            }
        }
    }

    /// <summary>Fails on any console or page error except those containing one of <paramref name="expected"/>.</summary>
    public void AssertNoBrowserErrors(params string[] expected)
    {
        var unexpected = Errors.Where(e => !expected.Any(x => e.Contains(x, StringComparison.Ordinal))).ToList();
        Assert.True(unexpected.Count == 0, "browser console errors:\n" + string.Join("\n", unexpected));
    }

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
