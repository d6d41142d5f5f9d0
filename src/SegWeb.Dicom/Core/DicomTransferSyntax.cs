namespace SegWeb.Dicom;

/// <summary>How a dataset is encoded (PS3.5 §10) and whether its pixel data is compressed, and how.</summary>
public sealed record DicomTransferSyntax(string Uid, string Name, bool IsExplicitVR, bool IsBigEndian, bool IsDeflated, bool IsEncapsulated)
{
    public static readonly DicomTransferSyntax ImplicitVRLittleEndian = new("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false, false);
    public static readonly DicomTransferSyntax ExplicitVRLittleEndian = new("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false, false);
    public static readonly DicomTransferSyntax DeflatedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, false, true, false);
    public static readonly DicomTransferSyntax ExplicitVRBigEndian = new("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, true, false, false);
    public static readonly DicomTransferSyntax RleLossless = Encapsulated("1.2.840.10008.1.2.5", "RLE Lossless");
    public static readonly DicomTransferSyntax JpegBaseline = Encapsulated("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)");
    public static readonly DicomTransferSyntax JpegExtended = Encapsulated("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)");
    public static readonly DicomTransferSyntax JpegLossless = Encapsulated("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)");
    public static readonly DicomTransferSyntax JpegLosslessSV1 = Encapsulated("1.2.840.10008.1.2.4.70", "JPEG Lossless, First-Order Prediction (Process 14, SV1)");
    public static readonly DicomTransferSyntax JpegLSLossless = Encapsulated("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless");
    public static readonly DicomTransferSyntax JpegLSNearLossless = Encapsulated("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless)");
    public static readonly DicomTransferSyntax Jpeg2000Lossless = Encapsulated("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)");
    public static readonly DicomTransferSyntax Jpeg2000 = Encapsulated("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression");

    /// <summary>Each frame raw-deflated (RFC 1951) in its own fragment; SegWeb decodes it itself.</summary>
    public static readonly DicomTransferSyntax DeflatedImageFrameCompression = Encapsulated("1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression");

    private static readonly DicomTransferSyntax[] Known =
    [
        ImplicitVRLittleEndian, ExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, RleLossless,
        JpegBaseline, JpegExtended, JpegLossless, JpegLosslessSV1, JpegLSLossless, JpegLSNearLossless, Jpeg2000Lossless, Jpeg2000,
        DeflatedImageFrameCompression,
    ];

    /// <summary>True for the JPEG, JPEG-LS and JPEG 2000 syntaxes that SegWeb decodes through GDCM.</summary>
    public bool NeedsGdcm => IsEncapsulated && Uid != RleLossless.Uid && Uid != DeflatedImageFrameCompression.Uid && Known.Any(k => k.Uid == Uid);

    /// <summary>
    /// The syntax with this UID. An unknown UID is taken as encapsulated explicit VR little endian (PS3.5 §A.4: every
    /// compressed syntax encodes the dataset that way), so its header still reads and only pixel decoding refuses it.
    /// </summary>
    public static DicomTransferSyntax FromUid(string uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        uid = uid.Trim(' ', '\0');
        return Known.FirstOrDefault(t => t.Uid == uid) ?? Encapsulated(uid, $"unknown transfer syntax {uid}");
    }

    public override string ToString() => $"{Name} ({Uid})";

    private static DicomTransferSyntax Encapsulated(string uid, string name) => new(uid, name, true, false, false, true);
}
