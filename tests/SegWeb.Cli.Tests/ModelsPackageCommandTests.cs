using System.Text.Json.Nodes;

namespace SegWeb.Cli.Tests;

/// <summary>`segweb models import|list|verify|synth` end to end through the CLI.</summary>
public sealed class ModelsPackageCommandTests
{
    private static (int Code, string Stdout, string Stderr) Run(params string[] args) => TasksCommandTests.Run(args);

    [SkippableFact]
    public void Import_list_verify_a_pytorch_results_folder()
    {
        ReferencePython.Require("torch", "numpy");
        using var temp = new TempDirectory("cli-import");
        var results = Path.Combine(temp.Path, "results");
        var spec = new JsonObject
        {
            ["class"] = "PlainConvUNet", ["channels"] = 1, ["classes"] = 3, ["features"] = new JsonArray(2, 4, 8, 8),
            ["kernels"] = new JsonArray([.. Enumerable.Range(0, 4).Select(_ => (JsonNode)new JsonArray(3, 3, 3))]),
            ["strides"] = new JsonArray(new JsonArray(1, 1, 1), new JsonArray(2, 2, 2), new JsonArray(2, 2, 2), new JsonArray(2, 2, 2)),
            ["n_enc"] = new JsonArray(1, 1, 1, 1), ["n_dec"] = new JsonArray(1, 1, 1), ["input"] = new JsonArray(16, 16, 16),
            ["patch_size"] = new JsonArray(16, 16, 16), ["folds"] = 2,
        };
        var script = Path.Combine(RepoPaths.Root, "tests", "SegWeb.Models.Tests", "Python", "make_nnunet_results.py");
        const string driver = "import runpy, sys\nscript = sys.argv[1]\nsys.argv = sys.argv[1:]\nrunpy.run_path(script, run_name='__main__')\n";
        ReferencePython.Run(driver, script, spec.ToJsonString(), results);
        var models = Path.Combine(temp.Path, "models");

        var imported = Run("models", "import", results, "--models-dir", models, "--licence", "CC0-1.0");

        Assert.Equal("", imported.Stderr);
        Assert.Equal(0, imported.Code);
        Assert.StartsWith("imported Dataset999_SegWebTest: PlainConvUNet, 2 fold(s), 2 classes, patch [16, 16, 16]", imported.Stdout, StringComparison.Ordinal);
        var package = Path.Combine(models, "Dataset999_SegWebTest");
        Assert.True(File.Exists(Path.Combine(package, "model.json")));
        Assert.Equal(["Dataset999_SegWebTest"], Directory.EnumerateFileSystemEntries(models).Select(Path.GetFileName)); // no staging left

        var listed = Run("models", "list", "--models-dir", models);
        Assert.Equal(0, listed.Code);
        Assert.Equal("Dataset999_SegWebTest\tDataset999_SegWebTest\tCT\t2 classes\t1 part(s)\t2 fold(s)\t3×1.5×1.5 mm\tPlainConvUNet\n", listed.Stdout);

        var verified = Run("models", "verify", "Dataset999_SegWebTest", "--models-dir", models);
        Assert.Equal(0, verified.Code);
        Assert.Equal("Dataset999_SegWebTest: OK (2 file(s) match their SHA-256)\n", verified.Stdout);

        // The same name again is refused; --name imports a second copy.
        var again = Run("models", "import", results, "--models-dir", models);
        Assert.Equal(1, again.Code);
        Assert.Contains("already installed", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, Run("models", "import", results, "--models-dir", models, "--name", "copy").Code);
        Assert.Equal(2, Directory.EnumerateDirectories(models).Count());

        // Tampering is caught by verify.
        var onnx = Path.Combine(package, "fold_1.onnx");
        File.AppendAllText(onnx, "x");
        var failed = Run("models", "verify", "Dataset999_SegWebTest", "--models-dir", models);
        Assert.Equal(1, failed.Code);
        Assert.Contains("fold_1.onnx: SHA-256", failed.Stdout, StringComparison.Ordinal);
        Assert.Equal("segweb: Dataset999_SegWebTest: 1 file(s) fail verification\n", failed.Stderr.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_refusals_are_one_line_errors()
    {
        using var temp = new TempDirectory("cli-import-bad");
        var models = Path.Combine(temp.Path, "models");
        var missing = Path.Combine(temp.Path, "nothing-here");

        var (code, _, stderr) = Run("models", "import", missing, "--models-dir", models);
        Assert.Equal(1, code);
        Assert.Equal($"segweb: {missing}: no such folder or zip\n", stderr.Replace("\r\n", "\n", StringComparison.Ordinal));

        var empty = Directory.CreateDirectory(Path.Combine(temp.Path, "empty")).FullName;
        var noResults = Run("models", "import", empty, "--models-dir", models);
        Assert.Equal(1, noResults.Code);
        Assert.Contains("no nnU-Net results folder inside", noResults.Stderr, StringComparison.Ordinal);

        var badName = Run("models", "import", empty, "--models-dir", models, "--name", "../escape");
        Assert.Equal(1, badName.Code);
        Assert.Contains("not a valid model name", badName.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(models) && Directory.EnumerateFileSystemEntries(models).Any());
    }

    [Fact]
    public void List_and_verify_without_packages()
    {
        using var temp = new TempDirectory("cli-list");
        Directory.CreateDirectory(Path.Combine(temp.Path, "broken"));

        var listed = Run("models", "list", "--models-dir", temp.Path);
        Assert.Equal(0, listed.Code);
        Assert.StartsWith("broken\t(not a usable package: ", listed.Stdout, StringComparison.Ordinal);

        var verify = Run("models", "verify", "absent", "--models-dir", temp.Path);
        Assert.Equal(1, verify.Code);
        Assert.StartsWith("segweb: model 'absent' is not installed", verify.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Synth_writes_a_verified_twin_of_the_fast_model()
    {
        using var temp = new TempDirectory("cli-synth");

        var (code, stdout, stderr) = Run("models", "synth", "--like", "total-fastest", "--seed", "3", "--models-dir", temp.Path);

        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Contains("twin of Dataset298_TotalSegmentator_total_6mm_1559subj", stdout, StringComparison.Ordinal);
        Assert.Contains("118 outputs", stdout, StringComparison.Ordinal);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "twin-total-fastest", "model.json")))!;
        Assert.Equal("total", manifest["task"]!.GetValue<string>());
        Assert.Equal(117, manifest["classes"]!.AsObject().Count);
        Assert.Equal(0, Run("models", "verify", "twin-total-fastest", "--models-dir", temp.Path).Code);

        var unknown = Run("models", "synth", "--like", "nonsense-fast", "--models-dir", temp.Path);
        Assert.Equal(1, unknown.Code);
        Assert.Contains("no task 'nonsense'", unknown.Stderr, StringComparison.Ordinal);
        var ambiguous = Run("models", "synth", "--like", "total", "--models-dir", temp.Path);
        Assert.Equal(1, ambiguous.Code);
        Assert.Contains("total-part1", ambiguous.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Models_group_has_every_subcommand()
    {
        var (code, stdout, _) = Run("models", "--help");

        Assert.Equal(0, code);
        foreach (var sub in (string[])["install", "remove", "import", "list", "verify", "synth"])
        {
            Assert.Contains($"  {sub}", stdout, StringComparison.Ordinal);
        }
    }
}
