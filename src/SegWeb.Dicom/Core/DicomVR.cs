namespace SegWeb.Dicom;

/// <summary>DICOM value representations (PS3.5 §6.2). Codes SegWeb does not know are read as <see cref="UN"/>.</summary>
#pragma warning disable CA1707 // The names are the standard's two-letter codes.
public enum DicomVR
{
    UN = 0,
    AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN, SH, SL, SQ, SS, ST, SV, TM, UC, UI, UL, UR, US, UT, UV,
}
#pragma warning restore CA1707

/// <summary>Encoding facts about each <see cref="DicomVR"/>.</summary>
public static class DicomVRs
{
    /// <summary>
    /// The VR for two code bytes, or null when they are not two upper-case letters. Letters that name no VR SegWeb
    /// knows give <see cref="DicomVR.UN"/> (read with the long length form, as PS3.5 §7.1.2 asks of unknown VRs).
    /// </summary>
    public static DicomVR? Parse(byte first, byte second)
    {
        if (first is < (byte)'A' or > (byte)'Z' || second is < (byte)'A' or > (byte)'Z')
        {
            return null;
        }

        Span<char> code = [(char)first, (char)second];
        return Enum.TryParse<DicomVR>(code, ignoreCase: false, out var vr) ? vr : DicomVR.UN;
    }

    /// <summary>True when a known VR code is spelled by these two bytes (used to sniff explicit VR).</summary>
    public static bool IsKnownCode(byte first, byte second) =>
        Parse(first, second) is { } vr && (vr != DicomVR.UN || (first == 'U' && second == 'N'));

    /// <summary>Explicit VR encodings of these VRs use 2 reserved bytes and a 32-bit length (PS3.5 Table 7.1-1).</summary>
    public static bool HasLongLength(this DicomVR vr) => vr is DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL
        or DicomVR.OV or DicomVR.OW or DicomVR.SQ or DicomVR.UC or DicomVR.UN or DicomVR.UR or DicomVR.UT
        or DicomVR.SV or DicomVR.UV;

    /// <summary>Byte size of one binary number of this VR, for byte swapping (1 for text and bytes).</summary>
    public static int SwapUnit(this DicomVR vr) => vr switch
    {
        DicomVR.US or DicomVR.SS or DicomVR.OW or DicomVR.AT => 2,
        DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.OF or DicomVR.OL => 4,
        DicomVR.FD or DicomVR.OD or DicomVR.SV or DicomVR.UV or DicomVR.OV => 8,
        _ => 1,
    };

    /// <summary>Text VRs are padded with a space to even length, UI with a NUL.</summary>
    public static bool IsText(this DicomVR vr) => vr is DicomVR.AE or DicomVR.AS or DicomVR.CS or DicomVR.DA
        or DicomVR.DS or DicomVR.DT or DicomVR.IS or DicomVR.LO or DicomVR.LT or DicomVR.PN or DicomVR.SH
        or DicomVR.ST or DicomVR.TM or DicomVR.UC or DicomVR.UI or DicomVR.UR or DicomVR.UT;
}
