using SegWeb.Imaging.Nifti;

namespace SegWeb.Cli.Tests;

/// <summary>`segweb convert &lt;seg.dcm&gt; out.nii.gz --reference &lt;source&gt;`: a DICOM-SEG read back into a multilabel NIfTI.</summary>
public sealed class ConvertSegmentationTests
{
    [SkippableFact]
    public void A_seg_written_by_dicom_seg_converts_back_to_the_same_structures_on_the_source_grid()
    {
        var labelsPath = TestData.Require("totalsegmentator/example_seg_dicom.nii.gz");
        var dicom = TestData.Require("totalsegmentator/example_ct_dicom");
        using var tmp = new TempDirectory("cli-convert-seg");
        var (code, _, stderr) = TasksCommandTests.Run("dicom-seg", labelsPath, dicom, tmp.File("seg.dcm"), "--classes", "total", "--write-source", tmp.File("source"));
        Assert.True(code == 0, stderr);

        (code, var stdout, stderr) = TasksCommandTests.Run("convert", tmp.File("seg.dcm"), tmp.File("back.nii.gz"), "--reference", tmp.File("source"));

        Assert.True(code == 0, stderr);
        Assert.Contains("back.nii.gz", stdout, StringComparison.Ordinal);
        var (written, _) = MultilabelNifti.Read(labelsPath);
        var (back, backNames) = MultilabelNifti.Read(tmp.File("back.nii.gz"));
        var totalNames = TotalNames();
        Assert.Equal(written.Volume.Shape, back.Volume.Shape);
        Assert.True(written.Volume.Affine.MaxAbsDifference(back.Volume.Affine) < 1e-3, $"{back.Volume.Affine}\nvs\n{written.Volume.Affine}");
        // Segment numbers are renumbered 1..n in the SEG; the structure (its name) at every voxel must be the same.
        for (long i = 0; i < back.Volume.Shape.VoxelCount; i++)
        {
            int before = (int)written.Volume.GetValue(i);
            int after = (int)back.Volume.GetValue(i);
            string expected = before == 0 ? "" : totalNames[before];
            string actual = after == 0 ? "" : backNames[after];
            if (expected != actual)
            {
                Assert.Fail($"voxel {i}: '{actual}' read back, '{expected}' written");
            }
        }
    }

    [SkippableFact]
    public void Dcmqi_liver_seg_lands_on_the_ct_3slice_grid()
    {
        var seg = TestData.Require("dicom/dcmqi/liver.dcm");
        var ct = TestData.Require("dicom/dcmqi/ct-3slice");
        using var tmp = new TempDirectory("cli-convert-liver");
        var (code, _, stderr) = TasksCommandTests.Run("convert", ct, tmp.File("ct.nii.gz"));
        Assert.True(code == 0, stderr);
        (code, _, stderr) = TasksCommandTests.Run("convert", seg, tmp.File("liver.nii.gz"), "--reference", ct);
        Assert.True(code == 0, stderr);

        var image = NiftiReader.Read(tmp.File("ct.nii.gz")).Volume;
        var (labels, names) = MultilabelNifti.Read(tmp.File("liver.nii.gz"));
        Assert.Equal(image.Shape, labels.Volume.Shape);
        Assert.True(image.Affine.MaxAbsDifference(labels.Volume.Affine) < 1e-3);
        Assert.NotEmpty(names);
        long inside = 0;
        for (long i = 0; i < labels.Volume.Shape.VoxelCount; i++)
        {
            inside += labels.Volume.GetValue(i) != 0 ? 1 : 0;
        }

        Assert.True(inside > 1000, $"{inside} liver voxels");
    }

    [SkippableFact]
    public void Reference_with_a_plain_series_input_is_refused_in_one_line()
    {
        var ct = TestData.Require("dicom/dcmqi/ct-3slice");
        using var tmp = new TempDirectory("cli-convert-noseg");
        var (code, _, stderr) = TasksCommandTests.Run("convert", ct, tmp.File("x.nii.gz"), "--reference", ct);
        Assert.Equal(1, code);
        Assert.Contains("--reference applies to a DICOM-SEG input", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(tmp.File("x.nii.gz")));
    }

    private static Dictionary<int, string> TotalNames()
    {
        var json = TasksCommandTests.Run("classes", "--task", "total", "--json").Stdout;
        return System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateObject()
            .ToDictionary(p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture), p => p.Value.GetString()!);
    }
}
