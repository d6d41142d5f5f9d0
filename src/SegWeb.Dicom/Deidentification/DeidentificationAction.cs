namespace SegWeb.Dicom.Deidentification;

/// <summary>What the profile does to one attribute (PS3.15 Table E.1-1 action codes).</summary>
public enum DeidentificationAction
{
    /// <summary>K: keep the value (sequences are still cleaned item by item).</summary>
    Keep,

    /// <summary>X: remove the attribute.</summary>
    Remove,

    /// <summary>Z: keep the attribute with an empty value (a sequence with no items).</summary>
    ZeroLength,

    /// <summary>D: replace with a non-identifying dummy value of the same VR.</summary>
    Dummy,

    /// <summary>U: replace each UID with its consistent replacement from the <see cref="DicomUidMap"/>.</summary>
    RemapUid,
}
