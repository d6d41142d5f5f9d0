namespace SegWeb.Cli.Tests;

/// <summary>`segweb models remove`: by task variant or by model folder, never outside the models folder.</summary>
public sealed class ModelsRemoveCommandTests
{
    [Fact]
    public void Remove_by_task_variant_deletes_only_that_variants_models()
    {
        using var models = new TempDirectory("remove");
        var fast = Path.Combine(models.Path, "Dataset297_TotalSegmentator_total_3mm_1559subj");
        var fastest = Path.Combine(models.Path, "Dataset298_TotalSegmentator_total_6mm_1559subj");
        Directory.CreateDirectory(Path.Combine(fast, "fold_0"));
        File.WriteAllText(Path.Combine(fast, "fold_0", "model.onnx"), "x");
        Directory.CreateDirectory(fastest);

        var (code, stdout, stderr) = TasksCommandTests.Run("models", "remove", "total", "--fast", "--models-dir", models.Path);

        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Equal("removed Dataset297_TotalSegmentator_total_3mm_1559subj\n", stdout);
        Assert.False(Directory.Exists(fast));
        Assert.True(Directory.Exists(fastest));
        Assert.Single(Directory.EnumerateFileSystemEntries(models.Path));
    }

    [Fact]
    public void Remove_by_model_name_and_refusals()
    {
        using var models = new TempDirectory("remove");
        Directory.CreateDirectory(Path.Combine(models.Path, "my_model"));

        Assert.Equal(0, TasksCommandTests.Run("models", "remove", "my_model", "--models-dir", models.Path).Code);
        Assert.False(Directory.Exists(Path.Combine(models.Path, "my_model")));

        var (code, _, stderr) = TasksCommandTests.Run("models", "remove", "my_model", "--models-dir", models.Path);
        Assert.Equal(1, code);
        Assert.StartsWith("segweb: nothing to remove: my_model not installed in ", stderr, StringComparison.Ordinal);

        var climbing = TasksCommandTests.Run("models", "remove", "../" + Path.GetFileName(models.Path), "--models-dir", models.Path);
        Assert.Equal(1, climbing.Code);
        Assert.Contains("neither a task nor a model folder name", climbing.Stderr, StringComparison.Ordinal);
        Assert.True(Directory.Exists(models.Path));
    }
}
