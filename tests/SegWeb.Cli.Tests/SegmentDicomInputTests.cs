using System.Text.Json;
using SkiaSharp;

namespace SegWeb.Cli.Tests;

/// <summary>`segweb segment` on a DICOM series with -ot dicom_seg, --preview and --report.</summary>
public sealed class SegmentDicomInputTests(SegmentDemoModelFixture model) : IClassFixture<SegmentDemoModelFixture>
{
    [SkippableFact]
    public void Dicom_seg_output_gets_the_preview_beside_it_and_the_report_describes_the_series_as_nibabel_does_totalsegmentators_output()
    {
        var dicom = TestData.Require("totalsegmentator/example_ct_dicom");
        var reference = TestData.Require("totalsegmentator/example_seg_dicom.nii.gz");
        ReferencePython.Require("nibabel");
        using var tmp = new TempDirectory("segment-dicom");
        var output = tmp.File("seg");
        var report = tmp.File("run.json");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", dicom, "-o", output, "-ot", "dicom_seg", "-p", "-q", "--report", report,
            "--model", model.PackageDirectory, "--task", "total");

        Assert.True(code == 0, stderr);
        Assert.Equal(["preview_total.png", "segmentations.dcm"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using (var bitmap = SKBitmap.Decode(Path.Combine(output, "preview_total.png")))
        {
            Assert.True(bitmap is { Width: > 0, Height: > 0 });
        }

        // TotalSegmentator's own output for this series lies on the grid the series defines.
        var nib = ReferencePython.Run("""
            import sys, nibabel as nib
            img = nib.load(sys.argv[1])
            print(*img.shape, "".join(nib.aff2axcodes(img.affine)))
            """, reference).Trim().Split(' ');
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var input = json.RootElement.GetProperty("inputs")[0];
        Assert.Equal("dicom", input.GetProperty("format").GetString());
        Assert.Equal(nib[..3], input.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(nib[3], input.GetProperty("orientation").GetString());
        Assert.Equal(2, input.GetProperty("outputs").GetArrayLength());
    }
}
