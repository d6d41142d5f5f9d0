namespace SegWeb.Dicom;

/// <summary>The tags SegWeb reads and writes, with their VRs (the data dictionary is only as big as SegWeb needs).</summary>
public static class DicomTags
{
    /// <summary>(0002,0000) FileMetaInformationGroupLength, VR UL.</summary>
    public static readonly DicomTag FileMetaInformationGroupLength = new(0x0002, 0x0000);

    /// <summary>(0002,0001) FileMetaInformationVersion, VR OB.</summary>
    public static readonly DicomTag FileMetaInformationVersion = new(0x0002, 0x0001);

    /// <summary>(0002,0002) MediaStorageSopClassUid, VR UI.</summary>
    public static readonly DicomTag MediaStorageSopClassUid = new(0x0002, 0x0002);

    /// <summary>(0002,0003) MediaStorageSopInstanceUid, VR UI.</summary>
    public static readonly DicomTag MediaStorageSopInstanceUid = new(0x0002, 0x0003);

    /// <summary>(0002,0010) TransferSyntaxUid, VR UI.</summary>
    public static readonly DicomTag TransferSyntaxUid = new(0x0002, 0x0010);

    /// <summary>(0002,0012) ImplementationClassUid, VR UI.</summary>
    public static readonly DicomTag ImplementationClassUid = new(0x0002, 0x0012);

    /// <summary>(0002,0013) ImplementationVersionName, VR SH.</summary>
    public static readonly DicomTag ImplementationVersionName = new(0x0002, 0x0013);

    /// <summary>(0002,0016) SourceApplicationEntityTitle, VR AE.</summary>
    public static readonly DicomTag SourceApplicationEntityTitle = new(0x0002, 0x0016);

    /// <summary>(0008,0005) SpecificCharacterSet, VR CS.</summary>
    public static readonly DicomTag SpecificCharacterSet = new(0x0008, 0x0005);

    /// <summary>(0008,0008) ImageType, VR CS.</summary>
    public static readonly DicomTag ImageType = new(0x0008, 0x0008);

    /// <summary>(0008,0012) InstanceCreationDate, VR DA.</summary>
    public static readonly DicomTag InstanceCreationDate = new(0x0008, 0x0012);

    /// <summary>(0008,0013) InstanceCreationTime, VR TM.</summary>
    public static readonly DicomTag InstanceCreationTime = new(0x0008, 0x0013);

    /// <summary>(0008,0016) SopClassUid, VR UI.</summary>
    public static readonly DicomTag SopClassUid = new(0x0008, 0x0016);

    /// <summary>(0008,0018) SopInstanceUid, VR UI.</summary>
    public static readonly DicomTag SopInstanceUid = new(0x0008, 0x0018);

    /// <summary>(0008,0020) StudyDate, VR DA.</summary>
    public static readonly DicomTag StudyDate = new(0x0008, 0x0020);

    /// <summary>(0008,0021) SeriesDate, VR DA.</summary>
    public static readonly DicomTag SeriesDate = new(0x0008, 0x0021);

    /// <summary>(0008,0022) AcquisitionDate, VR DA.</summary>
    public static readonly DicomTag AcquisitionDate = new(0x0008, 0x0022);

    /// <summary>(0008,0023) ContentDate, VR DA.</summary>
    public static readonly DicomTag ContentDate = new(0x0008, 0x0023);

    /// <summary>(0008,0030) StudyTime, VR TM.</summary>
    public static readonly DicomTag StudyTime = new(0x0008, 0x0030);

    /// <summary>(0008,0031) SeriesTime, VR TM.</summary>
    public static readonly DicomTag SeriesTime = new(0x0008, 0x0031);

    /// <summary>(0008,0032) AcquisitionTime, VR TM.</summary>
    public static readonly DicomTag AcquisitionTime = new(0x0008, 0x0032);

    /// <summary>(0008,0033) ContentTime, VR TM.</summary>
    public static readonly DicomTag ContentTime = new(0x0008, 0x0033);

