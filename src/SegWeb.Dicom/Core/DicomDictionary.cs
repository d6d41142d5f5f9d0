namespace SegWeb.Dicom;

/// <summary>
/// The VR of each tag SegWeb reads, for implicit VR transfer syntaxes. Tags not listed read as UN (raw bytes,
/// kept for a writer), except group lengths (UL) and private creators (LO), whose VRs follow from the tag.
/// </summary>
public static class DicomDictionary
{
    private static readonly Dictionary<uint, DicomVR> Known = new()
    {
        [0x00020000] = DicomVR.UL,
        [0x00020001] = DicomVR.OB,
        [0x00020002] = DicomVR.UI,
        [0x00020003] = DicomVR.UI,
        [0x00020010] = DicomVR.UI,
        [0x00020012] = DicomVR.UI,
        [0x00020013] = DicomVR.SH,
        [0x00020016] = DicomVR.AE,
        [0x00080005] = DicomVR.CS,
        [0x00080008] = DicomVR.CS,
        [0x00080012] = DicomVR.DA,
        [0x00080013] = DicomVR.TM,
        [0x00080016] = DicomVR.UI,
        [0x00080018] = DicomVR.UI,
        [0x00080020] = DicomVR.DA,
        [0x00080021] = DicomVR.DA,
        [0x00080022] = DicomVR.DA,
        [0x00080023] = DicomVR.DA,
        [0x00080030] = DicomVR.TM,
        [0x00080031] = DicomVR.TM,
        [0x00080032] = DicomVR.TM,
        [0x00080033] = DicomVR.TM,
        [0x00080050] = DicomVR.SH,
        [0x00080060] = DicomVR.CS,
        [0x00080070] = DicomVR.LO,
        [0x00080080] = DicomVR.LO,
        [0x00080090] = DicomVR.PN,
        [0x00081030] = DicomVR.LO,
        [0x0008103E] = DicomVR.LO,
        [0x00081090] = DicomVR.LO,
        [0x00081115] = DicomVR.SQ,
        [0x00081140] = DicomVR.SQ,
        [0x00081150] = DicomVR.UI,
        [0x00081155] = DicomVR.UI,
        [0x00089007] = DicomVR.CS,
        [0x00100010] = DicomVR.PN,
        [0x00100020] = DicomVR.LO,
        [0x00100030] = DicomVR.DA,
        [0x00100040] = DicomVR.CS,
        [0x00101010] = DicomVR.AS,
        [0x00180015] = DicomVR.CS,
        [0x00180050] = DicomVR.DS,
        [0x00180060] = DicomVR.DS,
        [0x00180080] = DicomVR.DS,
        [0x00180081] = DicomVR.DS,
        [0x00180087] = DicomVR.DS,
        [0x00180088] = DicomVR.DS,
        [0x00181020] = DicomVR.LO,
        [0x00181120] = DicomVR.DS,
        [0x00181210] = DicomVR.SH,
        [0x00185100] = DicomVR.CS,
        [0x0020000D] = DicomVR.UI,
        [0x0020000E] = DicomVR.UI,
        [0x00200010] = DicomVR.SH,
        [0x00200011] = DicomVR.IS,
        [0x00200012] = DicomVR.IS,
        [0x00200013] = DicomVR.IS,
        [0x00200032] = DicomVR.DS,
        [0x00200037] = DicomVR.DS,
        [0x00200052] = DicomVR.UI,
        [0x00201041] = DicomVR.DS,
        [0x00209111] = DicomVR.SQ,
        [0x00209113] = DicomVR.SQ,
        [0x00209116] = DicomVR.SQ,
        [0x00209157] = DicomVR.UL,
        [0x00280002] = DicomVR.US,
        [0x00280004] = DicomVR.CS,
        [0x00280006] = DicomVR.US,
        [0x00280008] = DicomVR.IS,
        [0x00280010] = DicomVR.US,
        [0x00280011] = DicomVR.US,
        [0x00280030] = DicomVR.DS,
        [0x00280100] = DicomVR.US,
        [0x00280101] = DicomVR.US,
        [0x00280102] = DicomVR.US,
        [0x00280103] = DicomVR.US,
        [0x00281050] = DicomVR.DS,
        [0x00281051] = DicomVR.DS,
        [0x00281052] = DicomVR.DS,
        [0x00281053] = DicomVR.DS,
        [0x00281054] = DicomVR.LO,
        [0x00282110] = DicomVR.CS,
        [0x00289110] = DicomVR.SQ,
        [0x00289145] = DicomVR.SQ,
        [0x52009229] = DicomVR.SQ,
        [0x52009230] = DicomVR.SQ,
        [0x7FE00001] = DicomVR.OV,
        [0x7FE00002] = DicomVR.OV,
        [0x7FE00010] = DicomVR.OW,
    };

    /// <summary>The VR of <paramref name="tag"/> in implicit VR data.</summary>
    public static DicomVR VROf(DicomTag tag)
    {
        if (Known.TryGetValue(tag.Value, out var vr))
        {
            return vr;
        }

        if (Segmentation.SegmentationTags.VROf(tag) is { } segmentationVR)
        {
            return segmentationVR;
        }

        if (tag.Element == 0x0000)
        {
            return DicomVR.UL;
        }

        return tag.IsPrivateCreator ? DicomVR.LO : DicomVR.UN;
    }
}
