using System.Text.Json.Nodes;
using SegWeb.Models.Catalog;
using SegWeb.Models.Packages;
using SegWeb.Models.Twins;

namespace SegWeb.Models.Tests.Packages;

/// <summary>Loading packages: a manifest is input, so a hostile or inconsistent one is a typed error.</summary>
public sealed class ModelPackageTests
{
    private static string WriteTinyTwin(TempDirectory temp)
    {
        var full = ArchitectureTwin.Resolve("body-fast", TaskCatalog.LoadEmbedded());
        var twin = full with { Architecture = full.Architecture with { FeaturesPerStage = [2, 2, 2, 2, 2] } };
        return TwinPackageWriter.Write(twin, temp.File("pkg")).Directory;
    }

    [Theory]
    [InlineData("name", "null", "'name' is empty")]
    [InlineData("classes", "{\"0\": {\"name\": \"background\"}}", "'classes'")]
    [InlineData("patchSize", "[64, 64]", "'targetSpacing' and 'patchSize'")]
    [InlineData("targetSpacing", "[6, -6, 6]", "'targetSpacing' and 'patchSize'")]
    [InlineData("transposeForward", "[0, 0, 1]", "permutations")]
    [InlineData("mirroringAxes", "[3]", "'mirroringAxes'")]
    [InlineData("tileStepSize", "0", "'tileStepSize'")]
    [InlineData("folds", "2", "lists 1 files for 2 folds")]
    [InlineData("normalization", "[]", "'normalization' has 0 entries")]
    [InlineData("formatVersion", "2", "manifest format 2 is not supported")]
    public void Inconsistent_manifest_is_refused(string field, string json, string message)
    {
        using var temp = new TempDirectory("manifest");
        var dir = WriteTinyTwin(temp);
        var path = Path.Combine(dir, ModelManifest.FileName);
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        manifest[field] = JsonNode.Parse(json);
        File.WriteAllText(path, manifest.ToJsonString());

        var ex = Assert.ThrowsAny<ModelFormatException>(() => ModelPackage.Load(dir));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith(path + ":", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../pkg2/fold_0.onnx")]
    [InlineData("/etc/passwd")]
    public void Files_outside_the_package_are_refused(string file)
    {
        using var temp = new TempDirectory("escape");
        var dir = WriteTinyTwin(temp);
        Directory.CreateDirectory(temp.File("pkg2"));
        File.Copy(Path.Combine(dir, "fold_0.onnx"), temp.File("pkg2/fold_0.onnx"));
        var path = Path.Combine(dir, ModelManifest.FileName);
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        manifest["parts"]![0]!["files"] = new JsonArray(file);
        File.WriteAllText(path, manifest.ToJsonString());

        var ex = Assert.Throws<ModelFormatException>(() => ModelPackage.Load(dir));

        Assert.Contains("lies outside the package", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[1, 2]")]
    [InlineData("{\"formatVersion\": 1}")]
    public void Corrupt_manifest_is_refused(string content)
    {
        using var temp = new TempDirectory("corrupt-manifest");
        var dir = WriteTinyTwin(temp);
        File.WriteAllText(Path.Combine(dir, ModelManifest.FileName), content);

        Assert.ThrowsAny<ModelFormatException>(() => ModelPackage.Load(dir));
    }

    [Fact]
    public void Missing_onnx_file_is_named()
    {
        using var temp = new TempDirectory("missing-onnx");
        var dir = WriteTinyTwin(temp);
        File.Delete(Path.Combine(dir, "fold_0.onnx"));

        var ex = Assert.Throws<ModelFormatException>(() => ModelPackage.Load(dir));

        Assert.StartsWith(Path.Combine(dir, "fold_0.onnx") + ":", ex.Message, StringComparison.Ordinal);
    }
}
