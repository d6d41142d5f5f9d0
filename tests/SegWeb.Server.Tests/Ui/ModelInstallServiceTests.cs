using SegWeb.Server.Components.Services;

namespace SegWeb.Server.Tests.Ui;

/// <summary>The Models page's install: a server that cannot reach the weights gets a clear message and an untouched models folder.</summary>
public sealed class ModelInstallServiceTests
{
    [Fact]
    public async Task Installing_without_a_reachable_weights_server_says_so_and_installs_nothing()
    {
        using var models = new TempDirectory("ui-install");
        var lines = new List<string>();
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once, as with no network.
        var ex = await Assert.ThrowsAsync<UiActionException>(() => new ModelInstallService().InstallAsync(
            "total", new SynchronousProgress(lines), CancellationToken.None, models.Path, new Uri("http://127.0.0.1:9/")));

        Assert.StartsWith("could not install total: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:9", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.EnumerateDirectories(models.Path), d => !Path.GetFileName(d).StartsWith('.'));
    }

    [Fact]
    public async Task An_unknown_task_is_refused_with_its_name()
    {
        using var models = new TempDirectory("ui-install");
        var ex = await Assert.ThrowsAsync<UiActionException>(() => new ModelInstallService().InstallAsync(
            "no_such_task", new SynchronousProgress([]), CancellationToken.None, models.Path));
        Assert.Contains("no_such_task", ex.Message, StringComparison.Ordinal);
    }

    private sealed class SynchronousProgress(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }
}
