using System.Buffers.Binary;

namespace SegWeb.Dicom.Tests.Support;

/// <summary>A small CT-like dataset exercising every value kind the parser handles: text, binary numbers, private tags, nested sequences, pixel data.</summary>
internal static class SyntheticDataset
{
    public static readonly DicomTag PrivateCreator = new(0x0009, 0x0010);
    public static readonly DicomTag PrivateValue = new(0x0009, 0x1001);
    public static readonly DicomTag PrivateSequence = new(0x0009, 0x1002);

    /// <summary>Pixel values of the 4×3 signed 16-bit image, row by row.</summary>
    public static readonly short[] Pixels = [-1024, -1000, 0, 1, 2, 3, 100, 200, 300, 32767, -32768, 7];

    public static DicomDataset Build(int nestingDepth = 3)
    {
        var ds = new DicomDataset("synthetic");
        ds.SetString(DicomTags.SopClassUid, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2");
        ds.SetString(DicomTags.SopInstanceUid, DicomVR.UI, "1.2.3.4.5.6.7");
        ds.SetString(DicomTags.Modality, DicomVR.CS, "CT");
        ds.SetString(DicomTags.PatientName, DicomVR.PN, "Doe^Jane");
        ds.SetString(DicomTags.SeriesInstanceUid, DicomVR.UI, "1.2.3.4.5.6");
        ds.SetString(DicomTags.ImagePositionPatient, DicomVR.DS, "-125.5\\-80.25\\42");
        ds.SetString(DicomTags.ImageOrientationPatient, DicomVR.DS, "1\\0\\0\\0\\0.866025\\-0.5");
        ds.SetString(DicomTags.PixelSpacing, DicomVR.DS, "0.5\\0.75");
        ds.SetString(DicomTags.InstanceNumber, DicomVR.IS, "17");
        ds.SetString(DicomTags.RescaleIntercept, DicomVR.DS, "-1024");
        ds.SetString(DicomTags.RescaleSlope, DicomVR.DS, "1");
        ds.Set(UShort(DicomTags.SamplesPerPixel, 1));
        ds.SetString(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2");
        ds.Set(UShort(DicomTags.Rows, 3));
        ds.Set(UShort(DicomTags.Columns, 4));
        ds.Set(UShort(DicomTags.BitsAllocated, 16));
        ds.Set(UShort(DicomTags.BitsStored, 16));
        ds.Set(UShort(DicomTags.HighBit, 15));
        ds.Set(UShort(DicomTags.PixelRepresentation, 1));
        var fd = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(fd, 1.5);
        BinaryPrimitives.WriteDoubleLittleEndian(fd.AsSpan(8), -2.25);
        ds.Set(new DicomElement(new DicomTag(0x0018, 0x9327), DicomVR.FD, fd)); // TablePosition, a binary FD pair
        ds.SetString(PrivateCreator, DicomVR.LO, "SEGWEB TEST");
        ds.Set(new DicomElement(PrivateValue, DicomVR.UL, [0x78, 0x56, 0x34, 0x12]));
        ds.Set(new DicomSequence(PrivateSequence, [Nested(nestingDepth)]));
        ds.Set(new DicomSequence(DicomTags.ReferencedImageSequence, [Reference("1.2.3.1"), Reference("1.2.3.2")]));
        var pixels = new byte[Pixels.Length * 2];
        for (int i = 0; i < Pixels.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(pixels.AsSpan(2 * i), Pixels[i]);
        }

        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, pixels));
        return ds;
    }

    /// <summary>Items nested <paramref name="depth"/> levels deep; the innermost holds InstanceNumber = depth.</summary>
    public static DicomDataset Nested(int depth)
    {
        var item = new DicomDataset("synthetic");
        item.SetString(DicomTags.InstanceNumber, DicomVR.IS, depth.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (depth > 1)
        {
            item.Set(new DicomSequence(DicomTags.ReferencedSeriesSequence, [Nested(depth - 1)]));
        }

        return item;
    }

    private static DicomDataset Reference(string uid)
    {
        var item = new DicomDataset("synthetic");
        item.SetString(DicomTags.ReferencedSopClassUid, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2");
        item.SetString(DicomTags.ReferencedSopInstanceUid, DicomVR.UI, uid);
        return item;
    }

    private static DicomElement UShort(DicomTag tag, ushort value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        return new DicomElement(tag, DicomVR.US, b);
    }
}