    /// <summary>(0008,0050) AccessionNumber, VR SH.</summary>
    public static readonly DicomTag AccessionNumber = new(0x0008, 0x0050);

    /// <summary>(0008,0060) Modality, VR CS.</summary>
    public static readonly DicomTag Modality = new(0x0008, 0x0060);

    /// <summary>(0008,0070) Manufacturer, VR LO.</summary>
    public static readonly DicomTag Manufacturer = new(0x0008, 0x0070);

    /// <summary>(0008,0080) InstitutionName, VR LO.</summary>
    public static readonly DicomTag InstitutionName = new(0x0008, 0x0080);

    /// <summary>(0008,0090) ReferringPhysicianName, VR PN.</summary>
    public static readonly DicomTag ReferringPhysicianName = new(0x0008, 0x0090);

    /// <summary>(0008,1030) StudyDescription, VR LO.</summary>
    public static readonly DicomTag StudyDescription = new(0x0008, 0x1030);

    /// <summary>(0008,103E) SeriesDescription, VR LO.</summary>
    public static readonly DicomTag SeriesDescription = new(0x0008, 0x103E);

    /// <summary>(0008,1090) ManufacturerModelName, VR LO.</summary>
    public static readonly DicomTag ManufacturerModelName = new(0x0008, 0x1090);

    /// <summary>(0008,1115) ReferencedSeriesSequence, VR SQ.</summary>
    public static readonly DicomTag ReferencedSeriesSequence = new(0x0008, 0x1115);

    /// <summary>(0008,1140) ReferencedImageSequence, VR SQ.</summary>
    public static readonly DicomTag ReferencedImageSequence = new(0x0008, 0x1140);

    /// <summary>(0008,1150) ReferencedSopClassUid, VR UI.</summary>
    public static readonly DicomTag ReferencedSopClassUid = new(0x0008, 0x1150);

    /// <summary>(0008,1155) ReferencedSopInstanceUid, VR UI.</summary>
    public static readonly DicomTag ReferencedSopInstanceUid = new(0x0008, 0x1155);

    /// <summary>(0008,9007) FrameType, VR CS.</summary>
    public static readonly DicomTag FrameType = new(0x0008, 0x9007);

    /// <summary>(0010,0010) PatientName, VR PN.</summary>
    public static readonly DicomTag PatientName = new(0x0010, 0x0010);

    /// <summary>(0010,0020) PatientId, VR LO.</summary>
    public static readonly DicomTag PatientId = new(0x0010, 0x0020);

    /// <summary>(0010,0030) PatientBirthDate, VR DA.</summary>
    public static readonly DicomTag PatientBirthDate = new(0x0010, 0x0030);

    /// <summary>(0010,0040) PatientSex, VR CS.</summary>
    public static readonly DicomTag PatientSex = new(0x0010, 0x0040);

    /// <summary>(0010,1010) PatientAge, VR AS.</summary>
    public static readonly DicomTag PatientAge = new(0x0010, 0x1010);

    /// <summary>(0018,0015) BodyPartExamined, VR CS.</summary>
    public static readonly DicomTag BodyPartExamined = new(0x0018, 0x0015);

    /// <summary>(0018,0050) SliceThickness, VR DS.</summary>
    public static readonly DicomTag SliceThickness = new(0x0018, 0x0050);

    /// <summary>(0018,0060) Kvp, VR DS.</summary>
    public static readonly DicomTag Kvp = new(0x0018, 0x0060);

    /// <summary>(0018,0080) RepetitionTime, VR DS.</summary>
    public static readonly DicomTag RepetitionTime = new(0x0018, 0x0080);

    /// <summary>(0018,0081) EchoTime, VR DS.</summary>
    public static readonly DicomTag EchoTime = new(0x0018, 0x0081);

    /// <summary>(0018,0087) MagneticFieldStrength, VR DS.</summary>
    public static readonly DicomTag MagneticFieldStrength = new(0x0018, 0x0087);

