using System.Reflection;
using System.Text.Json;
using SegWeb.Models.Catalog;

namespace SegWeb.Models.Download;

/// <summary>
/// Imports a verified nnU-Net results zip into the models folder and returns the installed model's folder.
/// SegWeb's nnU-Net importer (<c>NnUNetImporter.Import</c>) is wired in here by the command line.
/// </summary>
/// <param name="zipPath">The verified zip.</param>
/// <param name="modelsDir">The models folder.</param>
/// <param name="name">The name to install the model under (the catalogue's <see cref="CatalogModel.ModelName"/>).</param>
/// <param name="cancellationToken">Cancels the import.</param>
public delegate Task<string> ModelImporter(string zipPath, string modelsDir, string? name, CancellationToken cancellationToken);

/// <summary>Where an install stands for one model.</summary>
public enum InstallStage
{
    /// <summary>The model's folder already exists; nothing is downloaded.</summary>
    AlreadyInstalled,

    /// <summary>The zip is downloading (see <see cref="InstallProgress.Download"/>).</summary>
    Downloading,

    /// <summary>The zip is verified and is being imported.</summary>
    Importing,

    /// <summary>The model is installed and its provenance recorded.</summary>
    Installed,
}

/// <summary>One install progress report.</summary>
/// <param name="Model">The model concerned.</param>
/// <param name="Index">Its 1-based position among the variant's models.</param>
/// <param name="Count">How many models the variant has.</param>
/// <param name="Stage">What is happening.</param>
/// <param name="Download">The download's progress while <see cref="InstallStage.Downloading"/>.</param>
public sealed record InstallProgress(CatalogModel Model, int Index, int Count, InstallStage Stage, DownloadProgress? Download = null);

/// <summary>What to install and from where.</summary>
public sealed record InstallOptions
{
    /// <summary>The models folder.</summary>
    public required string ModelsDir { get; init; }

    /// <summary>
    /// Fetch from here instead of the catalogue URL (a mirror, a licensed download, a test server). Ending in '/'
    /// it is a base that the model's <c>{folderName}.zip</c> is appended to; otherwise it is the zip itself and
    /// only allowed for single-model variants.
    /// </summary>
    public Uri? UrlOverride { get; init; }

    /// <summary>Keep the downloaded zip (under <c>{ModelsDir}/.downloads</c>) after a successful import.</summary>
    public bool KeepZip { get; init; }
}

/// <summary>Provenance of an installed model, written as <c>provenance.json</c> in its folder.</summary>
public sealed record ModelProvenance
{
    /// <summary>The task and variant it was installed for.</summary>
    public required string Task { get; init; }

    /// <summary>The variant (<c>default</c>, <c>fast</c>, <c>fastest</c>).</summary>
    public required string Variant { get; init; }

    /// <summary>The nnU-Net dataset id.</summary>
    public required int DatasetId { get; init; }

    /// <summary>The URL actually downloaded.</summary>
    public required string Url { get; init; }

    /// <summary>The catalogue URL (differs from <see cref="Url"/> when a mirror was used), or null.</summary>
    public string? CatalogUrl { get; init; }

    /// <summary>When the download finished (UTC, ISO 8601).</summary>
    public required DateTimeOffset DownloadedUtc { get; init; }

    /// <summary>Size of the zip in bytes.</summary>
    public required long ZipBytes { get; init; }

    /// <summary>SHA-256 of the zip as downloaded (always recorded).</summary>
    public required string ZipSha256 { get; init; }

    /// <summary>True when the zip's SHA-256 was checked against a published one.</summary>
    public required bool ZipSha256Verified { get; init; }

    /// <summary>Files in the zip whose published SHA-256 matched.</summary>
    public required IReadOnlyList<VerifiedEntry> VerifiedFiles { get; init; }

    /// <summary>The SegWeb version that installed it.</summary>
    public required string InstalledBy { get; init; }
}

/// <summary>The outcome for one model.</summary>
/// <param name="Model">The catalogue model.</param>
/// <param name="Folder">Its folder in the models folder.</param>
/// <param name="Provenance">What was downloaded, or null when it was already installed.</param>
public sealed record InstalledModel(CatalogModel Model, string Folder, ModelProvenance? Provenance);

/// <summary>
/// <c>segweb models install</c>: for each model of a resolved task variant, download the release zip (resume,
/// verify), hand it to the importer, and record provenance. Licence-only and unreleased weights need
/// <see cref="InstallOptions.UrlOverride"/> (or a manual <c>segweb models import</c>).
/// </summary>
public sealed class ModelInstaller
{
    /// <summary>Name of the provenance file written into each installed model's folder.</summary>
    public const string ProvenanceFileName = "provenance.json";

    private readonly ModelDownloader downloader;
    private readonly ModelImporter importer;

