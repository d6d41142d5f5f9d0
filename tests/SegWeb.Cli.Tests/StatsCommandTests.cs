using System.Text.Json;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Cli.Tests;

/// <summary>`segweb stats` against TotalSegmentator's own statistics.json, and its error handling.</summary>
public sealed class StatsCommandTests
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";

    [SkippableFact]
    public void Mask_folder_reproduces_totalsegmentators_statistics_json_byte_for_byte()
    {
        var image = TestData.Require(Ct);
        var folder = TestData.Require("totalsegmentator/example_seg_fast");
        var expected = File.ReadAllText(Path.Combine(folder, "statistics.json"));
        using var tmp = new TempDirectory("stats-cli");
        var output = tmp.File("out.json");

        // The reference was written with -sii (README of the shared data), so incomplete masks are included here.
        var (code, stdout, stderr) = TasksCommandTests.Run("stats", image, folder + "/", "--json", output, "--include-incomplete");

        Assert.True(code == 0, stderr);
        Assert.Equal(expected, File.ReadAllText(output)); // same order (class map), volumes, intensities and layout
        AssertSameNumbers(expected, File.ReadAllText(output));
        Assert.Matches(@"(?m)^liver\s+1062450\.0\s+44\.86\b", stdout);
        Assert.Contains("structures present", stdout, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(tmp.Path));
    }

    [SkippableFact]
    public void Multilabel_file_with_its_label_table_gives_the_same_json_and_without_sii_zeroes_border_structures()
    {
        var image = TestData.Require(Ct);
        var labels = TestData.Require("totalsegmentator/example_seg_fast.nii.gz");
        var expected = File.ReadAllText(TestData.Require("totalsegmentator/example_seg_fast/statistics.json"));
        using var tmp = new TempDirectory("stats-cli");

        var (code, _, stderr) = TasksCommandTests.Run("stats", image, labels, "--json", tmp.File("all.json"), "-sii");
        Assert.True(code == 0, stderr);
        Assert.Equal(expected, File.ReadAllText(tmp.File("all.json")));

        (code, var stdout, stderr) = TasksCommandTests.Run("stats", image, labels, "--json", tmp.File("strict.json"));
        Assert.True(code == 0, stderr);
        Assert.Contains("excluded", stdout, StringComparison.Ordinal);
        using var all = JsonDocument.Parse(expected);
        using var strict = JsonDocument.Parse(File.ReadAllText(tmp.File("strict.json")));
        int zeroed = 0;
        foreach (var s in strict.RootElement.EnumerateObject())
        {
            var reference = all.RootElement.GetProperty(s.Name);
            double volume = s.Value.GetProperty("volume").GetDouble();
            if (volume == 0 && reference.GetProperty("volume").GetDouble() > 0)
            {
                zeroed++;
                Assert.Equal(0, s.Value.GetProperty("intensity").GetDouble());
            }
            else
            {
                Assert.Equal(reference.GetRawText(), s.Value.GetRawText());
            }
        }

        Assert.True(zeroed > 0, "this small crop has structures cut by its border");
    }

    [SkippableFact]
    public void Extra_and_median_add_fields_in_order()
    {
        var image = TestData.Require(Ct);
        var labels = TestData.Require("totalsegmentator/example_seg_fast.nii.gz");
        using var tmp = new TempDirectory("stats-cli");
        var (code, _, stderr) = TasksCommandTests.Run("stats", image, labels, "--json", tmp.File("x.json"), "--extra", "--median", "-sii");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(tmp.File("x.json")));
        var liver = doc.RootElement.GetProperty("liver");
        Assert.Equal(["volume", "intensity", "n_voxels", "intensity_std", "intensity_min", "intensity_max", "centroid_vox", "bbox_vox"],
            liver.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1062450 / 27, liver.GetProperty("n_voxels").GetInt64());
        Assert.Equal(0, liver.GetProperty("intensity").GetDouble() % 0.5); // a median of int16 values
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("brain").GetProperty("centroid_vox").ValueKind);
    }

    [Fact]
    public void A_map_without_label_table_is_named_from_classes_or_label_n()
    {
        using var tmp = new TempDirectory("stats-cli");
        var affine = Affine.FromSpacing(1.5, 1.5, 2, -20, 10, 5);
        var shape = new VolumeShape(14, 12, 10);
        var image = Volume<short>.Zeros(shape, affine);
        var map = Volume<byte>.Zeros(shape, affine);
        for (int i = 0; i < 3; i++)
        {
            image[5 + i, 5, 5] = (short)(100 * (i + 1));
            map[5 + i, 5, 5] = 4;
        }

        map[6, 6, 6] = 9;
        NiftiWriter.Write(tmp.File("ct.nii.gz"), image);
        NiftiWriter.Write(tmp.File("seg.nii.gz"), map);

        var (code, _, stderr) = TasksCommandTests.Run("stats", tmp.File("ct.nii.gz"), tmp.File("seg.nii.gz"), "--json", tmp.File("n.json"));
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(File.ReadAllText(tmp.File("n.json"))))
        {
            Assert.Equal(["label_4", "label_9"], doc.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal(3 * 1.5 * 1.5 * 2, doc.RootElement.GetProperty("label_4").GetProperty("volume").GetDouble());
            Assert.Equal(200, doc.RootElement.GetProperty("label_4").GetProperty("intensity").GetDouble());
        }

        File.WriteAllText(tmp.File("names.json"), "{\"4\": \"kidney\", \"7\": \"spleen\"}");
        (code, _, stderr) = TasksCommandTests.Run("stats", tmp.File("ct.nii.gz"), tmp.File("seg.nii.gz"), "--json", tmp.File("c.json"), "--classes", tmp.File("names.json"));
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(File.ReadAllText(tmp.File("c.json"))))
        {
            Assert.Equal(["kidney", "spleen"], doc.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal(0, doc.RootElement.GetProperty("spleen").GetProperty("volume").GetDouble());
        }

        File.WriteAllText(tmp.File("bad.json"), "[1, 2]");
        (code, _, stderr) = TasksCommandTests.Run("stats", tmp.File("ct.nii.gz"), tmp.File("seg.nii.gz"), "--classes", tmp.File("bad.json"));
        Assert.Equal(1, code);
        Assert.Contains("bad.json", stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Labels_on_another_grid_are_one_error_line_naming_both_files_and_nothing_is_written()
    {
        var image = TestData.Require(Ct);
        var other = TestData.Require("totalsegmentator/example_seg_dicom.nii.gz");
        using var tmp = new TempDirectory("stats-cli");
        var (code, stdout, stderr) = TasksCommandTests.Run("stats", image, other, "--json", tmp.File("out.json"));
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(image, stderr, StringComparison.Ordinal);
        Assert.Contains(other, stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(tmp.Path));

        // A folder holding one mask of another grid names that mask.
        File.Copy(TestData.Require("totalsegmentator/example_seg_fast/liver.nii.gz"), tmp.File("liver.nii.gz"));
        File.Copy(other, tmp.File("odd.nii.gz"));
        (code, _, stderr) = TasksCommandTests.Run("stats", image, tmp.Path);
        Assert.Equal(1, code);
        Assert.Contains("odd.nii.gz", stderr, StringComparison.Ordinal);
        Assert.Contains(image, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_inputs_and_an_empty_folder_are_one_line_errors()
    {
        using var tmp = new TempDirectory("stats-cli");
        var (code, _, stderr) = TasksCommandTests.Run("stats", tmp.File("nope.nii.gz"), tmp.Path);
        Assert.Equal(1, code);
        Assert.Contains("nope.nii.gz", stderr, StringComparison.Ordinal);

        File.WriteAllText(tmp.File("ct.nii"), "not a nifti");
        Directory.CreateDirectory(tmp.File("empty"));
        (code, _, stderr) = TasksCommandTests.Run("stats", tmp.File("ct.nii"), tmp.File("empty"));
        Assert.Equal(1, code);
        Assert.StartsWith($"segweb: {tmp.File("ct.nii")}", stderr, StringComparison.Ordinal);

        var shape = new VolumeShape(4, 4, 4);
        NiftiWriter.Write(tmp.File("ok.nii.gz"), Volume<short>.Zeros(shape, Affine.Identity));
        (code, _, stderr) = TasksCommandTests.Run("stats", tmp.File("ok.nii.gz"), tmp.File("empty"));
        Assert.Equal(1, code);
        Assert.Contains("no .nii.gz or .nii masks", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_image_given_as_an_unnamed_label_map_is_refused_not_turned_into_thousands_of_structures()
    {
        using var tmp = new TempDirectory("stats-cli");
        var shape = new VolumeShape(40, 40, 10);
        var noise = new int[shape.VoxelCount];
        var rng = new Random(2);
        for (int i = 0; i < noise.Length; i++)
        {
            noise[i] = rng.Next(1, 1_000_000);
        }

        NiftiWriter.Write(tmp.File("ct.nii.gz"), Volume<short>.Zeros(shape, Affine.Identity));
        NiftiWriter.Write(tmp.File("noise.nii.gz"), new Volume<int>(shape, Affine.Identity, noise));
        var (code, stdout, stderr) = TasksCommandTests.Run("stats", tmp.File("ct.nii.gz"), tmp.File("noise.nii.gz"));
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"segweb: {tmp.File("noise.nii.gz")}: more than", stderr, StringComparison.Ordinal);
    }

    private static void AssertSameNumbers(string expected, string actual)
    {
        using var e = JsonDocument.Parse(expected);
        using var a = JsonDocument.Parse(actual);
        foreach (var s in e.RootElement.EnumerateObject())
        {
            var got = a.RootElement.GetProperty(s.Name);
            Assert.Equal(s.Value.GetProperty("volume").GetDouble(), got.GetProperty("volume").GetDouble());
            Assert.True(Math.Abs(s.Value.GetProperty("intensity").GetDouble() - got.GetProperty("intensity").GetDouble()) <= 0.01, s.Name);
        }
    }
}
