namespace SegWeb.Dicom.Segmentation;

/// <summary>
/// How one label value of a label map is described in a DICOM-SEG segment (PS3.3 C.8.20.2, Segment Description
/// Macro): its label, SNOMED-CT category / type / type modifier and recommended display colour.
/// </summary>
/// <param name="LabelValue">The value of the structure's voxels in the label map.</param>
/// <param name="Label">SegmentLabel, e.g. the model's class name "liver".</param>
/// <param name="Category">SegmentedPropertyCategoryCodeSequence.</param>
/// <param name="Type">SegmentedPropertyTypeCodeSequence.</param>
/// <param name="TypeModifier">SegmentedPropertyTypeModifierCodeSequence (e.g. Left/Right), or null.</param>
/// <param name="AnatomicRegion">AnatomicRegionSequence, or null.</param>
/// <param name="Rgb">Display colour as sRGB 0–255, written as RecommendedDisplayCIELabValue; null writes none.</param>
public sealed record SegmentDescription(
    int LabelValue,
    string Label,
    CodedConcept Category,
    CodedConcept Type,
    CodedConcept? TypeModifier = null,
    CodedConcept? AnatomicRegion = null,
    (byte R, byte G, byte B)? Rgb = null);

/// <summary>Who made the segmentation (Segmentation Algorithm Identification Macro, PS3.3 C.8.20.2.1).</summary>
/// <param name="Name">AlgorithmName, e.g. "TotalSegmentator total".</param>
/// <param name="Version">AlgorithmVersion, e.g. SegWeb's version or the model's.</param>
/// <param name="Family">AlgorithmFamilyCodeSequence; default DCM 123110 "Artificial Intelligence".</param>
public sealed record AlgorithmIdentification(string Name, string Version, CodedConcept? Family = null)
{
    /// <summary>The family to write: <see cref="Family"/> or "Artificial Intelligence".</summary>
    public CodedConcept FamilyOrDefault => Family ?? CodedConcept.ArtificialIntelligence;
}
