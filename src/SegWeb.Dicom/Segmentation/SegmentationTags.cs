namespace SegWeb.Dicom.Segmentation;

/// <summary>
/// The tags of the Segmentation IOD (PS3.3 A.51, C.8.20) and the macros it uses, with their VRs, beyond those in
/// <see cref="DicomTags"/>. <see cref="DicomDictionary"/> consults <see cref="VROf"/> so implicit VR SEG objects
/// (highdicom writes them) parse their sequences and binary numbers.
/// </summary>
public static class SegmentationTags
{
    /// <summary>(0008,0100) CodeValue, VR SH.</summary>
    public static readonly DicomTag CodeValue = new(0x0008, 0x0100);

    /// <summary>(0008,0102) CodingSchemeDesignator, VR SH.</summary>
    public static readonly DicomTag CodingSchemeDesignator = new(0x0008, 0x0102);

    /// <summary>(0008,0104) CodeMeaning, VR LO.</summary>
    public static readonly DicomTag CodeMeaning = new(0x0008, 0x0104);

    /// <summary>(0008,114A) ReferencedInstanceSequence, VR SQ.</summary>
    public static readonly DicomTag ReferencedInstanceSequence = new(0x0008, 0x114A);

    /// <summary>(0008,1160) ReferencedFrameNumber, VR IS.</summary>
    public static readonly DicomTag ReferencedFrameNumber = new(0x0008, 0x1160);

    /// <summary>(0008,2112) SourceImageSequence, VR SQ.</summary>
    public static readonly DicomTag SourceImageSequence = new(0x0008, 0x2112);

    /// <summary>(0008,2218) AnatomicRegionSequence, VR SQ.</summary>
    public static readonly DicomTag AnatomicRegionSequence = new(0x0008, 0x2218);

    /// <summary>(0008,2220) AnatomicRegionModifierSequence, VR SQ.</summary>
    public static readonly DicomTag AnatomicRegionModifierSequence = new(0x0008, 0x2220);

    /// <summary>(0008,9124) DerivationImageSequence, VR SQ.</summary>
    public static readonly DicomTag DerivationImageSequence = new(0x0008, 0x9124);

    /// <summary>(0008,9215) DerivationCodeSequence, VR SQ.</summary>
    public static readonly DicomTag DerivationCodeSequence = new(0x0008, 0x9215);

    /// <summary>(0018,1000) DeviceSerialNumber, VR LO.</summary>
    public static readonly DicomTag DeviceSerialNumber = new(0x0018, 0x1000);

    /// <summary>(0020,1040) PositionReferenceIndicator, VR LO.</summary>
    public static readonly DicomTag PositionReferenceIndicator = new(0x0020, 0x1040);

    /// <summary>(0020,9164) DimensionOrganizationUid, VR UI.</summary>
    public static readonly DicomTag DimensionOrganizationUid = new(0x0020, 0x9164);

    /// <summary>(0020,9165) DimensionIndexPointer, VR AT.</summary>
    public static readonly DicomTag DimensionIndexPointer = new(0x0020, 0x9165);

    /// <summary>(0020,9167) FunctionalGroupPointer, VR AT.</summary>
    public static readonly DicomTag FunctionalGroupPointer = new(0x0020, 0x9167);

    /// <summary>(0020,9221) DimensionOrganizationSequence, VR SQ.</summary>
    public static readonly DicomTag DimensionOrganizationSequence = new(0x0020, 0x9221);

    /// <summary>(0020,9222) DimensionIndexSequence, VR SQ.</summary>
    public static readonly DicomTag DimensionIndexSequence = new(0x0020, 0x9222);

    /// <summary>(0020,9421) DimensionDescriptionLabel, VR LO.</summary>
    public static readonly DicomTag DimensionDescriptionLabel = new(0x0020, 0x9421);

    /// <summary>(0028,135A) SpatialLocationsPreserved, VR CS.</summary>
    public static readonly DicomTag SpatialLocationsPreserved = new(0x0028, 0x135A);

    /// <summary>(0040,A170) PurposeOfReferenceCodeSequence, VR SQ.</summary>
    public static readonly DicomTag PurposeOfReferenceCodeSequence = new(0x0040, 0xA170);

    /// <summary>(0062,0001) SegmentationType, VR CS.</summary>
    public static readonly DicomTag SegmentationType = new(0x0062, 0x0001);

    /// <summary>(0062,0002) SegmentSequence, VR SQ.</summary>
    public static readonly DicomTag SegmentSequence = new(0x0062, 0x0002);

    /// <summary>(0062,0003) SegmentedPropertyCategoryCodeSequence, VR SQ.</summary>
    public static readonly DicomTag SegmentedPropertyCategoryCodeSequence = new(0x0062, 0x0003);

    /// <summary>(0062,0004) SegmentNumber, VR US.</summary>
    public static readonly DicomTag SegmentNumber = new(0x0062, 0x0004);

    /// <summary>(0062,0005) SegmentLabel, VR LO.</summary>
    public static readonly DicomTag SegmentLabel = new(0x0062, 0x0005);

    /// <summary>(0062,0006) SegmentDescription, VR ST.</summary>
    public static readonly DicomTag SegmentDescription = new(0x0062, 0x0006);

    /// <summary>(0062,0007) SegmentationAlgorithmIdentificationSequence, VR SQ.</summary>
    public static readonly DicomTag SegmentationAlgorithmIdentificationSequence = new(0x0062, 0x0007);

