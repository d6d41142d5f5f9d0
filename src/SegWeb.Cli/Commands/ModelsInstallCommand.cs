using System.CommandLine;
using System.Globalization;
using SegWeb.Models.Catalog;
using SegWeb.Models.Download;

namespace SegWeb.Cli.Commands;

/// <summary>
/// `segweb models install &lt;task&gt; [--fast|--fastest]`: download the task's release zips (resume, progress),
/// verify them, import them with the nnU-Net importer and record provenance. Offline it says so in one line
/// and shows the manual `segweb models import` route.
/// </summary>
public static class ModelsInstallCommand
{
    /// <param name="importer">Makes what imports a verified zip (<see cref="SegWeb.Models.Packages.CatalogImporter"/> in the shipped CLI); called when the command runs.</param>
    /// <param name="catalog">The catalogue (default: the embedded one); tests pass their own.</param>
    /// <param name="downloadOptions">Retry policy (default: <see cref="DownloadOptions"/>'s).</param>
    public static Command Create(Func<ModelImporter> importer, TaskCatalog? catalog = null, DownloadOptions? downloadOptions = null)
    {
        ArgumentNullException.ThrowIfNull(importer);
        var task = new Argument<string>("task") { Description = "The task to install (see `segweb tasks`)." };
        var fast = new Option<bool>("--fast") { Description = "Install the fast (3 mm) variant." };
        var fastest = new Option<bool>("--fastest") { Description = "Install the fastest (6 mm) variant." };
        var modelsDir = new Option<string?>("--models-dir") { Description = "Models folder (default: $SEGWEB_MODELS_DIR or ~/.segweb/models)." };
        var urlOverride = new Option<Uri?>("--url-override")
        {
            Description = "Download from this URL instead (a mirror or licensed download); ending in '/' it is a base for each <folder>.zip.",
            CustomParser = result => Uri.TryCreate(result.Tokens[0].Value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? uri
                : ReportBadUrl(result),
        };
        var keepZip = new Option<bool>("--keep-zip") { Description = "Keep the downloaded zip under <models-dir>/.downloads." };
        var command = new Command("install", "Download, verify and import a TotalSegmentator task's models.")
        {
            task,
            fast,
            fastest,
            modelsDir,
            urlOverride,
            keepZip,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var resolved = (catalog ?? TaskCatalog.LoadEmbedded()).Resolve(parse.GetValue(task)!, parse.GetValue(fast), parse.GetValue(fastest));
            var options = new InstallOptions
            {
                ModelsDir = ModelsDirectory.Resolve(parse.GetValue(modelsDir)),
                UrlOverride = parse.GetValue(urlOverride),
                KeepZip = parse.GetValue(keepZip),
            };
            var output = parse.InvocationConfiguration.Output;
            using var http = CreateHttpClient();
            var installer = new ModelInstaller(new ModelDownloader(http, downloadOptions), importer());
            var progress = new ProgressPrinter(output, interactive: ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);
            var installed = await installer.InstallAsync(resolved, options, progress, cancellationToken);
            output.WriteLine($"{resolved.Task.Name} ({resolved.Variant.Name}): {installed.Count} model(s) installed in {options.ModelsDir}");
            return CommandRunner.ExitOk;
        });
        return command;
    }

    private static Uri? ReportBadUrl(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"--url-override must be an absolute http(s) URL, not '{result.Tokens[0].Value}'");
        return null;
    }

    // No overall timeout (a 1 GB zip takes a while); the downloader times out idle reads, the handler slow connects.
    private static HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) };
        var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("segweb/" + typeof(ModelsInstallCommand).Assembly.GetName().Version?.ToString(3));
        return client;
    }

    /// <summary>
    /// Prints install progress: on a terminal, one bar redrawn in place; otherwise (redirected, tests) plain lines,
    /// one per 10 % of each download, so logs stay short.
    /// </summary>
    private sealed class ProgressPrinter(TextWriter output, bool interactive) : IProgress<InstallProgress>
    {
        private const int BarWidth = 30;
        private int lastDecile = -1;
        private bool barShown;

        public void Report(InstallProgress value)
        {
            var prefix = $"[{value.Index}/{value.Count}] {value.Model.ModelName}";
            switch (value.Stage)
            {
                case InstallStage.AlreadyInstalled:
                    output.WriteLine($"{prefix}: already installed");
                    break;
                case InstallStage.Downloading when value.Download is { } d:
                    Download(prefix, d);
                    break;
                case InstallStage.Importing:
                    EndBar();
                    output.WriteLine($"{prefix}: verified, importing");
                    break;
                case InstallStage.Installed:
                    output.WriteLine($"{prefix}: installed");
                    lastDecile = -1;
                    break;
            }
        }

        private void Download(string prefix, DownloadProgress d)
        {
            double? fraction = d.TotalBytes is long total && total > 0 ? (double)d.BytesReceived / total : null;
            var amount = d.TotalBytes is long t ? $"{Megabytes(d.BytesReceived)}/{Megabytes(t)} MB" : $"{Megabytes(d.BytesReceived)} MB";
            var rate = $"{Megabytes((long)d.BytesPerSecond)} MB/s";
            if (interactive)
            {
                int filled = fraction is double f ? (int)Math.Round(f * BarWidth) : 0;
                var bar = new string('#', filled) + new string('-', BarWidth - filled);
                var percent = fraction is double p ? $"{p * 100,3:0}%" : "  ?%";
                output.Write($"\r{prefix} [{bar}] {percent} {amount} {rate}   ");
                barShown = true;
                return;
            }

            int decile = fraction is double g ? (int)Math.Floor(g * 10) : 0;
            if (decile != lastDecile)
            {
                lastDecile = decile;
                output.WriteLine($"{prefix}: downloading {(fraction is double h ? $"{h * 100:0}% " : "")}{amount} {rate}");
            }
        }

        private void EndBar()
        {
            if (barShown)
            {
                output.WriteLine();
                barShown = false;
            }
        }

        private static string Megabytes(long bytes) => (bytes / 1_000_000.0).ToString("0.0", CultureInfo.InvariantCulture);
    }
}
