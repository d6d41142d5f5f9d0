namespace SegWeb.Dicom;

/// <summary>
/// One data element: tag, VR and its raw value bytes, always little endian (big-endian input is swapped on
/// read), so a writer can emit them as they are. Sequences and encapsulated pixel data are the subclasses
/// <see cref="DicomSequence"/> and <see cref="DicomFragments"/>.
/// </summary>
public class DicomElement
{
    public DicomElement(DicomTag tag, DicomVR vr, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Tag = tag;
        VR = vr;
        Value = value;
    }

    public DicomTag Tag { get; }

    public DicomVR VR { get; }

    /// <summary>The value bytes as stored (little endian, padding included). Empty for sequences and fragments.</summary>
#pragma warning disable CA1819 // Raw bytes are the element's value; callers that share them must not mutate them.
    public byte[] Value { get; }
#pragma warning restore CA1819

    public override string ToString() => $"{Tag} {VR} [{Value.Length} bytes]";
}

/// <summary>A sequence (SQ) element: an ordered list of item datasets.</summary>
public sealed class DicomSequence : DicomElement
{
    public DicomSequence(DicomTag tag, IReadOnlyList<DicomDataset> items)
        : base(tag, DicomVR.SQ, [])
    {
        ArgumentNullException.ThrowIfNull(items);
        Items = items;
    }

    public IReadOnlyList<DicomDataset> Items { get; }

    public override string ToString() => $"{Tag} SQ [{Items.Count} items]";
}

/// <summary>
/// Encapsulated (compressed) pixel data: the basic offset table (empty when absent) and the fragments, in
/// file order. A frame may span several fragments; <see cref="Pixels.DicomPixelData"/> maps frames to fragments.
/// </summary>
public sealed class DicomFragments : DicomElement
{
    public DicomFragments(DicomTag tag, DicomVR vr, byte[] basicOffsetTable, IReadOnlyList<byte[]> fragments)
        : base(tag, vr, [])
    {
        ArgumentNullException.ThrowIfNull(basicOffsetTable);
        ArgumentNullException.ThrowIfNull(fragments);
        BasicOffsetTable = basicOffsetTable;
        Fragments = fragments;
    }

#pragma warning disable CA1819 // Raw bytes, as read.
    public byte[] BasicOffsetTable { get; }
#pragma warning restore CA1819

    public IReadOnlyList<byte[]> Fragments { get; }

    public override string ToString() => $"{Tag} {VR} [encapsulated, {Fragments.Count} fragments]";
}