    public ModelInstaller(ModelDownloader downloader, ModelImporter importer)
    {
        ArgumentNullException.ThrowIfNull(downloader);
        ArgumentNullException.ThrowIfNull(importer);
        this.downloader = downloader;
        this.importer = importer;
    }

    /// <summary>Installs every model of <paramref name="resolved"/>; models already installed are left alone.</summary>
    public async Task<IReadOnlyList<InstalledModel>> InstallAsync(ResolvedTask resolved, InstallOptions options,
        IProgress<InstallProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resolved);
        ArgumentNullException.ThrowIfNull(options);
        var models = resolved.Models;
        // Check every model before downloading anything: a licence-only part must not be found after 4 GB of others.
        var urls = models.Select(m => SourceUrl(resolved, m, options)).ToList();

        var results = new List<InstalledModel>();
        for (int i = 0; i < models.Count; i++)
        {
            var model = models[i];
            var folder = ModelsDirectory.ModelFolder(options.ModelsDir, model);
            if (Directory.Exists(folder))
            {
                progress?.Report(new InstallProgress(model, i + 1, models.Count, InstallStage.AlreadyInstalled));
                results.Add(new InstalledModel(model, folder, null));
                continue;
            }

            results.Add(await InstallOneAsync(resolved, model, urls[i], options, i + 1, models.Count, progress, cancellationToken));
        }

        return results;
    }

    private async Task<InstalledModel> InstallOneAsync(ResolvedTask resolved, CatalogModel model, Uri url, InstallOptions options,
        int index, int count, IProgress<InstallProgress>? progress, CancellationToken ct)
    {
        var zipPath = Path.Combine(options.ModelsDir, ".downloads", model.ModelName + ".zip");
        var downloadProgress = progress is null ? null
            : new InlineProgress<DownloadProgress>(p => progress.Report(new InstallProgress(model, index, count, InstallStage.Downloading, p)));
        var download = await downloader.DownloadAsync(new DownloadRequest
        {
            Url = url,
            TargetPath = zipPath,
            ExpectedSize = model.ZipSize,
            ExpectedSha256 = model.ZipSha256,
            EntryHashes = model.KnownFiles,
        }, downloadProgress, ct);

        progress?.Report(new InstallProgress(model, index, count, InstallStage.Importing));
        var folder = await importer(download.Path, options.ModelsDir, model.ModelName, ct);
        var provenance = new ModelProvenance
        {
            Task = resolved.Task.Name,
            Variant = resolved.Variant.Name,
            DatasetId = model.DatasetId,
            Url = url.ToString(),
            CatalogUrl = model.Url,
            DownloadedUtc = DateTimeOffset.UtcNow,
            ZipBytes = download.Size,
            ZipSha256 = download.Sha256,
            ZipSha256Verified = download.Sha256Verified,
            VerifiedFiles = download.VerifiedEntries,
            InstalledBy = "segweb " + (typeof(ModelInstaller).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown"),
        };
        WriteProvenance(folder, provenance);
        if (!options.KeepZip)
        {
            File.Delete(download.Path);
        }

        progress?.Report(new InstallProgress(model, index, count, InstallStage.Installed));
        return new InstalledModel(model, folder, provenance);
    }

    private static Uri SourceUrl(ResolvedTask resolved, CatalogModel model, InstallOptions options)
    {
        if (options.UrlOverride is { } overrideUrl)
        {
            if (overrideUrl.AbsolutePath.EndsWith('/'))
            {
                return new Uri(overrideUrl, Uri.EscapeDataString((model.FolderName ?? model.ModelName) + ".zip"));
            }

            if (resolved.Models.Count > 1)
            {
                throw new WeightsUnavailableException(
                    $"task '{resolved.Task.Name}' ({resolved.Variant.Name}) has {resolved.Models.Count} models; give --url-override a base URL ending in '/' that serves each <folder>.zip");
            }

            return overrideUrl;
        }

        if (model.Url is { } url)
        {
            return new Uri(url);
        }

        string what = model.FolderName ?? $"dataset {model.DatasetId}";
        throw new WeightsUnavailableException(model.Availability == TaskAvailability.Licence
            ? $"task '{resolved.Task.Name}' needs a licence: the weights {what} are not public; get the zip from the TotalSegmentator authors and run `segweb models import <zip>` (or pass --url-override)"
            : $"task '{resolved.Task.Name}': the weights {what} have not been released; if you have the zip, run `segweb models import <zip>`");
    }

    // Written beside the imported model, atomically, so a crash never leaves a half-written provenance file.
    private static void WriteProvenance(string folder, ModelProvenance provenance)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, ProvenanceFileName);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(provenance, TaskCatalog.JsonOptions) + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>An IProgress that calls straight through (Progress&lt;T&gt; would post to a thread pool out of order).</summary>
    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