    /// <summary>(0018,0088) SpacingBetweenSlices, VR DS.</summary>
    public static readonly DicomTag SpacingBetweenSlices = new(0x0018, 0x0088);

    /// <summary>(0018,1020) SoftwareVersions, VR LO.</summary>
    public static readonly DicomTag SoftwareVersions = new(0x0018, 0x1020);

    /// <summary>(0018,1120) GantryDetectorTilt, VR DS.</summary>
    public static readonly DicomTag GantryDetectorTilt = new(0x0018, 0x1120);

    /// <summary>(0018,1210) ConvolutionKernel, VR SH.</summary>
    public static readonly DicomTag ConvolutionKernel = new(0x0018, 0x1210);

    /// <summary>(0018,5100) PatientPosition, VR CS.</summary>
    public static readonly DicomTag PatientPosition = new(0x0018, 0x5100);

    /// <summary>(0020,000D) StudyInstanceUid, VR UI.</summary>
    public static readonly DicomTag StudyInstanceUid = new(0x0020, 0x000D);

    /// <summary>(0020,000E) SeriesInstanceUid, VR UI.</summary>
    public static readonly DicomTag SeriesInstanceUid = new(0x0020, 0x000E);

    /// <summary>(0020,0010) StudyId, VR SH.</summary>
    public static readonly DicomTag StudyId = new(0x0020, 0x0010);

    /// <summary>(0020,0011) SeriesNumber, VR IS.</summary>
    public static readonly DicomTag SeriesNumber = new(0x0020, 0x0011);

    /// <summary>(0020,0012) AcquisitionNumber, VR IS.</summary>
    public static readonly DicomTag AcquisitionNumber = new(0x0020, 0x0012);

    /// <summary>(0020,0013) InstanceNumber, VR IS.</summary>
    public static readonly DicomTag InstanceNumber = new(0x0020, 0x0013);

    /// <summary>(0020,0032) ImagePositionPatient, VR DS.</summary>
    public static readonly DicomTag ImagePositionPatient = new(0x0020, 0x0032);

    /// <summary>(0020,0037) ImageOrientationPatient, VR DS.</summary>
    public static readonly DicomTag ImageOrientationPatient = new(0x0020, 0x0037);

    /// <summary>(0020,0052) FrameOfReferenceUid, VR UI.</summary>
    public static readonly DicomTag FrameOfReferenceUid = new(0x0020, 0x0052);

    /// <summary>(0020,1041) SliceLocation, VR DS.</summary>
    public static readonly DicomTag SliceLocation = new(0x0020, 0x1041);

    /// <summary>(0020,9111) FrameContentSequence, VR SQ.</summary>
    public static readonly DicomTag FrameContentSequence = new(0x0020, 0x9111);

    /// <summary>(0020,9113) PlanePositionSequence, VR SQ.</summary>
    public static readonly DicomTag PlanePositionSequence = new(0x0020, 0x9113);

    /// <summary>(0020,9116) PlaneOrientationSequence, VR SQ.</summary>
    public static readonly DicomTag PlaneOrientationSequence = new(0x0020, 0x9116);

    /// <summary>(0020,9157) DimensionIndexValues, VR UL.</summary>
    public static readonly DicomTag DimensionIndexValues = new(0x0020, 0x9157);

    /// <summary>(0028,0002) SamplesPerPixel, VR US.</summary>
    public static readonly DicomTag SamplesPerPixel = new(0x0028, 0x0002);

    /// <summary>(0028,0004) PhotometricInterpretation, VR CS.</summary>
    public static readonly DicomTag PhotometricInterpretation = new(0x0028, 0x0004);

    /// <summary>(0028,0006) PlanarConfiguration, VR US.</summary>
    public static readonly DicomTag PlanarConfiguration = new(0x0028, 0x0006);

    /// <summary>(0028,0008) NumberOfFrames, VR IS.</summary>
    public static readonly DicomTag NumberOfFrames = new(0x0028, 0x0008);

