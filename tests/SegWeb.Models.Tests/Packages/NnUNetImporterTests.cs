using System.IO.Compression;
using System.Text.Json.Nodes;
using SegWeb.Models.Packages;
using SegWeb.Models.Tests.Parity;

namespace SegWeb.Models.Tests.Packages;

/// <summary>Importing results folders and zips into packages: manifest contents, provenance, refusals, atomicity.</summary>
public sealed class NnUNetImporterTests
{
    private const string Case = "plain_aniso_5stages_2ch";

    [SkippableFact]
    public void Manifest_carries_plans_dataset_and_checkpoint_facts()
    {
        var source = ParityCases.Folder(Case);
        using var temp = new TempDirectory("import");

        var package = NnUNetImporter.Import(source, temp.File("pkg"), new ImportOptions { Name = "demo", Licence = "CC-BY-4.0" });
        var m = package.Manifest;

        Assert.Equal("demo", m.Name);
        Assert.Equal("CT", m.Modality);
        Assert.Equal([1, 2, 3], m.Classes.Keys);
        Assert.Equal("class_2", m.Classes[2].Name);
        Assert.Equal([3.0, 1.5, 1.5], m.TargetSpacing);
        Assert.Equal([8, 32, 48], m.PatchSize);
        Assert.Equal([0, 1, 2], m.MirroringAxes);
        Assert.Equal(2, m.Normalization.Length);
        Assert.Equal("CTNormalization", m.Normalization[0].Scheme);
        Assert.Equal(-980.0, m.Normalization[0].ClipLow);
        Assert.Equal(1200.0, m.Normalization[0].ClipHigh);
        Assert.Equal(90.5, m.Normalization[0].Mean);
        Assert.Equal(200.25, m.Normalization[0].Std);
        Assert.Equal("ZScoreNormalization", m.Normalization[1].Scheme);
        Assert.Null(m.Normalization[1].Mean);
        var part = Assert.Single(m.Parts);
        Assert.Equal("nnUNetTrainer", part.Network.Trainer);
        Assert.Equal("nnUNetPlans", part.Network.Plans);
        Assert.Equal("3d_fullres", part.Network.Configuration);
        Assert.True(part.Network.Opset >= 17);
        Assert.Equal("CC-BY-4.0", m.Provenance.Licence);
        Assert.Equal(["fold_0.onnx"], m.Provenance.Sha256.Keys);
        Assert.Contains("fold_0/checkpoint_final.pth", m.Provenance.SourceSha256!.Keys);
        Assert.Empty(package.Verify());
        // The manifest round-trips through model.json.
        Assert.Equal(m.ToJson(), ModelPackage.Load(temp.File("pkg")).Manifest.ToJson());
        // Nothing but the package is left beside it (no staging folders).
        Assert.Equal(["pkg"], Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }

    [SkippableFact]
    public void Verify_reports_a_tampered_onnx_file()
    {
        using var temp = new TempDirectory("verify");
        var package = NnUNetImporter.Import(ParityCases.Folder(Case), temp.File("pkg"));
        var onnx = package.FoldFiles(package.Manifest.Parts[0])[0];
        var bytes = File.ReadAllBytes(onnx);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(onnx, bytes);

        var problem = Assert.Single(package.Verify());

        Assert.Contains("fold_0.onnx", problem, StringComparison.Ordinal);
        Assert.Contains("does not match", problem, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void TotalSegmentator_style_zip_is_found_and_imported()
    {
        using var temp = new TempDirectory("zip");
        var zip = temp.File("Dataset999.zip");
        var caseFolder = Path.Combine(ParityCases.Folder(Case), NnUNetReference.ConfigurationFolder);
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (var file in Directory.EnumerateFiles(caseFolder, "*", SearchOption.AllDirectories))
            {
                archive.CreateEntryFromFile(file, $"Dataset999_SegWebTest/{NnUNetReference.ConfigurationFolder}/{Path.GetRelativePath(caseFolder, file).Replace('\\', '/')}");
            }
        }

        var package = NnUNetImporter.Import(zip, temp.File("models/zipped"));

        Assert.Equal("Dataset999_SegWebTest", package.Manifest.Name); // default name: plans.json's dataset_name
        Assert.Equal(1, package.Manifest.Folds);
        Assert.Empty(package.Verify());
        Assert.Equal(["zipped"], Directory.EnumerateFileSystemEntries(temp.File("models")).Select(Path.GetFileName));
    }

    [SkippableFact]
    public void Unsupported_architecture_is_refused_with_the_class_and_leaves_nothing()
    {
        using var temp = new TempDirectory("unsupported");
        var folder = CopyCase(temp.File("src"));
        EditPlans(folder, plans => plans["configurations"]!["3d_fullres"]!["architecture"]!["network_class_name"] = "dynamic_network_architectures.architectures.unet.SwinUNETR");
        var target = temp.File("models/pkg");

        var ex = Assert.Throws<UnsupportedArchitectureException>(() => NnUNetImporter.Import(folder, target));

        Assert.Contains("SwinUNETR", ex.Message, StringComparison.Ordinal);
        Assert.Contains("plans.json", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.File("models")));
    }

    [SkippableFact]
    public void Checkpoint_that_does_not_match_the_plans_names_the_weight()
    {
        using var temp = new TempDirectory("mismatch");
        var folder = CopyCase(temp.File("src"));
        EditPlans(folder, plans => plans["configurations"]!["3d_fullres"]!["architecture"]!["arch_kwargs"]!["features_per_stage"] = new JsonArray(4, 8, 12, 16, 24));

        var ex = Assert.Throws<CheckpointFormatException>(() => NnUNetImporter.Import(folder, temp.File("models/pkg")));

        Assert.Contains("checkpoint_final.pth", ex.Message, StringComparison.Ordinal);
        Assert.Contains("shape", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.File("models")));
    }

