using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SegWeb.Dicom;

/// <summary>
/// A DICOM dataset: elements ordered by tag, with typed getters. Values are kept raw (little endian) so the
/// same model serves the reader and a writer. Getters return null (or an empty list) for a missing or empty
/// attribute and throw <see cref="DicomFormatException"/> naming the source for a value that does not parse.
/// </summary>
public sealed class DicomDataset
{
    private readonly SortedList<DicomTag, DicomElement> _elements = [];

    /// <summary>An empty dataset; <paramref name="sourceName"/> is used in error messages.</summary>
    public DicomDataset(string sourceName = "dataset", Encoding? textEncoding = null)
    {
        SourceName = sourceName;
        TextEncoding = textEncoding ?? Encoding.Latin1;
    }

    /// <summary>The file (or zip entry) the dataset came from, for messages.</summary>
    public string SourceName { get; }

    /// <summary>How text values are decoded: Latin-1 unless SpecificCharacterSet says ISO_IR 192 (UTF-8).</summary>
    public Encoding TextEncoding { get; internal set; }

    public int Count => _elements.Count;

    /// <summary>The elements in tag order.</summary>
    public IEnumerable<DicomElement> Elements => _elements.Values;

    public bool Contains(DicomTag tag) => _elements.ContainsKey(tag);

    /// <summary>The element with this tag, or null.</summary>
    public DicomElement? this[DicomTag tag] => _elements.GetValueOrDefault(tag);

    /// <summary>Adds or replaces an element.</summary>
    public void Set(DicomElement element)
    {
        ArgumentNullException.ThrowIfNull(element);
        _elements[element.Tag] = element;
    }

    /// <summary>Sets a text attribute, padded to even length as the VR requires (UI with NUL, others with space).</summary>
    public void SetString(DicomTag tag, DicomVR vr, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bytes = TextEncoding.GetBytes(value);
        if (bytes.Length % 2 == 1)
        {
            Array.Resize(ref bytes, bytes.Length + 1);
            bytes[^1] = vr == DicomVR.UI ? (byte)0 : (byte)' ';
        }

        Set(new DicomElement(tag, vr, bytes));
    }

    public bool Remove(DicomTag tag) => _elements.Remove(tag);

    /// <summary>The whole text value with trailing spaces and NULs removed, or null when absent or empty.</summary>
    public string? GetString(DicomTag tag)
    {
        if (this[tag] is not { } e || e.Value.Length == 0)
        {
            return null;
        }

        var text = TextEncoding.GetString(e.Value).TrimEnd(' ', '\0');
        return text.Length == 0 ? null : text;
    }

    /// <summary>The backslash-separated values of a text attribute, each trimmed; empty when absent.</summary>
    public string[] GetStrings(DicomTag tag) =>
        GetString(tag) is { } text ? text.Split('\\').Select(s => s.Trim(' ', '\0')).ToArray() : [];

    /// <summary>A UID (trailing NUL/space padding removed), or null when absent or empty.</summary>
    public string? GetUid(DicomTag tag) => GetString(tag)?.Trim();

    /// <summary>The first value as an integer (binary US/SS/UL/SL or text IS/DS), or null.</summary>
    public int? GetInt(DicomTag tag)
    {
        if (GetDouble(tag) is not { } d)
        {
            return null;
        }

        if (d != Math.Floor(d) || d < int.MinValue || d > int.MaxValue)
        {
            throw Bad(tag, $"value {d.ToString(CultureInfo.InvariantCulture)} is not an integer");
        }

        return (int)d;
    }

    /// <summary>The first value as a number, or null.</summary>
    public double? GetDouble(DicomTag tag)
    {
        var values = GetDoubles(tag);
        return values.Length > 0 ? values[0] : null;
    }

    /// <summary>All values as numbers (DS/IS text or binary numbers), empty when absent.</summary>
    public double[] GetDoubles(DicomTag tag)
    {
        if (this[tag] is not { } e || e.Value.Length == 0)
        {
            return [];
        }

        var v = e.Value.AsSpan();
        switch (e.VR)
        {
            case DicomVR.US: return Binary(v, 2, s => BinaryPrimitives.ReadUInt16LittleEndian(s));
            case DicomVR.SS: return Binary(v, 2, s => BinaryPrimitives.ReadInt16LittleEndian(s));
            case DicomVR.UL: return Binary(v, 4, s => BinaryPrimitives.ReadUInt32LittleEndian(s));
            case DicomVR.SL: return Binary(v, 4, s => BinaryPrimitives.ReadInt32LittleEndian(s));
            case DicomVR.FL: return Binary(v, 4, s => BinaryPrimitives.ReadSingleLittleEndian(s));
            case DicomVR.FD: return Binary(v, 8, BinaryPrimitives.ReadDoubleLittleEndian);
            default:
                var parts = GetStrings(tag);
                var result = new double[parts.Length];
                for (int i = 0; i < parts.Length; i++)
                {
                    if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out result[i]) || !double.IsFinite(result[i]))
                    {
                        throw Bad(tag, $"value '{Clip(parts[i])}' is not a number");
                    }
                }

                return result;
        }
    }

    /// <summary>The items of a sequence, empty when absent (or not a sequence).</summary>
    public IReadOnlyList<DicomDataset> GetSequence(DicomTag tag) => this[tag] is DicomSequence s ? s.Items : [];

    /// <summary>The first item of a sequence, or null.</summary>
    public DicomDataset? GetFirstItem(DicomTag tag) => GetSequence(tag) is { Count: > 0 } items ? items[0] : null;

    private static double[] Binary(ReadOnlySpan<byte> v, int size, Func<ReadOnlySpan<byte>, double> read)
    {
        var result = new double[v.Length / size];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = read(v.Slice(i * size, size));
        }

        return result;
    }

    private static string Clip(string s) => s.Length <= 40 ? s : string.Concat(s.AsSpan(0, 40), "…");

    private DicomFormatException Bad(DicomTag tag, string problem) => new(SourceName, $"attribute {tag}: {problem}");
}
