using System.IO.Compression;
using SegWeb.Models.Catalog;
using SegWeb.Models.Download;
using SegWeb.Models.Packages;
using SegWeb.Models.Tests.Download;
using SegWeb.Models.Tests.Parity;

namespace SegWeb.Models.Tests.Packages;

/// <summary>
/// `models install` with the real importer: download from a loopback server, verify, import through
/// <see cref="CatalogImporter"/> (catalogue label map and task), and the installed package still reproduces
/// PyTorch's logits.
/// </summary>
public sealed class InstallWithImporterTests
{
    [SkippableFact]
    public async Task Installed_release_zip_becomes_a_package_with_the_catalogue_label_map()
    {
        var folder = ParityCases.Folder("plain_iso_4stages_1ch");
        using var temp = new TempDirectory("install-real");
        var zipPath = temp.File("Dataset997_Test.zip");
        ZipFile.CreateFromDirectory(Path.Combine(folder, NnUNetReference.ConfigurationFolder), zipPath, CompressionLevel.Fastest, includeBaseDirectory: true);
        using var server = new LoopbackHttpServer();
        server.Files["/Dataset997_Test.zip"] = await File.ReadAllBytesAsync(zipPath);
        var model = new CatalogModel
        {
            DatasetId = 997,
            ModelName = "Dataset997_Test",
            FolderName = "Dataset997_Test",
            ReleaseVersion = "test",
            Url = server.UrlOf("/Dataset997_Test.zip").ToString(),
            Availability = TaskAvailability.Open,
            KnownFiles = [],
            Labels = [new CatalogLabel { Local = 1, Global = 5, Name = "liver" }, new CatalogLabel { Local = 2, Global = 7, Name = "aorta" }],
        };
        var variant = new CatalogVariant
        {
            Name = "default", Trainer = "nnUNetTrainer", Plans = "nnUNetPlans", Configuration = "3d_fullres",
            CropAddonVoxels = [3, 3, 3], RobustCrop = false, Models = [model],
        };
        var task = new CatalogTask
        {
            Name = "test_task", Availability = TaskAvailability.Open, DisallowFast = true,
            Classes = [new CatalogClass { Id = 5, Name = "liver" }, new CatalogClass { Id = 7, Name = "aorta" }],
            Variants = [variant],
        };
        var catalog = new TaskCatalog(new TaskCatalogDocument { FormatVersion = 1, Source = "test", WeightsBaseUrl = "http://localhost/", Tasks = [task] });
        using var http = new HttpClient();
        var installer = new ModelInstaller(new ModelDownloader(http), CatalogImporter.Create(catalog));
        var models = temp.File("models");

        var installed = Assert.Single(await installer.InstallAsync(new ResolvedTask(task, variant), new InstallOptions { ModelsDir = models }));

        var package = ModelPackage.Load(installed.Folder);
        Assert.Equal("test_task", package.Manifest.Task);
        Assert.Equal("Dataset997_Test", package.Manifest.Name);
        Assert.Equal(new SortedDictionary<int, int> { [1] = 5, [2] = 7 }, package.Manifest.Parts[0].LabelMap);
        Assert.Equal([5, 7], package.Manifest.Classes.Keys);
        Assert.Equal("class_1", package.Manifest.Classes[5].Name); // the dataset's own names are kept
        Assert.True(File.Exists(Path.Combine(installed.Folder, ModelInstaller.ProvenanceFileName)));
        Assert.Empty(package.Verify());
        var (input, shape) = OnnxRunner.ReadFloat32(Path.Combine(folder, "input.npy"));
        var (expected, _) = OnnxRunner.ReadFloat32(Path.Combine(folder, "logits_fold0.npy"));
        Assert.True(OnnxRunner.RelativeError(OnnxRunner.Run(package.FoldFiles(package.Manifest.Parts[0])[0], input, shape, out _), expected) < 1e-4);
    }
}
