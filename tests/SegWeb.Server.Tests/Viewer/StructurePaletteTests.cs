using System.Globalization;
using SegWeb.Server.Components.Viewer;

namespace SegWeb.Server.Tests.Viewer;

public sealed class StructurePaletteTests
{
    [SkippableFact]
    public void TotalSegmentator_classes_get_the_colour_of_its_snomed_table()
    {
        // The reference: TotalSegmentator's own CSV in the shared data, read here with a plain split (the colour is
        // the last, quoted "r,g,b" column; structure names have no commas).
        string csv = TestData.Require("totalsegmentator/totalsegmentator_snomed_mapping.csv");
        var lines = File.ReadAllLines(csv).Skip(1).Where(l => l.Length > 0).ToList();
        Assert.True(lines.Count > 100);
        foreach (var line in lines)
        {
            string name = line[..line.IndexOf(',', StringComparison.Ordinal)];
            string rgb = line[(line.LastIndexOf(",\"", StringComparison.Ordinal) + 2)..].TrimEnd('"');
            var expected = rgb.Split(',').Select(v => byte.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var (r, g, b) = StructurePalette.ColorOf(name);
            Assert.True(expected.SequenceEqual(new[] { r, g, b }), $"{name}: expected {rgb}, got {r},{g},{b}");
        }
    }

    [Fact]
    public void Other_names_get_a_stable_colour_of_their_own()
    {
        var a = StructurePalette.ColorOf("my_custom_structure");
        Assert.Equal(a, StructurePalette.ColorOf("my_custom_structure"));
        var others = new[] { "lesion", "tumour_left", "structure_a", "structure_b" }.Select(StructurePalette.ColorOf).ToList();
        Assert.Equal(others.Count + 1, others.Append(a).Distinct().Count());
        // Readable over a grey CT: never near-black or grey.
        foreach (var (r, g, b) in others.Append(a))
        {
            Assert.True(Math.Max(r, Math.Max(g, b)) - Math.Min(r, Math.Min(g, b)) > 60, $"({r},{g},{b}) is too grey");
        }
    }

    [Fact]
    public void LabelsFor_orders_by_value_and_leaves_out_the_background()
    {
        var labels = StructurePalette.LabelsFor(new Dictionary<int, string> { [5] = "liver", [0] = "background", [1] = "spleen" });
        Assert.Equal([1, 5], labels.Select(l => l.Value));
        Assert.Equal(["spleen", "liver"], labels.Select(l => l.Name));
        var (r, g, b) = StructurePalette.ColorOf("liver");
        Assert.Equal([r, g, b], labels[1].Color);
    }
}
