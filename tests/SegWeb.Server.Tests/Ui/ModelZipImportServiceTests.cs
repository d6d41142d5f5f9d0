using System.IO.Compression;
using SegWeb.Models.Packages;
using SegWeb.Server.Components.Services;

namespace SegWeb.Server.Tests.Ui;

/// <summary>The Models page's zip import: a good nnU-Net zip becomes a loadable package; bad zips are refused with one line and leave nothing behind.</summary>
public sealed class ModelZipImportServiceTests
{
    private static string DemoResults => Path.Combine(RepoPaths.Root, "models", "segweb-demo-nnunet", "Dataset900_SegWebDemo");

    [Fact]
    public async Task The_demo_model_zipped_is_imported_as_a_loadable_package()
    {
        using var work = new TempDirectory("ui-zipimport");
        string models = Path.Combine(work.Path, "models");
        string zip = work.File("demo.zip");
        ZipFile.CreateFromDirectory(DemoResults, zip, CompressionLevel.Fastest, includeBaseDirectory: true);

        await using var upload = File.OpenRead(zip);
        string summary = await new ModelZipImportService().ImportAsync(upload, "demo.zip", CancellationToken.None, models);

        var package = ModelPackage.Load(Path.Combine(models, "demo"));
        Assert.Contains("demo", summary, StringComparison.Ordinal);
        Assert.Equal(1, package.Manifest.Folds);
        Assert.NotEmpty(package.Manifest.Classes);
        // Only the package itself: no staging or extraction folder left beside it.
        Assert.Equal(["demo"], Directory.GetFileSystemEntries(models).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_zip_with_a_parent_directory_entry_is_refused_and_nothing_is_written()
    {
        using var work = new TempDirectory("ui-zipimport");
        string models = Path.Combine(work.Path, "models");
        Directory.CreateDirectory(models);
        string zip = work.File("evil.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            WriteEntry(archive, "results/dataset.json", "{}");
            WriteEntry(archive, "../evil", "owned");
        }

        await using var upload = File.OpenRead(zip);
        var ex = await Assert.ThrowsAsync<UiActionException>(() => new ModelZipImportService().ImportAsync(upload, "evil.zip", CancellationToken.None, models));

        Assert.Contains("outside", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Empty(Directory.GetFileSystemEntries(models));
        Assert.False(File.Exists(Path.Combine(work.Path, "evil")));
    }

    [Fact]
    public async Task A_zip_without_dataset_json_is_refused_and_nothing_is_written()
    {
        using var work = new TempDirectory("ui-zipimport");
        string models = Path.Combine(work.Path, "models");
        Directory.CreateDirectory(models);
        string zip = work.File("nodataset.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            WriteEntry(archive, "results/plans.json", "{}");
            WriteEntry(archive, "results/fold_0/checkpoint_final.pth", "not a checkpoint");
        }

        await using var upload = File.OpenRead(zip);
        var ex = await Assert.ThrowsAsync<UiActionException>(() => new ModelZipImportService().ImportAsync(upload, "nodataset.zip", CancellationToken.None, models));

        Assert.Contains("dataset.json", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(models));
    }

    [Fact]
    public async Task A_file_that_is_not_a_zip_is_refused()
    {
        using var work = new TempDirectory("ui-zipimport");
        string models = Path.Combine(work.Path, "models");
        Directory.CreateDirectory(models);
        await using var upload = new MemoryStream("this is not a zip"u8.ToArray());

        var ex = await Assert.ThrowsAsync<UiActionException>(() => new ModelZipImportService().ImportAsync(upload, "notazip.zip", CancellationToken.None, models));

        Assert.Contains("zip", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(models));
    }

    [Fact]
    public async Task An_upload_over_the_size_limit_is_refused()
    {
        using var work = new TempDirectory("ui-zipimport");
        string models = Path.Combine(work.Path, "models");
        Directory.CreateDirectory(models);
        await using var upload = new MemoryStream(new byte[5000]);

        var ex = await Assert.ThrowsAsync<UiActionException>(() => new ModelZipImportService().ImportAsync(upload, "big.zip", CancellationToken.None, models, maxBytes: 4096));

        Assert.Contains("larger than 4096", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(models));
    }

    [Theory]
    [InlineData("model.zip", "model")]
    [InlineData("../../etc/passwd.zip", "passwd")]
    [InlineData(@"C:\Users\x\My Model.ZIP", "My_Model")]
    public void The_package_name_is_the_file_name_reduced_to_safe_characters(string fileName, string expected)
        => Assert.Equal(expected, ModelZipImportService.PackageName(fileName));

    private static void WriteEntry(ZipArchive archive, string name, string text)
    {
        using var writer = new StreamWriter(archive.CreateEntry(name).Open());
        writer.Write(text);
    }
}
