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
}
