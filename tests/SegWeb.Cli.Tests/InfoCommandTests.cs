using System.IO.Compression;
using System.Text.Json;
using SegWeb.Cli.Commands;

namespace SegWeb.Cli.Tests;

public sealed class InfoCommandTests
{
    // nibabel describes the same file: shape, zooms, affine, axis codes, dtype and range.
    private const string NibabelInfo = """
import sys, json, nibabel as nib, numpy as np
img = nib.load(sys.argv[1])
data = np.asanyarray(img.dataobj)
scaled = img.get_fdata()
print(json.dumps({"shape": list(img.shape), "zooms": [float(z) for z in img.header.get_zooms()],
    "affine": img.affine.tolist(), "codes": "".join(nib.aff2axcodes(img.affine)),
    "dtype": str(data.dtype), "min": float(scaled.min()), "max": float(scaled.max())}))
""";

    [SkippableFact]
    public void Nifti_json_agrees_with_nibabel_on_a_real_ct()
    {
        var path = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        ReferencePython.Require("nibabel", "numpy");
        var (rc, stdout, stderr) = Run("info", path, "--json");
        Assert.True(rc == 0, stderr);
        using var ours = JsonDocument.Parse(stdout);
        using var nib = JsonDocument.Parse(ReferencePython.Run(NibabelInfo, path));
        var o = ours.RootElement;
        var n = nib.RootElement;
        Assert.Equal(Ints(n.GetProperty("shape")), Ints(o.GetProperty("shape")));
        AssertClose(Doubles(n.GetProperty("zooms")), Doubles(o.GetProperty("spacing")), 1e-6);
        AssertClose(n.GetProperty("affine").EnumerateArray().SelectMany(Doubles).ToArray(), o.GetProperty("affine").EnumerateArray().SelectMany(Doubles).ToArray(), 1e-5);
        Assert.Equal(n.GetProperty("codes").GetString(), o.GetProperty("orientation").GetString());
        Assert.Equal(n.GetProperty("dtype").GetString(), o.GetProperty("datatype").GetString());
        Assert.Equal(n.GetProperty("min").GetDouble(), o.GetProperty("min").GetDouble(), 1e-6);
        Assert.Equal(n.GetProperty("max").GetDouble(), o.GetProperty("max").GetDouble(), 1e-6);
        Assert.False(o.TryGetProperty("labels", out _));
    }

    [SkippableFact]
    public void Multilabel_file_lists_totalsegmentator_label_names()
    {
        var path = TestData.Require("totalsegmentator/example_seg.nii.gz");
        var (rc, stdout, stderr) = Run("info", path);
        Assert.True(rc == 0, stderr);
        Assert.Contains("labels:      117 names", stdout, StringComparison.Ordinal);
        Assert.Matches(@"\n\s+1  spleen", stdout);
        Assert.Contains("orientation: ", stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Dicom_folder_lists_one_series_with_every_file()
    {
        var folder = TestData.Require("totalsegmentator/example_ct_dicom");
        var (rc, stdout, stderr) = Run("info", folder, "--json");
        Assert.True(rc == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var series = doc.RootElement.GetProperty("series");
        Assert.Equal(1, series.GetArrayLength());
        Assert.Equal(Directory.GetFiles(folder).Length, series[0].GetProperty("frames").GetInt32());
        Assert.Equal("CT", series[0].GetProperty("modality").GetString());
    }

    [SkippableFact]
    public void Dicom_zip_with_a_stray_file_lists_the_series_and_the_skipped_file()
    {
        var folder = TestData.Require("totalsegmentator/example_ct_dicom");
        using var dir = new TempDirectory("info-zip");
        var zipPath = Path.Combine(dir.Path, "study.zip");
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            foreach (var file in Directory.GetFiles(folder))
            {
                zip.CreateEntryFromFile(file, "series/" + Path.GetFileName(file));
            }

            using var writer = new StreamWriter(zip.CreateEntry("notes.txt").Open());
            writer.Write("not a DICOM file");
        }

        var (rc, stdout, stderr) = Run("info", zipPath);
        Assert.True(rc == 0, stderr);
        Assert.Contains("1 series, 1 files skipped", stdout, StringComparison.Ordinal);
        Assert.Matches(@"skipped \S*notes\.txt: not a DICOM file", stdout);
    }

    [Fact]
    public void A_missing_file_is_one_line_and_exit_code_1()
    {
        var (rc, stdout, stderr) = Run("info", "/no/such/scan.nii.gz");
        Assert.Equal(CommandRunner.ExitFailure, rc);
        Assert.Equal("", stdout);
        Assert.Equal("segweb: /no/such/scan.nii.gz: no such file or folder", stderr.TrimEnd());
    }

    [SkippableFact]
    public void A_truncated_nifti_names_the_file_and_the_problem()
    {
        var source = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        using var dir = new TempDirectory("info-truncated");
        var path = Path.Combine(dir.Path, "cut.nii.gz");
        var bytes = File.ReadAllBytes(source);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var (rc, _, stderr) = Run("info", path);
        Assert.Equal(CommandRunner.ExitFailure, rc);
        Assert.StartsWith($"segweb: {path}: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    private static int[] Ints(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetInt32())];

    private static double[] Doubles(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetDouble())];

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    private static (int Rc, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int rc = CommandRunner.Invoke(Program.BuildRootCommand(), args, stdout, stderr);
        return (rc, stdout.ToString(), stderr.ToString());
    }
}