    /// <summary>(0062,0008) SegmentAlgorithmType, VR CS.</summary>
    public static readonly DicomTag SegmentAlgorithmType = new(0x0062, 0x0008);

    /// <summary>(0062,0009) SegmentAlgorithmName, VR LO.</summary>
    public static readonly DicomTag SegmentAlgorithmName = new(0x0062, 0x0009);

    /// <summary>(0062,000A) SegmentIdentificationSequence, VR SQ.</summary>
    public static readonly DicomTag SegmentIdentificationSequence = new(0x0062, 0x000A);

    /// <summary>(0062,000B) ReferencedSegmentNumber, VR US.</summary>
    public static readonly DicomTag ReferencedSegmentNumber = new(0x0062, 0x000B);

    /// <summary>(0062,000C) RecommendedDisplayGrayscaleValue, VR US.</summary>
    public static readonly DicomTag RecommendedDisplayGrayscaleValue = new(0x0062, 0x000C);

    /// <summary>(0062,000D) RecommendedDisplayCieLabValue, VR US.</summary>
    public static readonly DicomTag RecommendedDisplayCieLabValue = new(0x0062, 0x000D);

    /// <summary>(0062,000E) MaximumFractionalValue, VR US.</summary>
    public static readonly DicomTag MaximumFractionalValue = new(0x0062, 0x000E);

    /// <summary>(0062,000F) SegmentedPropertyTypeCodeSequence, VR SQ.</summary>
    public static readonly DicomTag SegmentedPropertyTypeCodeSequence = new(0x0062, 0x000F);

    /// <summary>(0062,0010) SegmentationFractionalType, VR CS.</summary>
    public static readonly DicomTag SegmentationFractionalType = new(0x0062, 0x0010);

    /// <summary>(0062,0011) SegmentedPropertyTypeModifierCodeSequence, VR SQ.</summary>
    public static readonly DicomTag SegmentedPropertyTypeModifierCodeSequence = new(0x0062, 0x0011);

    /// <summary>(0062,0013) SegmentsOverlap, VR CS.</summary>
    public static readonly DicomTag SegmentsOverlap = new(0x0062, 0x0013);

    /// <summary>(0066,002F) AlgorithmFamilyCodeSequence, VR SQ.</summary>
    public static readonly DicomTag AlgorithmFamilyCodeSequence = new(0x0066, 0x002F);

    /// <summary>(0066,0031) AlgorithmVersion, VR LO.</summary>
    public static readonly DicomTag AlgorithmVersion = new(0x0066, 0x0031);

    /// <summary>(0066,0036) AlgorithmName, VR LO.</summary>
    public static readonly DicomTag AlgorithmName = new(0x0066, 0x0036);

    /// <summary>(0070,0080) ContentLabel, VR CS.</summary>
    public static readonly DicomTag ContentLabel = new(0x0070, 0x0080);

    /// <summary>(0070,0081) ContentDescription, VR LO.</summary>
    public static readonly DicomTag ContentDescription = new(0x0070, 0x0081);

    /// <summary>(0070,0084) ContentCreatorName, VR PN.</summary>
    public static readonly DicomTag ContentCreatorName = new(0x0070, 0x0084);

    private static readonly Dictionary<uint, DicomVR> VRs = new()
    {
        [0x00080100] = DicomVR.SH,
        [0x00080102] = DicomVR.SH,
        [0x00080104] = DicomVR.LO,
        [0x0008114A] = DicomVR.SQ,
        [0x00081160] = DicomVR.IS,
        [0x00082112] = DicomVR.SQ,
        [0x00082218] = DicomVR.SQ,
        [0x00082220] = DicomVR.SQ,
        [0x00089124] = DicomVR.SQ,
        [0x00089215] = DicomVR.SQ,
        [0x00181000] = DicomVR.LO,
        [0x00201040] = DicomVR.LO,
        [0x00209164] = DicomVR.UI,
        [0x00209165] = DicomVR.AT,
        [0x00209167] = DicomVR.AT,
        [0x00209221] = DicomVR.SQ,
        [0x00209222] = DicomVR.SQ,
        [0x00209421] = DicomVR.LO,
        [0x0028135A] = DicomVR.CS,
        [0x0040A170] = DicomVR.SQ,
        [0x00620001] = DicomVR.CS,
        [0x00620002] = DicomVR.SQ,
        [0x00620003] = DicomVR.SQ,
        [0x00620004] = DicomVR.US,
        [0x00620005] = DicomVR.LO,
        [0x00620006] = DicomVR.ST,
        [0x00620007] = DicomVR.SQ,
        [0x00620008] = DicomVR.CS,
        [0x00620009] = DicomVR.LO,
        [0x0062000A] = DicomVR.SQ,
        [0x0062000B] = DicomVR.US,
        [0x0062000C] = DicomVR.US,
        [0x0062000D] = DicomVR.US,
        [0x0062000E] = DicomVR.US,
        [0x0062000F] = DicomVR.SQ,
        [0x00620010] = DicomVR.CS,
        [0x00620011] = DicomVR.SQ,
        [0x00620013] = DicomVR.CS,
        [0x0066002F] = DicomVR.SQ,
        [0x00660031] = DicomVR.LO,
        [0x00660036] = DicomVR.LO,
        [0x00700080] = DicomVR.CS,
        [0x00700081] = DicomVR.LO,
        [0x00700084] = DicomVR.PN,
    };

    /// <summary>The VR of a segmentation tag, or null when the tag is not one of these.</summary>
    public static DicomVR? VROf(DicomTag tag) => VRs.TryGetValue(tag.Value, out var vr) ? vr : null;
}
