using SegWeb.Inference.Tasks;
using SegWeb.Inference.Tests.Pipeline;
using SegWeb.Models.Catalog;
using SegWeb.Models.Packages;

namespace SegWeb.Inference.Tests.Tasks;

/// <summary>
/// `--task total [--fast|--fastest]` → the packages `segweb models install` (folder = catalogue model name) or
/// `segweb models synth` (part named after the imitated model) put in the models folder.
/// </summary>
public sealed class InstalledTaskModelsTests(DemoPackageFixture demo) : IClassFixture<DemoPackageFixture>
{
    private static readonly TaskCatalog Catalog = TaskCatalog.LoadEmbedded();

    [Fact]
    public void Default_total_is_its_five_part_packages_in_catalogue_order()
    {
        using var models = new TempDirectory("task-models");
        var parts = Catalog.Resolve("total").Models.Select(m => m.ModelName).ToList();
        Assert.Equal(5, parts.Count);
        // Installed in reverse order, so only the catalogue can give the order back.
        foreach (var name in parts.AsEnumerable().Reverse())
        {
            Install(models.File(name), name, "total");
        }

        var model = InstalledTaskModels.Resolve(models.Path, Catalog, "total");
        Assert.Equal(parts, model.Steps.Select(s => s.Package.Manifest.Name));
        Assert.Equal("total", model.Task);
    }

    [Fact]
    public void Fast_and_fastest_find_installed_folders_or_twins_and_a_missing_model_names_the_install_command()
    {
        using var models = new TempDirectory("task-models");
        var fast = Catalog.Resolve("total", fast: true).Models.Single().ModelName;
        var fastest = Catalog.Resolve("total", fastest: true).Models.Single().ModelName;
        Install(models.File(fast), fast, "total");
        // A twin: any folder name, its part named after the imitated model.
        Install(models.File("twin-total-fastest"), "twin-total-fastest", "total", partName: fastest);
        // Same part name but another task: not a match.
        Install(models.File("aaa-other"), "aaa-other", "body", partName: fastest);

        Assert.Equal(fast, Assert.Single(InstalledTaskModels.Resolve(models.Path, Catalog, "total", fast: true).Steps).Package.Manifest.Name);
        Assert.Equal("twin-total-fastest", Assert.Single(InstalledTaskModels.Resolve(models.Path, Catalog, "total", fastest: true).Steps).Package.Manifest.Name);

        var ex = Assert.Throws<InferenceException>(() => InstalledTaskModels.Resolve(models.Path, Catalog, "body", fast: true));
        Assert.Contains("segweb models install body --fast", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<InferenceException>(() => InstalledTaskModels.Resolve(models.File("absent"), Catalog, "total"));
        Assert.Contains("segweb models install total`", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Catalog.Resolve("total").Models[0].ModelName, ex.Message, StringComparison.Ordinal);
    }

    private void Install(string directory, string name, string task, string? partName = null) =>
        PartLabelMergerTests.RewriteManifest(demo.Package, directory, m => m with
        {
            Name = name,
            Task = task,
            Parts = [m.Parts[0] with { Name = partName ?? name }],
        });
}
