using System.CommandLine;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using SegWeb.Cli.Commands;
using SegWeb.Models.Catalog;
using SegWeb.Models.Download;

namespace SegWeb.Cli.Tests;

/// <summary>
/// `segweb models install` end to end against an HTTP server in the test process (loopback only). The importer
/// is a recording test double for the nnU-Net importer, which another branch provides.
/// </summary>
public sealed class ModelsInstallCommandTests : IDisposable
{
    private const string Folder297 = "Dataset297_TotalSegmentator_total_3mm_1559subj";
    private const string Results297 = "nnUNetTrainer_4000epochs_NoMirroring__nnUNetPlans__3d_fullres";

    private readonly TempDirectory models = new("install-cli");
    private readonly byte[] checkpoint = RandomNumberGenerator.GetBytes(200_000);
    private readonly byte[] plans = "{\"plans_name\": \"nnUNetPlans\"}"u8.ToArray();

    public void Dispose() => models.Dispose();

    [Fact]
    public void Offline_is_one_line_with_the_import_route()
    {
        int port = ClosedPort();
        var url = $"http://127.0.0.1:{port}/{Folder297}.zip";

        var (code, _, stderr) = TasksCommandTests.Run("models", "install", "total", "--fast", "--models-dir", models.Path, "--url-override", url);

        Assert.Equal(1, code);
        Assert.Equal($"segweb: offline: cannot reach 127.0.0.1; download {url} elsewhere and run `segweb models import <zip>`{Environment.NewLine}", stderr);
    }

    [Fact]
    public void Download_that_does_not_match_the_published_dataset297_hashes_is_refused_and_removed()
    {
        using var server = new ZipServer(BuildZip());

        var (code, _, stderr) = TasksCommandTests.Run("models", "install", "total", "--fast", "--models-dir", models.Path, "--url-override", server.Url);

        Assert.Equal(1, code);
        Assert.Contains("expected 1e38e40356adc2706a662e365405a97f862d62a7da65f6bf81d025aee1b979ac", stderr, StringComparison.Ordinal);
        Assert.Contains($"is {Convert.ToHexStringLower(SHA256.HashData(checkpoint))}", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(models.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Install_prints_plain_progress_lines_imports_and_records_provenance()
    {
        var zip = BuildZip();
        using var server = new ZipServer(zip);
        var calls = new List<(string Zip, string? Name)>();
        ModelImporter importer = (zipPath, modelsDir, name, _) =>
        {
            calls.Add((zipPath, name));
            var folder = Path.Combine(modelsDir, name!);
            Directory.CreateDirectory(folder);
            return Task.FromResult(folder);
        };
        var root = new RootCommand { new Command("models") { ModelsInstallCommand.Create(() => importer, CatalogWithTestHashes()) } };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int code = CommandRunner.Invoke(root, ["models", "install", "total", "--fast", "--models-dir", models.Path, "--url-override", server.Url], stdout, stderr);

        Assert.Equal("", stderr.ToString());
        Assert.Equal(0, code);
        var text = stdout.ToString();
        Assert.Contains($"[1/1] {Folder297}: downloading 100% ", text, StringComparison.Ordinal);
        Assert.Contains($"[1/1] {Folder297}: verified, importing", text, StringComparison.Ordinal);
        Assert.Contains($"total (fast): 1 model(s) installed in {models.Path}", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', text);
        Assert.Equal(Folder297, Assert.Single(calls).Name);
        var provenance = File.ReadAllText(Path.Combine(models.Path, Folder297, ModelInstaller.ProvenanceFileName));
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(zip)), provenance, StringComparison.Ordinal);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public void Licence_only_task_is_refused_with_the_import_route()
    {
        var (code, _, stderr) = TasksCommandTests.Run("models", "install", "tissue_types", "--models-dir", models.Path);
        Assert.Equal(1, code);
        Assert.Contains("needs a licence", stderr, StringComparison.Ordinal);
        Assert.Contains("segweb models import <zip>", stderr, StringComparison.Ordinal);
    }

    // The embedded catalogue with Dataset297's published hashes swapped for this test's files.
    private TaskCatalog CatalogWithTestHashes()
    {
        var document = TaskCatalog.LoadEmbedded().Document;
        var tasks = document.Tasks.Select(t => t.Name != "total" ? t : t with
        {
            Variants = t.Variants.Select(v => v.Name != "fast" ? v : v with
            {
                Models = [v.Models[0] with
                {
                    KnownFiles =
                    [
                        new KnownFileHash { Path = $"{Results297}/fold_0/checkpoint_final.pth", Sha256 = Convert.ToHexStringLower(SHA256.HashData(checkpoint)) },
                        new KnownFileHash { Path = $"{Results297}/plans.json", Sha256 = Convert.ToHexStringLower(SHA256.HashData(plans)) },
                    ],
                }],
            }).ToList(),
        }).ToList();
        return new TaskCatalog(document with { Tasks = tasks });
    }

    private byte[] BuildZip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in new[] { ($"{Folder297}/{Results297}/plans.json", plans), ($"{Folder297}/{Results297}/fold_0/checkpoint_final.pth", checkpoint) })
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }

    private static int ClosedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>Serves one zip for any GET on a loopback HttpListener.</summary>
    private sealed class ZipServer : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly Task loop;
        private int requests;

        public ZipServer(byte[] content)
        {
            int port = ClosedPort();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            Url = $"http://127.0.0.1:{port}/{Folder297}.zip";
            loop = Task.Run(async () =>
            {
                while (listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await listener.GetContextAsync();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        return;
                    }

                    Interlocked.Increment(ref requests);
                    context.Response.ContentLength64 = content.Length;
                    await context.Response.OutputStream.WriteAsync(content);
                    context.Response.Close();
                }
            });
        }

        public string Url { get; }

        public int Requests => Volatile.Read(ref requests);

        public void Dispose()
        {
            listener.Stop();
            try
            {
                listener.Close();
            }
            catch (HttpListenerException)
            {
                // Seen on CI: the managed HttpListener's Close looks its endpoint up again and can fail with "Address
                // already in use" when another test process has taken the port meanwhile. The test's assertions have
                // run; a failed teardown of a loopback listener says nothing about them.
            }

            try
            {
                loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // Stopping the listener ends the loop.
            }
        }
    }
}
