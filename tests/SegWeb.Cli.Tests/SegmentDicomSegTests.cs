using System.Diagnostics;
using SegWeb.Dicom.Segmentation;
using SegWeb.Dicom.Series;
using SegWeb.Imaging.Nifti;

namespace SegWeb.Cli.Tests;

/// <summary>`segweb segment -ot dicom_seg`: a SEG of the demo model's result on example_ct_dicom, checked by dciodvfy and read back.</summary>
public sealed class SegmentDicomSegTests(SegmentDemoModelFixture model) : IClassFixture<SegmentDemoModelFixture>
{
    [SkippableFact]
    public void Dicom_input_gives_a_seg_that_dciodvfy_accepts_and_that_holds_the_same_structures_as_the_nifti_output()
    {
        var dicom = TestData.Require("totalsegmentator/example_ct_dicom");
        using var tmp = new TempDirectory("segment-dicomseg");
        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", dicom, "-o", tmp.File("seg"), "-ot", "dicom_seg", "-s", "--model", model.PackageDirectory, "-q");
        Assert.True(code == 0, stderr);
        var segPath = Path.Combine(tmp.File("seg"), "segmentations.dcm");
        Assert.True(File.Exists(segPath));
        Assert.True(File.Exists(Path.Combine(tmp.File("seg"), "statistics.json")));

        var errors = Dciodvfy(segPath);
        Assert.True(errors.Count == 0, string.Join('\n', errors));

        (code, _, stderr) = TasksCommandTests.Run("segment", "-i", dicom, "-o", tmp.File("ml.nii.gz"), "--ml", "--model", model.PackageDirectory, "-q");
        Assert.True(code == 0, stderr);
        var (nifti, names) = MultilabelNifti.Read(tmp.File("ml.nii.gz"));
        var read = DicomSegReader.Read(segPath, DicomSeriesLoader.Load(dicom));
        var labels = read.ToLabelMap(s => names.First(n => n.Value == s.Label).Key);
        Assert.Equal(nifti.Volume.Shape, labels.Shape);
        long differ = 0;
        for (long i = 0; i < labels.Shape.VoxelCount; i++)
        {
            differ += (int)nifti.Volume.GetValue(i) != labels.Data[i] ? 1 : 0;
        }

        Assert.Equal(0, differ);
    }

    [SkippableFact]
    public void Nifti_input_with_dicom_seg_output_is_refused_and_writes_nothing()
    {
        var ct = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        using var tmp = new TempDirectory("segment-dicomseg-nifti");
        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ct, "-o", tmp.File("seg"), "-ot", "dicom_seg", "--model", model.PackageDirectory, "-q");
        Assert.Equal(1, code);
        Assert.Contains("needs DICOM input", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("seg")));
    }

    // dicom3tools' validator: every line starting with "Error" is a violation of the IOD.
    private static List<string> Dciodvfy(string path)
    {
        const string tool = "/usr/bin/dciodvfy";
        if (!File.Exists(tool))
        {
            Skip.If(Environment.GetEnvironmentVariable("SEGWEB_REQUIRE_REFERENCES") != "1", "dciodvfy (dicom3tools) is not installed");
            Assert.Fail("dciodvfy (dicom3tools) is not installed but SEGWEB_REQUIRE_REFERENCES=1");
        }

        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(path);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return [.. (stderr + stdout.Result).Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal))];
    }
}
