using System.Globalization;
using System.Text.Json;
using SegWeb.Dicom.Series;
using SegWeb.Dicom.Tests.Support;
using SegWeb.Imaging.Nifti;

namespace SegWeb.Dicom.Tests.Series;

/// <summary>
/// Geometry and values checked against references other than a fresh dcm2niix run: TotalSegmentator's own output
/// grid for the example series, dcm2niix's committed sidecar for the GE tilt series, and the three encodings of
/// the same slice (693_*), which must decode to the very same volume.
/// </summary>
public sealed class ReferenceGeometryTests
{
    [SkippableFact]
    public void Example_ct_dicom_lands_on_the_grid_of_TotalSegmentators_segmentation()
    {
        var folder = TestData.Require("totalsegmentator/example_ct_dicom");
        var segPath = TestData.Require("totalsegmentator/example_seg_dicom.nii.gz");
        var seg = NiftiReader.Read(segPath).Volume;
        var loaded = DicomSeriesLoader.Load(folder);
        Console.WriteLine($"SegWeb {loaded.Volume.Shape}:\n{loaded.Volume.Affine}\nexample_seg_dicom {seg.Shape}:\n{seg.Affine}");
        Assert.Equal(seg.Shape, loaded.Volume.Shape);
        double diff = loaded.Volume.Affine.MaxAbsDifference(seg.Affine);
        Assert.True(diff < 1e-3, $"affines differ by {diff} mm");
        Assert.Empty(loaded.Warnings);
        Assert.Equal(20, loaded.SourceInstances.Count);
    }

    /// <summary>
    /// 693_UNCR (explicit LE) and 693_J2KR (JPEG 2000 lossless) hold the same original slice and must decode to the
    /// same volume. 693_UNCI is NOT that slice: its ImageType is DERIVED with DerivationDescription "lossy conversion"
    /// and its own SOP Instance UID; it is the uncompressed copy of pydicom's 693_J2KI (JPEG 2000 lossy), so it is
    /// compared with that file's decode instead, and shown to differ from the original.
    /// </summary>
    [SkippableFact]
    public void The_encodings_of_slice_693_load_to_identical_volumes()
    {
        var uncr = DicomSeriesLoader.Load(TestData.Require("dicom/pydicom/693_UNCR.dcm")).Volume;
        var j2kr = DicomSeriesLoader.Load(TestData.Require("dicom/pydicom/693_J2KR.dcm")).Volume;
        var unci = DicomSeriesLoader.Load(TestData.Require("dicom/pydicom/693_UNCI.dcm")).Volume;
        AssertIdentical(uncr, j2kr);
        var original = (short[])uncr.RawData;
        Assert.True(original.Min() < -500 && original.Max() > 500, $"value range {original.Min()}..{original.Max()}"); // a head CT has air and bone
        Assert.Equal(uncr.Affine, unci.Affine);
        Assert.NotEqual(original, (short[])unci.RawData);

        var j2ki = Path.Combine(DicomCorpus.RequirePydicomTestFiles(), "693_J2KI.dcm");
        Skip.IfNot(File.Exists(j2ki), $"{j2ki} is absent: the lossy pair of 693_UNCI was not compared");
        AssertIdentical(unci, DicomSeriesLoader.Load(j2ki).Volume);
    }

    private static void AssertIdentical(SegWeb.Imaging.Volumes.Volume expected, SegWeb.Imaging.Volumes.Volume actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.VoxelType, actual.VoxelType);
        Assert.Equal(expected.Affine, actual.Affine);
        Assert.Equal((short[])expected.RawData, (short[])actual.RawData);
    }

    /// <summary>
    /// dcm2niix's sidecar Ref/_2.json (from the dcm_qa_ct project, made by dcm2niix v1.0.20240202) describes the GE
    /// series: its identity fields, and the orientation whose column cosine (0, 0.948324, −0.317305) is the gantry
    /// tilt of about 18.5° that SegWeb must detect and report.
    /// </summary>
    [SkippableFact]
    public void GE_tilt_series_agrees_with_dcm2niix_sidecar()
    {
        var folder = TestData.Require("dicom/dcm_qa_ct/GE");
        using var sidecar = JsonDocument.Parse(File.ReadAllText(TestData.Require("dicom/dcm_qa_ct/Ref/_2.json")));
        var root = sidecar.RootElement;
        var scan = DicomSeriesScanner.Scan(DicomInput.FromPath(folder));
        var info = Assert.Single(scan.Series);
        Assert.Equal(root.GetProperty("Modality").GetString(), info.Modality);
        Assert.StartsWith(root.GetProperty("Manufacturer").GetString()!, info.Manufacturer, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(root.GetProperty("SeriesNumber").GetInt32(), info.SeriesNumber);
        Assert.Equal(28, info.FrameCount);

        var iop = root.GetProperty("ImageOrientationPatientDICOM").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double expectedTilt = Math.Acos(Math.Sqrt((iop[4] * iop[4]) + (iop[3] * iop[3]))) * 180 / Math.PI; // angle of the column cosine out of the axial plane
        var loaded = DicomSeriesLoader.Load(folder, options: new DicomLoadOptions { ResampleIrregular = false });
        var tiltWarning = Assert.Single(loaded.Warnings, w => w.StartsWith("gantry tilt", StringComparison.Ordinal));
        var reported = double.Parse(System.Text.RegularExpressions.Regex.Match(tiltWarning, @"about ([0-9.]+)°").Groups[1].Value, CultureInfo.InvariantCulture);
        Console.WriteLine($"sidecar IOP {string.Join(", ", iop)} → tilt {expectedTilt:0.###}°; SegWeb: {tiltWarning}");
        Assert.True(Math.Abs(reported - expectedTilt) < 0.15, $"SegWeb reports {reported}°, the sidecar's orientation gives {expectedTilt}°");

        // The volume's i and j axes are the sidecar's row and (flipped) column cosines, LPS → RAS.
        var a = loaded.Volume.Affine;
        double dx = a.ColumnNorm(0), dy = a.ColumnNorm(1);
        double[] rowRas = [-iop[0], -iop[1], iop[2]], colRas = [-iop[3], -iop[4], iop[5]];
        for (int r = 0; r < 3; r++)
        {
            Assert.True(Math.Abs((a[r, 0] / dx) - rowRas[r]) < 1e-5, $"i axis [{r}] {a[r, 0] / dx} vs {rowRas[r]}");
            Assert.True(Math.Abs((a[r, 1] / dy) + colRas[r]) < 1e-5, $"j axis [{r}] {a[r, 1] / dy} vs {-colRas[r]}");
        }
    }
}
