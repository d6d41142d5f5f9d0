using System.Text.Json;

namespace SegWeb.Cli.Tests;

/// <summary>`segweb classes` against TotalSegmentator's own class maps.</summary>
public sealed class ClassesCommandTests
{
    [SkippableFact]
    public void Total_lists_117_classes_equal_to_totalsegmentator_map()
    {
        var source = TestData.Require("totalsegmentator/totalsegmentator_tasks.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(source));
        var expected = doc.RootElement.GetProperty("class_map").GetProperty("total").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString());

        var (code, stdout, _) = TasksCommandTests.Run("classes", "--task", "total", "--json");

        Assert.Equal(0, code);
        var actual = JsonDocument.Parse(stdout).RootElement.EnumerateObject().ToList();
        Assert.Equal(117, actual.Count);
        Assert.Equal(expected, actual.ToDictionary(p => p.Name, p => p.Value.GetString()));
        Assert.Equal(Enumerable.Range(1, 117).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), actual.Select(p => p.Name));
    }

    [Fact]
    public void Text_listing_has_a_header_and_one_line_per_class()
    {
        var (code, stdout, _) = TasksCommandTests.Run("classes", "--task", "total");

        Assert.Equal(0, code);
        var lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal("total: 117 classes", lines[0]);
        Assert.Equal(118, lines.Length);
        Assert.Equal("  5  liver", lines[5]);
        Assert.Equal("117  costal_cartilages", lines[117]);
    }

    [Fact]
    public void Default_task_is_total_and_other_tasks_list_their_own_map()
    {
        Assert.Equal(TasksCommandTests.Run("classes", "--task", "total").Stdout, TasksCommandTests.Run("classes").Stdout);
        var (code, stdout, _) = TasksCommandTests.Run("classes", "--task", "lung_vessels", "--json");
        Assert.Equal(0, code);
        Assert.Equal(4, JsonDocument.Parse(stdout).RootElement.EnumerateObject().Count());
    }

    [Fact]
    public void Unknown_task_is_one_error_line()
    {
        var (code, stdout, stderr) = TasksCommandTests.Run("classes", "--task", "totl");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("segweb: unknown task 'totl'; known tasks: total, ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }
}
