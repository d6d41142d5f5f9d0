using System.Text.Json;
using SegWeb.Models.Catalog;
using SegWeb.Models.Download;

namespace SegWeb.Models.Tests.Download;

/// <summary>
/// Install end to end against the loopback server: download, verify, import, provenance. The importer is a
/// recording test double standing in for the nnU-Net importer (a collaborator owned elsewhere).
/// </summary>
public sealed class ModelInstallerTests : IDisposable
{
    private static readonly DownloadOptions FastRetries = new()
    {
        MaxAttempts = 3,
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        ProgressInterval = TimeSpan.Zero,
    };

    private readonly LoopbackHttpServer server = new();
    private readonly TempDirectory dir = new("install");
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly RecordingImporter importer = new();

    public void Dispose()
    {
        http.Dispose();
        server.Dispose();
        dir.Dispose();
    }

    [Fact]
    public async Task Install_downloads_verifies_imports_and_records_provenance()
    {
        var zip = new TestModelZip("Dataset997_Test");
        server.Files["/Dataset997_Test.zip"] = zip.Bytes;
        var model = Model(997, "Dataset997_Test", zip, server.UrlOf("/Dataset997_Test.zip"));
        var stages = new List<InstallStage>();

        var installed = await Installer().InstallAsync(Resolved(model), new InstallOptions { ModelsDir = dir.Path },
            new InlineProgress(p => stages.Add(p.Stage)));

        var call = Assert.Single(importer.Calls);
        Assert.Equal(dir.Path, call.ModelsDir);
        Assert.Equal("Dataset997_Test", call.Name);
        Assert.Equal(zip.Bytes, call.ZipBytes); // the importer got the verified zip, complete
        Assert.False(File.Exists(call.ZipPath), "the zip is removed after a successful import");

        var result = Assert.Single(installed);
        Assert.Equal(Path.Combine(dir.Path, "Dataset997_Test"), result.Folder);
        var provenance = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.Folder, ModelInstaller.ProvenanceFileName))).RootElement;
        Assert.Equal(zip.Sha256, provenance.GetProperty("zipSha256").GetString());
        Assert.Equal(zip.Bytes.Length, provenance.GetProperty("zipBytes").GetInt64());
        Assert.Equal(server.UrlOf("/Dataset997_Test.zip").ToString(), provenance.GetProperty("url").GetString());
        Assert.Equal("test_task", provenance.GetProperty("task").GetString());
        Assert.Equal(2, provenance.GetProperty("verifiedFiles").GetArrayLength());
        Assert.False(provenance.GetProperty("zipSha256Verified").GetBoolean());
        Assert.Equal(InstallStage.Installed, stages[^1]);
        Assert.Contains(InstallStage.Downloading, stages);
        Assert.True(ModelsDirectory.IsInstalled(dir.Path, model));
    }

    [Fact]
    public async Task Multi_part_install_uses_a_base_url_and_imports_each_part_in_order()
    {
        var first = new TestModelZip("Dataset901_PartA", seed: 11);
        var second = new TestModelZip("Dataset902_PartB", seed: 12);
        server.Files["/mirror/Dataset901_PartA.zip"] = first.Bytes;
        server.Files["/mirror/Dataset902_PartB.zip"] = second.Bytes;
        var resolved = Resolved(Model(901, "Dataset901_PartA", first, null), Model(902, "Dataset902_PartB", second, null));

        await Installer().InstallAsync(resolved, new InstallOptions { ModelsDir = dir.Path, UrlOverride = server.UrlOf("/mirror/") });

        Assert.Equal(new[] { "Dataset901_PartA", "Dataset902_PartB" }, importer.Calls.Select(c => c.Name));
        Assert.Equal(second.Bytes, importer.Calls[1].ZipBytes);

        // A single-file override cannot serve several parts.
        await Assert.ThrowsAsync<WeightsUnavailableException>(() => Installer().InstallAsync(resolved,
            new InstallOptions { ModelsDir = dir.File("other"), UrlOverride = server.UrlOf("/mirror/Dataset901_PartA.zip") }));
    }

    [Fact]
    public async Task Corrupt_download_imports_nothing_and_leaves_no_file()
    {
        var zip = new TestModelZip("Dataset997_Test");
        server.Files["/Dataset997_Test.zip"] = new TestModelZip("Dataset997_Test", seed: 5).Bytes;
        var model = Model(997, "Dataset997_Test", zip, server.UrlOf("/Dataset997_Test.zip"));

        await Assert.ThrowsAsync<ModelVerificationException>(() => Installer().InstallAsync(Resolved(model), new InstallOptions { ModelsDir = dir.Path }));

        Assert.Empty(importer.Calls);
        Assert.Empty(Directory.EnumerateFiles(dir.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Licence_only_weights_are_refused_before_any_download()
    {
        var open = Model(901, "Dataset901_PartA", new TestModelZip(), server.UrlOf("/Dataset901_PartA.zip"));
        var licensed = Model(303, "Dataset303_face_1559subj", new TestModelZip(), null) with { Availability = TaskAvailability.Licence };

        var ex = await Assert.ThrowsAsync<WeightsUnavailableException>(() =>
            Installer().InstallAsync(Resolved(open, licensed), new InstallOptions { ModelsDir = dir.Path }));

        Assert.Contains("needs a licence", ex.Message, StringComparison.Ordinal);
        Assert.Contains("segweb models import <zip>", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Installed_models_are_not_downloaded_again()
    {
        var model = Model(997, "Dataset997_Test", new TestModelZip(), server.UrlOf("/Dataset997_Test.zip"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "Dataset997_Test"));

        var result = await Installer().InstallAsync(Resolved(model), new InstallOptions { ModelsDir = dir.Path });

        Assert.Null(Assert.Single(result).Provenance);
        Assert.Empty(server.Requests);
        Assert.Empty(importer.Calls);
    }

    private ModelInstaller Installer() => new(new ModelDownloader(http, FastRetries), importer.ImportAsync);

    private static CatalogModel Model(int id, string folder, TestModelZip zip, Uri? url) => new()
    {
        DatasetId = id,
        ModelName = folder,
        FolderName = folder,
        ReleaseVersion = url is null ? null : "test",
        Url = url?.ToString(),
        Availability = TaskAvailability.Open,
        KnownFiles = zip.KnownFiles,
        Labels = [new CatalogLabel { Local = 1, Global = 1, Name = "liver" }],
    };

    private static ResolvedTask Resolved(params CatalogModel[] models)
    {
        var variant = new CatalogVariant
        {
            Name = "default",
            Trainer = "nnUNetTrainer_4000epochs_NoMirroring",
            Plans = "nnUNetPlans",
            Configuration = "3d_fullres",
            CropAddonVoxels = [3, 3, 3],
            RobustCrop = false,
            Models = models,
        };
        var task = new CatalogTask
        {
            Name = "test_task",
            Availability = TaskAvailability.Open,
            DisallowFast = true,
            Classes = [new CatalogClass { Id = 1, Name = "liver" }],
            Variants = [variant],
        };
        return new ResolvedTask(task, variant);
    }

    /// <summary>Records each import call and the zip it was given, then makes the model folder as an importer would.</summary>
    private sealed class RecordingImporter
    {
        public List<(string ZipPath, string ModelsDir, string? Name, byte[] ZipBytes)> Calls { get; } = [];

        public Task<string> ImportAsync(string zipPath, string modelsDir, string? name, CancellationToken cancellationToken)
        {
            Calls.Add((zipPath, modelsDir, name, File.ReadAllBytes(zipPath)));
            var folder = Path.Combine(modelsDir, name!);
            Directory.CreateDirectory(folder);
            return Task.FromResult(folder);
        }
    }

    private sealed class InlineProgress(Action<InstallProgress> report) : IProgress<InstallProgress>
    {
        public void Report(InstallProgress value) => report(value);
    }
}