    /// <summary>(0028,0010) Rows, VR US.</summary>
    public static readonly DicomTag Rows = new(0x0028, 0x0010);

    /// <summary>(0028,0011) Columns, VR US.</summary>
    public static readonly DicomTag Columns = new(0x0028, 0x0011);

    /// <summary>(0028,0030) PixelSpacing, VR DS.</summary>
    public static readonly DicomTag PixelSpacing = new(0x0028, 0x0030);

    /// <summary>(0028,0100) BitsAllocated, VR US.</summary>
    public static readonly DicomTag BitsAllocated = new(0x0028, 0x0100);

    /// <summary>(0028,0101) BitsStored, VR US.</summary>
    public static readonly DicomTag BitsStored = new(0x0028, 0x0101);

    /// <summary>(0028,0102) HighBit, VR US.</summary>
    public static readonly DicomTag HighBit = new(0x0028, 0x0102);

    /// <summary>(0028,0103) PixelRepresentation, VR US.</summary>
    public static readonly DicomTag PixelRepresentation = new(0x0028, 0x0103);

    /// <summary>(0028,1050) WindowCenter, VR DS.</summary>
    public static readonly DicomTag WindowCenter = new(0x0028, 0x1050);

    /// <summary>(0028,1051) WindowWidth, VR DS.</summary>
    public static readonly DicomTag WindowWidth = new(0x0028, 0x1051);

    /// <summary>(0028,1052) RescaleIntercept, VR DS.</summary>
    public static readonly DicomTag RescaleIntercept = new(0x0028, 0x1052);

    /// <summary>(0028,1053) RescaleSlope, VR DS.</summary>
    public static readonly DicomTag RescaleSlope = new(0x0028, 0x1053);

    /// <summary>(0028,1054) RescaleType, VR LO.</summary>
    public static readonly DicomTag RescaleType = new(0x0028, 0x1054);

    /// <summary>(0028,2110) LossyImageCompression, VR CS.</summary>
    public static readonly DicomTag LossyImageCompression = new(0x0028, 0x2110);

    /// <summary>(0028,9110) PixelMeasuresSequence, VR SQ.</summary>
    public static readonly DicomTag PixelMeasuresSequence = new(0x0028, 0x9110);

    /// <summary>(0028,9145) PixelValueTransformationSequence, VR SQ.</summary>
    public static readonly DicomTag PixelValueTransformationSequence = new(0x0028, 0x9145);

    /// <summary>(5200,9229) SharedFunctionalGroupsSequence, VR SQ.</summary>
    public static readonly DicomTag SharedFunctionalGroupsSequence = new(0x5200, 0x9229);

    /// <summary>(5200,9230) PerFrameFunctionalGroupsSequence, VR SQ.</summary>
    public static readonly DicomTag PerFrameFunctionalGroupsSequence = new(0x5200, 0x9230);

    /// <summary>(7FE0,0001) ExtendedOffsetTable, VR OV.</summary>
    public static readonly DicomTag ExtendedOffsetTable = new(0x7FE0, 0x0001);

    /// <summary>(7FE0,0002) ExtendedOffsetTableLengths, VR OV.</summary>
    public static readonly DicomTag ExtendedOffsetTableLengths = new(0x7FE0, 0x0002);

    /// <summary>(7FE0,0010) PixelData, VR OW.</summary>
    public static readonly DicomTag PixelData = new(0x7FE0, 0x0010);

    /// <summary>(FFFE,E000) Item, VR UN.</summary>
    public static readonly DicomTag Item = new(0xFFFE, 0xE000);

    /// <summary>(FFFE,E00D) ItemDelimitationItem, VR UN.</summary>
    public static readonly DicomTag ItemDelimitationItem = new(0xFFFE, 0xE00D);

    /// <summary>(FFFE,E0DD) SequenceDelimitationItem, VR UN.</summary>
    public static readonly DicomTag SequenceDelimitationItem = new(0xFFFE, 0xE0DD);
}
