using System.Globalization;

namespace SegWeb.Dicom;

/// <summary>A DICOM attribute tag (group, element). Orders as the standard does: by group, then element.</summary>
public readonly record struct DicomTag(ushort Group, ushort Element) : IComparable<DicomTag>
{
    /// <summary>The tag as one 32-bit number, group in the high half (0xGGGGEEEE).</summary>
    public uint Value => ((uint)Group << 16) | Element;

    /// <summary>Odd groups (other than 1, 3, 5, 7 and FFFF) hold private attributes.</summary>
    public bool IsPrivate => (Group & 1) == 1 && Group > 0x0008 && Group != 0xFFFF;

    /// <summary>A private creator element (gggg,0010–00FF) that reserves a block of a private group.</summary>
    public bool IsPrivateCreator => IsPrivate && Element is >= 0x0010 and <= 0x00FF;

    public static DicomTag FromValue(uint value) => new((ushort)(value >> 16), (ushort)value);

    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    public static bool operator <(DicomTag left, DicomTag right) => left.CompareTo(right) < 0;

    public static bool operator >(DicomTag left, DicomTag right) => left.CompareTo(right) > 0;

    public static bool operator <=(DicomTag left, DicomTag right) => left.CompareTo(right) <= 0;

    public static bool operator >=(DicomTag left, DicomTag right) => left.CompareTo(right) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"({Group:X4},{Element:X4})");
}