    [SkippableFact]
    public void Truncated_checkpoint_in_a_results_folder_is_a_typed_error_naming_it()
    {
        using var temp = new TempDirectory("truncated-import");
        var folder = CopyCase(temp.File("src"));
        var checkpoint = Path.Combine(folder, "fold_0", "checkpoint_final.pth");
        var bytes = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(checkpoint, bytes[..(bytes.Length / 2)]);

        var ex = Assert.Throws<CheckpointFormatException>(() => NnUNetImporter.Import(folder, temp.File("models/pkg")));

        Assert.StartsWith(checkpoint + ":", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.File("models")));
    }

    [SkippableTheory]
    [InlineData("dataset.json")]
    [InlineData("plans.json")]
    [InlineData("fold_0/checkpoint_final.pth")]
    public void Missing_file_is_a_typed_error(string missing)
    {
        using var temp = new TempDirectory("missing");
        var folder = CopyCase(temp.File("src"));
        File.Delete(Path.Combine(folder, missing));

        var ex = Assert.ThrowsAny<ModelFormatException>(() => NnUNetImporter.Import(folder, temp.File("models/pkg")));

        Assert.Contains("nnU-Net results folder", ex.Message, StringComparison.Ordinal); // the folder no longer qualifies
        Assert.Contains(folder, ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Existing_package_is_kept_unless_overwrite()
    {
        using var temp = new TempDirectory("overwrite");
        var target = temp.File("pkg");
        NnUNetImporter.Import(ParityCases.Folder(Case), target);

        Assert.Throws<ModelFormatException>(() => NnUNetImporter.Import(ParityCases.Folder(Case), target));
        var again = NnUNetImporter.Import(ParityCases.Folder(Case), target, new ImportOptions { Overwrite = true, Name = "renamed" });

        Assert.Equal("renamed", again.Manifest.Name);
    }

    [SkippableTheory]
    [InlineData("plans.json", "{\"configurations\": {\"3d_fullres\": {\"UNet_class_name\": \"PlainConvUNet\", \"patch_size\": \"big\"}}}")]
    [InlineData("plans.json", "{\"transpose_forward\": [\"x\"], \"configurations\": {\"3d_fullres\": {}}}")]
    [InlineData("plans.json", "{\"configurations\": {\"3d_fullres\": {\"architecture\": {\"network_class_name\": 5}}}}")]
    [InlineData("plans.json", "not json at all")]
    [InlineData("dataset.json", "{\"channel_names\": {\"zero\": \"CT\"}, \"labels\": {\"background\": 0}}")]
    [InlineData("dataset.json", "{\"channel_names\": {\"0\": \"CT\"}, \"labels\": {\"background\": 0, \"a\": [1, 2]}}")]
    [InlineData("dataset.json", "{\"channel_names\": {\"0\": \"CT\"}, \"labels\": {\"background\": 0, \"a\": 5}}")]
    public void Malformed_json_is_a_typed_error_not_a_crash(string file, string content)
    {
        using var temp = new TempDirectory("malformed");
        var folder = CopyCase(temp.File("src"));
        File.WriteAllText(Path.Combine(folder, file), content);

        var ex = Assert.ThrowsAny<ModelFormatException>(() => NnUNetImporter.Import(folder, temp.File("models/pkg")));

        Assert.Contains(folder, ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.File("models")));
    }

    [SkippableFact]
    public void Several_configurations_need_a_choice()
    {
        using var temp = new TempDirectory("several");
        var fullres = CopyCase(temp.File("Dataset999"));
        var lowres = Path.Combine(Path.GetDirectoryName(fullres)!, "nnUNetTrainer__nnUNetPlans__3d_lowres");
        CopyDirectory(fullres, lowres);
        var root = temp.File("Dataset999");

        var ex = Assert.Throws<ModelFormatException>(() => NnUNetImporter.Import(root, temp.File("models/a")));
        Assert.Contains("several nnU-Net configurations", ex.Message, StringComparison.Ordinal);
        Assert.Contains("3d_lowres", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no configuration '2d'", Assert.Throws<ModelFormatException>(() =>
            NnUNetImporter.Import(root, temp.File("models/b"), new ImportOptions { Configuration = "2d" })).Message, StringComparison.Ordinal);

        var package = NnUNetImporter.Import(root, temp.File("models/c"), new ImportOptions { Configuration = "3d_fullres" });

        Assert.Equal("3d_fullres", package.Manifest.Parts[0].Network.Configuration);
        var byFolder = NnUNetImporter.Import(root, temp.File("models/d"), new ImportOptions { Configuration = "nnUNetTrainer__nnUNetPlans__3d_fullres" });
        Assert.Equal(package.Manifest.Provenance.Sha256, byFolder.Manifest.Provenance.Sha256);
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
    }

    private static string CopyCase(string target)
    {
        var folder = Path.Combine(target, NnUNetReference.ConfigurationFolder);
        CopyDirectory(Path.Combine(ParityCases.Folder(Case), NnUNetReference.ConfigurationFolder), folder);

        Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(target)!, "models"));
        return folder;
    }

    private static void EditPlans(string folder, Action<JsonNode> edit)
    {
        var path = Path.Combine(folder, "plans.json");
        var plans = JsonNode.Parse(File.ReadAllText(path))!;
        edit(plans);
        File.WriteAllText(path, plans.ToJsonString());
    }
}
