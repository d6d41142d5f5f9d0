using SegWeb.Imaging;
using SegWeb.Models.Catalog;

namespace SegWeb.Models.Tests.Catalog;

/// <summary>The catalogue as shipped (embedded in SegWeb.Models): loading, resolving variants, errors.</summary>
public sealed class TaskCatalogTests
{
    private static readonly TaskCatalog Catalog = TaskCatalog.LoadEmbedded();

    [Fact]
    public void Embedded_catalogue_equals_the_committed_file()
    {
        var path = Path.Combine(RepoPaths.Root, "models", "catalog.json");
        var fromFile = TaskCatalog.Load(path);
        Assert.Equal(TaskCatalog.Serialize(fromFile.Document), TaskCatalog.Serialize(Catalog.Document));
        Assert.Equal(File.ReadAllText(path), TaskCatalog.Serialize(Catalog.Document));
    }

    [Fact]
    public void Resolve_maps_flags_to_variants()
    {
        Assert.Equal(5, Catalog.Resolve("total").Models.Count);
        Assert.Equal(297, Catalog.Resolve("total", fast: true).Models[0].DatasetId);
        Assert.Equal(298, Catalog.Resolve("total", fastest: true).Models[0].DatasetId);
        Assert.Equal(new[] { 850, 851 }, Catalog.Resolve("total_mr").Models.Select(m => m.DatasetId));
        Assert.Equal(300, Catalog.Resolve("body", fast: true).Models[0].DatasetId);
        // No fast variant and fast not disallowed: TotalSegmentator runs the one model.
        Assert.Equal(117, Catalog.Resolve("lung_vessels", fast: true).Models[0].DatasetId);
    }

    [Fact]
    public void Resolve_refuses_what_totalsegmentator_refuses()
    {
        Assert.Throws<SegWebException>(() => Catalog.Resolve("total", fast: true, fastest: true));
        var noFast = Assert.Throws<SegWebException>(() => Catalog.Resolve("liver_vessels", fast: true));
        Assert.Contains("no --fast variant", noFast.Message, StringComparison.Ordinal);
        Assert.Throws<SegWebException>(() => Catalog.Resolve("body", fastest: true));
        var unknown = Assert.Throws<SegWebException>(() => Catalog.Resolve("totl"));
        Assert.Contains("unknown task 'totl'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("total_mr", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Part_model_labels_map_local_ids_into_the_total_map()
    {
        var resolved = Catalog.Resolve("total");
        var vertebrae = resolved.Models.Single(m => m.DatasetId == 292);
        var map = ResolvedTask.LocalToGlobal(vertebrae);
        var classes = Catalog.Classes("total").ToDictionary(c => c.Id, c => c.Name);
        Assert.Equal("sacrum", classes[map[1]]);
        Assert.Equal(25, map[1]);
        Assert.Equal("vertebrae_C1", classes[map[26]]);
        var unknown = Catalog.Resolve("total_v3").Models[0];
        Assert.Throws<SegWebException>(() => ResolvedTask.LocalToGlobal(unknown));
    }

    [Fact]
    public void Serialize_round_trips()
    {
        var text = TaskCatalog.Serialize(Catalog.Document);
        Assert.Equal(text, TaskCatalog.Serialize(TaskCatalog.Parse(text, "test").Document));
    }

    [Fact]
    public void Bad_catalogue_files_are_typed_errors_naming_the_file()
    {
        using var dir = new TempDirectory("catalog");
        var truncated = dir.File("truncated.json");
        File.WriteAllText(truncated, File.ReadAllText(Path.Combine(RepoPaths.Root, "models", "catalog.json"))[..500]);
        var ex = Assert.Throws<ImageFormatException>(() => TaskCatalog.Load(truncated));
        Assert.StartsWith(truncated + ": not a SegWeb task catalogue", ex.Message, StringComparison.Ordinal);

        var wrongVersion = dir.File("v99.json");
        File.WriteAllText(wrongVersion, """{"formatVersion": 99, "source": "x", "weightsBaseUrl": "x", "tasks": []}""");
        Assert.Contains("format version 99", Assert.Throws<ImageFormatException>(() => TaskCatalog.Load(wrongVersion)).Message, StringComparison.Ordinal);

        var missingField = dir.File("missing.json");
        File.WriteAllText(missingField, """{"formatVersion": 1, "source": "x", "tasks": []}""");
        Assert.Throws<ImageFormatException>(() => TaskCatalog.Load(missingField));

        Assert.Throws<ImageFormatException>(() => TaskCatalog.Load(dir.File("absent.json")));

        var nullTask = dir.File("null-task.json");
        File.WriteAllText(nullTask, """{"formatVersion": 1, "source": "x", "weightsBaseUrl": "x", "tasks": [null]}""");
        Assert.Throws<ImageFormatException>(() => TaskCatalog.Load(nullTask));

        var nullName = dir.File("null-name.json");
        File.WriteAllText(nullName, """{"formatVersion": 1, "source": "x", "weightsBaseUrl": "x", "tasks": [{"name": null}]}""");
        Assert.Throws<ImageFormatException>(() => TaskCatalog.Load(nullName));

        // A model name that would climb out of the models folder is refused.
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "models", "catalog.json"));
        var climbing = dir.File("climbing.json");
        File.WriteAllText(climbing, text.Replace("\"modelName\": \"Dataset297_TotalSegmentator_total_3mm_1559subj\"", "\"modelName\": \"../../etc\"", StringComparison.Ordinal));
        Assert.Contains("not a plain folder name", Assert.Throws<ImageFormatException>(() => TaskCatalog.Load(climbing)).Message, StringComparison.Ordinal);
    }
}
