using SegWeb.Dicom.Series;
using SegWeb.Dicom.Tests.Support;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Dicom.Tests.Series;

/// <summary>
/// The loader's value type: int16 when every rescaled value is an integer in range, float32 otherwise (a
/// fractional slope, or one value past int16) — with the values exact either way and rows in dcm2niix's order.
/// </summary>
public sealed class LoaderValueTypeTests
{
    [Theory]
    [InlineData("1", "0", VoxelType.Int16)]
    [InlineData("1", "-1024", VoxelType.Float32)] // -32768 - 1024 does not fit int16
    [InlineData("0.5", "0", VoxelType.Float32)]
    [InlineData("2", "-1", VoxelType.Float32)] // 32767 * 2 - 1 does not fit int16
    public void Values_are_rescaled_exactly_into_the_smallest_fitting_type(string slope, string intercept, VoxelType expected)
    {
        var ds = SyntheticDataset.Build();
        ds.SetString(DicomTags.RescaleSlope, DicomVR.DS, slope);
        ds.SetString(DicomTags.RescaleIntercept, DicomVR.DS, intercept);
        using var stream = new MemoryStream();
        DicomWriter.Write(stream, ds);
        var volume = DicomSeriesLoader.Load(DicomInput.FromMemory([new("one.dcm", stream.ToArray())])).Volume;
        Assert.Equal(expected, volume.VoxelType);

        // The same file on disk takes the by-offset fast path: the same volume.
        using var tmp = new TempDirectory("dicom-valuetype");
        File.WriteAllBytes(tmp.File("one.dcm"), stream.ToArray());
        var fromDisk = DicomSeriesLoader.Load(tmp.Path).Volume;
        Assert.Equal(expected, fromDisk.VoxelType);
        Assert.Equal(volume.Affine, fromDisk.Affine);
        for (long i = 0; i < volume.Shape.VoxelCount; i++)
        {
            Assert.Equal(volume.GetValue(i), fromDisk.GetValue(i));
        }

        double s = double.Parse(slope, System.Globalization.CultureInfo.InvariantCulture), b = double.Parse(intercept, System.Globalization.CultureInfo.InvariantCulture);
        int columns = 4, rows = 3;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                double stored = SyntheticDataset.Pixels[(r * columns) + c];
                // j counts rows from the last one up (dcm2niix's flip).
                Assert.Equal((float)((stored * s) + b), volume.GetValue(volume.Shape.IndexOf(c, rows - 1 - r, 0)));
            }
        }
    }

    /// <summary>Real series from disk (fast path: implicit and explicit LE, 12- and 16-bit) equal the general path's load from memory.</summary>
    [SkippableTheory]
    [InlineData("dicom/dcmqi/ct-3slice")]
    [InlineData("dicom/pydicom/CT2")]
    [InlineData("dicom/pydicom/CT_small.dcm")]
    [InlineData("dicom/pydicom/693_UNCI.dcm")]
    public void Fast_path_from_disk_equals_general_path_from_memory(string relative)
    {
        var path = TestData.Require(relative);
        var files = Directory.Exists(path) ? Directory.GetFiles(path) : [path];
        var options = new DicomLoadOptions { ResampleIrregular = false };
        var fromDisk = DicomSeriesLoader.Load(DicomInput.FromFiles(files), options: options).Volume;
        var fromMemory = DicomSeriesLoader.Load(DicomInput.FromMemory(files.Select(f => new KeyValuePair<string, byte[]>(f, File.ReadAllBytes(f)))), options: options).Volume;
        Assert.Equal(fromMemory.VoxelType, fromDisk.VoxelType);
        Assert.Equal(fromMemory.Affine, fromDisk.Affine);
        Assert.Equal((short[])fromMemory.RawData, (short[])fromDisk.RawData);
    }
}
