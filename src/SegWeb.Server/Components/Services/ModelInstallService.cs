using SegWeb.Imaging;
using SegWeb.Models.Catalog;
using SegWeb.Models.Download;
using SegWeb.Models.Packages;

namespace SegWeb.Server.Components.Services;

/// <summary>
/// Installs a catalogue task's weights from the Models page, with the same downloader, verification and importer as
/// <c>segweb models install</c>. A server without internet access gets the downloader's "offline" error as the
/// page's message; nothing half-installed is left (the installer imports only verified zips).
/// </summary>
public sealed class ModelInstallService
{
    /// <summary>Downloads, verifies and imports the task's default variant into <paramref name="modelsDir"/> (the server's models folder when null).</summary>
    /// <returns>A one-line summary.</returns>
    /// <exception cref="UiActionException">Unknown task, licence-only weights, no network, a failed verification.</exception>
    public async Task<string> InstallAsync(string task, IProgress<string> progress, CancellationToken cancellationToken, string? modelsDir = null, Uri? urlOverride = null)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var catalog = TaskCatalog.LoadEmbedded();
        var options = new InstallOptions { ModelsDir = modelsDir ?? TaskChoices.ModelsFolder(), UrlOverride = urlOverride };
        try
        {
            var resolved = catalog.Resolve(task);
            using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) }, disposeHandler: true)
            {
                Timeout = Timeout.InfiniteTimeSpan,
            };
            var installer = new ModelInstaller(new ModelDownloader(http), CatalogImporter.Create(catalog));
            var reporter = new Reporter(progress);
            var installed = await installer.InstallAsync(resolved, options, reporter, cancellationToken);
            return $"{task}: {installed.Count} model(s) installed in {options.ModelsDir}";
        }
        catch (Exception ex) when (ex is SegWebException or HttpRequestException or IOException)
        {
            throw new UiActionException($"could not install {task}: {ex.Message}", ex);
        }
    }

    private sealed class Reporter(IProgress<string> progress) : IProgress<InstallProgress>
    {
        public void Report(InstallProgress value)
        {
            string what = value.Stage switch
            {
                InstallStage.Downloading when value.Download is { } d =>
                    $"downloading {d.BytesReceived / 1e6:0.0}{(d.TotalBytes is { } t ? $" of {t / 1e6:0.0}" : "")} MB",
                _ => value.Stage.ToString().ToLowerInvariant(),
            };
            progress.Report($"[{value.Index}/{value.Count}] {value.Model.ModelName}: {what}");
        }
    }
}
