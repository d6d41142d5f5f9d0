using SegWeb.Cli;
using SegWeb.Cli.Commands;

namespace SegWeb.Cli.Tests;

/// <summary>`segweb tasks` through the real command tree.</summary>
public sealed class TasksCommandTests
{
    [Fact]
    public void Tasks_lists_every_catalogue_task_with_ids_classes_licence_and_installed()
    {
        using var models = new TempDirectory("tasks");
        // An installed fast model: the folder of Dataset297 exists.
        Directory.CreateDirectory(Path.Combine(models.Path, "Dataset297_TotalSegmentator_total_3mm_1559subj"));

        var (code, stdout, stderr) = Run("tasks", "--models-dir", models.Path);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var lines = stdout.Split('\n');
        Assert.Matches(@"^TASK\s+VARIANTS\s+DATASET IDS\s+CLASSES\s+WEIGHTS\s+INSTALLED$", lines[0]);
        Assert.Matches(@"^total\s+default,fast,fastest\s+291\+292\+293\+294\+295 / 297 / 298\s+117\s+open\s+fast$", lines[1]);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^tissue_types\s+default\s+481\s+3\s+licence\s+-$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^total_mr\s+default,fast,fastest\s+850\+851 / 852 / 853\s+50\s+open\s+-$"));
        int taskRows = lines.Skip(1).TakeWhile(l => l.Length > 0).Count();
        Assert.Equal(SegWeb.Models.Catalog.TaskCatalog.LoadEmbedded().Tasks.Count, taskRows);
        Assert.Contains("segweb models import <zip>", stdout, StringComparison.Ordinal);
    }

    internal static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = CommandRunner.Invoke(Program.BuildRootCommand(), args, stdout, stderr);
        return (code, stdout.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), stderr.ToString());
    }
}
