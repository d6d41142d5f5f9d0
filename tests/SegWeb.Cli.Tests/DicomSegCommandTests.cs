using System.Text.Json;
using SegWeb.Dicom.Segmentation;
using SegWeb.Dicom.Series;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Cli.Tests;

/// <summary>`segweb dicom-seg`: label maps to DICOM-SEG, read back with SegWeb's reader; refusals as one error line.</summary>
public sealed class DicomSegCommandTests
{
    [SkippableFact]
    public void Totalsegmentator_example_with_total_classes_round_trips_and_writes_the_filled_source()
    {
        var labelsPath = TestData.Require("totalsegmentator/example_seg_dicom.nii.gz");
        var dicom = TestData.Require("totalsegmentator/example_ct_dicom");
        using var tmp = new TempDirectory("cli-dicomseg");
        var output = tmp.File("seg.dcm");

        var (code, stdout, stderr) = TasksCommandTests.Run("dicom-seg", labelsPath, dicom, output, "--classes", "total", "--write-source", tmp.File("source"));

        Assert.True(code == 0, stderr);
        Assert.Contains("wrote " + output, stdout, StringComparison.Ordinal);
        Assert.Equal(20, Directory.GetFiles(tmp.File("source")).Length);
        var source = DicomSeriesLoader.Load(tmp.File("source"));
        var read = DicomSegReader.Read(output, source);
        var total = TasksCommandTests.Run("classes", "--task", "total", "--json").Stdout;
        var ids = JsonDocument.Parse(total).RootElement.EnumerateObject().ToDictionary(p => p.Value.GetString()!, p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture));
        var back = read.ToLabelMap(s => ids[s.Label]);
        var labels = NiftiReader.Read(labelsPath).Volume;
        Assert.Equal(labels.Shape, back.Shape);
        for (long i = 0; i < back.Data.LongLength; i++)
        {
            if (back.Data[i] != (ushort)labels.GetValue(i))
            {
                Assert.Fail($"voxel {i}: {back.Data[i]} read back, {labels.GetValue(i)} written");
            }
        }

        // Every instance the SEG references is in the written source series.
        var uids = source.SourceInstances.Select(s => s.SopInstanceUid).ToHashSet();
        Assert.All(read.ReferencedSopInstanceUids, u => Assert.Contains(u, uids));
    }

    [SkippableFact]
    public void Default_names_come_from_the_nifti_label_table_and_a_json_file_overrides_them()
    {
        var dicom = TestData.Require("dicom/dcmqi/ct-3slice");
        var source = DicomSeriesLoader.Load(dicom);
        var labels = Volume<byte>.Zeros(source.Volume.Shape, source.Volume.Affine);
        labels[10, 20, 0] = 3;
        labels[100, 200, 2] = 5;
        using var tmp = new TempDirectory("cli-dicomseg-names");
        var nifti = tmp.File("labels.nii.gz");
        MultilabelNifti.Write(nifti, labels, new Dictionary<int, string> { [3] = "spleen", [5] = "liver" });

        var (code, _, stderr) = TasksCommandTests.Run("dicom-seg", nifti, dicom, tmp.File("a.dcm"));
        Assert.True(code == 0, stderr);
        Assert.Equal(["spleen", "liver"], DicomSegReader.Read(tmp.File("a.dcm")).Segments.Select(s => s.Label));

        File.WriteAllText(tmp.File("names.json"), """{"3": "kidney_left", "5": "heart"}""");
        (code, _, stderr) = TasksCommandTests.Run("dicom-seg", nifti, dicom, tmp.File("b.dcm"), "--classes", tmp.File("names.json"));
        Assert.True(code == 0, stderr);
        var read = DicomSegReader.Read(tmp.File("b.dcm"));
        Assert.Equal(["kidney_left", "heart"], read.Segments.Select(s => s.Label));
        Assert.Equal("Left", read.Segments[0].TypeModifier?.Meaning);
    }

    [SkippableFact]
    public void Wrong_grid_bad_classes_and_unknown_task_are_one_error_line_and_no_file()
    {
        var dicom = TestData.Require("dicom/dcmqi/ct-3slice");
        var labelsPath = TestData.Require("totalsegmentator/example_seg_dicom.nii.gz");
        using var tmp = new TempDirectory("cli-dicomseg-bad");
        File.WriteAllText(tmp.File("bad.json"), """{"one": "liver"}""");

        foreach (var args in new[]
        {
            new[] { "dicom-seg", labelsPath, dicom, tmp.File("a.dcm"), "--classes", "total" },
            ["dicom-seg", labelsPath, dicom, tmp.File("b.dcm"), "--classes", tmp.File("bad.json")],
            ["dicom-seg", labelsPath, dicom, tmp.File("c.dcm"), "--classes", "no_such_task"],
        })
        {
            var (code, _, stderr) = TasksCommandTests.Run(args);
            Assert.Equal(1, code);
            Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            Assert.StartsWith("segweb: ", stderr, StringComparison.Ordinal);
        }

        var (_, _, gridError) = TasksCommandTests.Run("dicom-seg", labelsPath, dicom, tmp.File("a.dcm"), "--classes", "total");
        Assert.Contains(labelsPath, gridError, StringComparison.Ordinal);
        Assert.Contains(dicom, gridError, StringComparison.Ordinal);
        Assert.Equal(["bad.json"], Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
    }
}
