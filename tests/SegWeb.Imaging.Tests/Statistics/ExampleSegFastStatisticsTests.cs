using System.Globalization;
using System.Text.Json;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Statistics;

namespace SegWeb.Imaging.Tests.Statistics;

/// <summary>
/// The acceptance check: TotalSegmentator's own statistics.json for example_ct_sm.nii.gz (written by
/// <c>--fast --statistics -sii</c>) reproduced from its masks and from its multilabel output.
/// </summary>
public class ExampleSegFastStatisticsTests
{
    private const string Folder = "totalsegmentator/example_seg_fast";

    [SkippableFact]
    public void Per_structure_masks_reproduce_statistics_json_exactly()
    {
        var image = NiftiReader.Read(TestData.Require("totalsegmentator/example_ct_sm.nii.gz"));
        var folder = TestData.Require(Folder);
        var expectedText = File.ReadAllText(Path.Combine(folder, "statistics.json"));
        var names = ExpectedNames(expectedText);
        Assert.Equal(117, names.Count);

        var options = new StatisticsOptions { IncludeIncomplete = true, VoxelSpacing = Zooms(image.Header) };
        var report = StatisticsReport.FromMasks(image.Volume,
            names.Select(n => KeyValuePair.Create(n, (Func<SegWeb.Imaging.Volumes.Volume>)(() => NiftiReader.Read(Path.Combine(folder, n + ".nii.gz")).Volume))),
            options);

        AssertMatches(expectedText, report.Structures);
        Assert.Equal(expectedText, report.ToJson()); // same doubles and Python's float repr: the same bytes
    }

    [SkippableFact]
    public void The_multilabel_output_with_its_label_table_reproduces_statistics_json()
    {
        var image = NiftiReader.Read(TestData.Require("totalsegmentator/example_ct_sm.nii.gz"));
        var (labels, classNames) = MultilabelNifti.Read(TestData.Require("totalsegmentator/example_seg_fast.nii.gz"));
        var expectedText = File.ReadAllText(Path.Combine(TestData.Require(Folder), "statistics.json"));
        Assert.Equal(117, classNames.Count);

        var options = new StatisticsOptions { IncludeIncomplete = true, VoxelSpacing = Zooms(image.Header) };
        var report = StatisticsReport.Compute(image.Volume, labels.Volume, classNames, options);

        Assert.Equal(ExpectedNames(expectedText), report.Structures.Select(s => s.Name).ToList());
        AssertMatches(expectedText, report.Structures);
        Assert.Equal(expectedText, report.ToJson());

        // Without -sii some structures of this small crop reach the border and drop to 0; the rest are unchanged.
        var strict = LabelStatistics.Compute(image.Volume, labels.Volume, classNames, options with { IncludeIncomplete = false });
        Assert.Contains(strict, s => s.Excluded && s.VoxelCount > 0 && s.Volume == 0 && s.Intensity == 0);
        Assert.Contains(strict, s => !s.Excluded && s.VoxelCount > 0 && s.Volume > 0);
        for (int i = 0; i < strict.Count; i++)
        {
            if (!strict[i].Excluded)
            {
                Assert.Equal(report.Structures[i], strict[i]);
            }
        }
    }

    internal static (double, double, double) Zooms(NiftiHeader header) => (header.Pixdim[1], header.Pixdim[2], header.Pixdim[3]);

    private static List<string> ExpectedNames(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
    }

    private static void AssertMatches(string expectedJson, IReadOnlyList<StructureStatistics> actual)
    {
        using var doc = JsonDocument.Parse(expectedJson);
        var byName = actual.ToDictionary(s => s.Name);
        int present = 0;
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            Assert.True(byName.TryGetValue(p.Name, out var s), $"{p.Name} missing");
            double volume = p.Value.GetProperty("volume").GetDouble();
            double intensity = p.Value.GetProperty("intensity").GetDouble();
            Assert.True(volume == s!.Volume, string.Create(CultureInfo.InvariantCulture, $"{p.Name}: volume {s.Volume}, expected {volume}"));
            Assert.True(Math.Abs(intensity - s.Intensity) <= 0.01, string.Create(CultureInfo.InvariantCulture, $"{p.Name}: intensity {s.Intensity}, expected {intensity}"));
            present += volume > 0 ? 1 : 0;
        }

        Assert.True(present >= 30, "the example has about 40 structures present");
    }
}
