namespace SegWeb.Dicom.Segmentation;

/// <summary>A coded concept (PS3.3 Code Sequence Macro, Table 8.8-1): value, coding scheme and meaning.</summary>
public sealed record CodedConcept(string Value, string Scheme, string Meaning)
{
    /// <summary>SNOMED-CT "Tissue", the category used for a structure the mapping does not know.</summary>
    public static CodedConcept Tissue { get; } = new("85756007", "SCT", "Tissue");

    /// <summary>DICOM "Artificial Intelligence" (CID 7162), the algorithm family of SegWeb's models.</summary>
    public static CodedConcept ArtificialIntelligence { get; } = new("123110", "DCM", "Artificial Intelligence");

    /// <summary>Builds the one item of a code sequence.</summary>
    internal DicomDataset ToItem()
    {
        var item = new DicomDataset("code");
        item.SetString(SegmentationTags.CodeValue, DicomVR.SH, Value);
        item.SetString(SegmentationTags.CodingSchemeDesignator, DicomVR.SH, Scheme);
        item.SetString(SegmentationTags.CodeMeaning, DicomVR.LO, Meaning);
        return item;
    }

    /// <summary>Reads the first item of a code sequence, or null when it is absent.</summary>
    internal static CodedConcept? FromSequence(DicomDataset owner, DicomTag sequence) =>
        owner.GetFirstItem(sequence) is { } item
            ? new CodedConcept(item.GetString(SegmentationTags.CodeValue) ?? string.Empty, item.GetString(SegmentationTags.CodingSchemeDesignator) ?? string.Empty,
                item.GetString(SegmentationTags.CodeMeaning) ?? string.Empty)
            : null;
}
