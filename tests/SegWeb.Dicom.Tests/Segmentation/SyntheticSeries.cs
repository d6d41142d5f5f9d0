using System.Buffers.Binary;
using System.Globalization;

namespace SegWeb.Dicom.Tests.Segmentation;

/// <summary>
/// Writes a small CT series with main's <see cref="DicomWriter"/> in non-trivial geometry: oblique row/column
/// cosines, anisotropic pixels, slices stored in reverse order along the normal, files not in slice order.
/// </summary>
internal static class SyntheticSeries
{
    public const int Slices = 6;

    public static void Write(string folder, int rows = 20, int columns = 24, bool oblique = true)
    {
        Directory.CreateDirectory(folder);
        double c = Math.Cos(0.4), s = Math.Sin(0.4);

        // Row along (c, s, 0) rotated about x by 0.3 for the column: a doubly oblique, right-handed frame.
        double[] row = oblique ? [c, s, 0] : [-1, 0, 0];
        double[] column = oblique ? [-s * Math.Cos(0.3), c * Math.Cos(0.3), Math.Sin(0.3)] : [0, 1, 0];
        double[] normal = [(row[1] * column[2]) - (row[2] * column[1]), (row[2] * column[0]) - (row[0] * column[2]), (row[0] * column[1]) - (row[1] * column[0])];
        for (int z = 0; z < Slices; z++)
        {
            // Reverse order along the normal: slice z of the file list lies at −2.5·z mm.
            double h = -2.5 * z;
            var ds = new DicomDataset("synthetic");
            ds.SetString(DicomTags.SopClassUid, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2");
            ds.SetString(DicomTags.SopInstanceUid, DicomVR.UI, $"1.2.826.0.1.3680043.8.498.7.{z + 1}");
            ds.SetString(DicomTags.StudyInstanceUid, DicomVR.UI, "1.2.826.0.1.3680043.8.498.5");
            ds.SetString(DicomTags.SeriesInstanceUid, DicomVR.UI, "1.2.826.0.1.3680043.8.498.6");
            ds.SetString(DicomTags.FrameOfReferenceUid, DicomVR.UI, "1.2.826.0.1.3680043.8.498.4");
            ds.SetString(DicomTags.Modality, DicomVR.CS, "CT");
            ds.SetString(DicomTags.PatientName, DicomVR.PN, "Test^Oblique");
            ds.SetString(DicomTags.PatientId, DicomVR.LO, "OBL-1");
            ds.SetString(DicomTags.StudyDate, DicomVR.DA, "20240102");
            ds.SetString(DicomTags.InstanceNumber, DicomVR.IS, (z + 1).ToString(CultureInfo.InvariantCulture));
            ds.SetString(DicomTags.ImagePositionPatient, DicomVR.DS, Ds(10 + (h * normal[0]), -20 + (h * normal[1]), 30 + (h * normal[2])));
            ds.SetString(DicomTags.ImageOrientationPatient, DicomVR.DS, Ds(row[0], row[1], row[2], column[0], column[1], column[2]));
            ds.SetString(DicomTags.PixelSpacing, DicomVR.DS, "1.3\\0.7");
            ds.SetString(DicomTags.SliceThickness, DicomVR.DS, "2.5");
            ds.SetString(DicomTags.RescaleIntercept, DicomVR.DS, "-1024");
            ds.SetString(DicomTags.RescaleSlope, DicomVR.DS, "1");
            ds.Set(UShort(DicomTags.SamplesPerPixel, 1));
            ds.SetString(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2");
            ds.Set(UShort(DicomTags.Rows, rows));
            ds.Set(UShort(DicomTags.Columns, columns));
            ds.Set(UShort(DicomTags.BitsAllocated, 16));
            ds.Set(UShort(DicomTags.BitsStored, 16));
            ds.Set(UShort(DicomTags.HighBit, 15));
            ds.Set(UShort(DicomTags.PixelRepresentation, 0));
            var pixels = new byte[rows * columns * 2];
            for (int i = 0; i < rows * columns; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(pixels.AsSpan(2 * i), (ushort)((i * 7) + (z * 100)));
            }

            ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, pixels));
            DicomWriter.Write(Path.Combine(folder, $"img{(z * 5) % Slices}.dcm"), ds);
        }
    }

    private static string Ds(params double[] v) => string.Join('\\', v.Select(x => x.ToString("0.########", CultureInfo.InvariantCulture)));

    private static DicomElement UShort(DicomTag tag, int value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)value);
        return new DicomElement(tag, DicomVR.US, b);
    }
}
