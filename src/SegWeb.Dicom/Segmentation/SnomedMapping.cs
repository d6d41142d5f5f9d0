using System.Globalization;
using System.Text;

namespace SegWeb.Dicom.Segmentation;

/// <summary>
/// TotalSegmentator's table of SNOMED-CT codes and colours per structure name (totalsegmentator_snomed_mapping.csv,
/// embedded; Apache-2.0, notice beside it in Resources/). Columns are found by their header names, so a reordered
/// or extended table still reads. Structures the table does not know are described as SCT "Tissue".
/// </summary>
public sealed class SnomedMapping
{
    private const string ResourceName = "SegWeb.Dicom.Segmentation.totalsegmentator_snomed_mapping.csv";
    private static readonly Lazy<SnomedMapping> EmbeddedTable = new(() =>
    {
        using var stream = typeof(SnomedMapping).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader.ReadToEnd(), "embedded totalsegmentator_snomed_mapping.csv");
    });

    private readonly Dictionary<string, SegmentDescription> _byName;

    private SnomedMapping(Dictionary<string, SegmentDescription> byName) => _byName = byName;

    /// <summary>The table shipped with SegWeb.</summary>
    public static SnomedMapping Embedded => EmbeddedTable.Value;

    /// <summary>Structure names the table describes.</summary>
    public IReadOnlyCollection<string> Structures => _byName.Keys;

    /// <summary>Reads a mapping CSV from disk.</summary>
    /// <exception cref="ImageFormatException">Unreadable file, missing columns or a malformed row.</exception>
    public static SnomedMapping Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Imaging.ImageFormatException(path, $"cannot read the SNOMED mapping: {e.Message}", e);
        }

        return Parse(text, path);
    }

    /// <summary>Parses the CSV text; <paramref name="origin"/> names it in errors.</summary>
    public static SnomedMapping Parse(string csv, string origin)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var rows = ReadRows(csv, origin);
        if (rows.Count == 0)
        {
            throw new Imaging.ImageFormatException(origin, "the SNOMED mapping is empty");
        }

        var header = rows[0];
        int Column(string name, bool required = true)
        {
            int index = header.FindIndex(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
            if (index < 0 && required)
            {
                throw new Imaging.ImageFormatException(origin, $"the SNOMED mapping has no column '{name}'");
            }

            return index;
        }

        int structure = Column("Structure");
        var category = CodeColumns("SegmentedPropertyCategoryCodeSequence", required: true);
        var type = CodeColumns("SegmentedPropertyTypeCodeSequence", required: true);
        var modifier = CodeColumns("SegmentedPropertyTypeModifierCodeSequence", required: false);
        var region = CodeColumns("AnatomicRegionSequence", required: false);
        int color = Column("DicomRGBColor", required: false);

        (int Scheme, int Value, int Meaning) CodeColumns(string prefix, bool required) =>
            (Column(prefix + ".CodingSchemeDesignator", required), Column(prefix + ".CodeValue", required), Column(prefix + ".CodeMeaning", required));

        var byName = new Dictionary<string, SegmentDescription>(StringComparer.Ordinal);
        for (int r = 1; r < rows.Count; r++)
        {
            var row = rows[r];
            if (row.Count == 1 && row[0].Length == 0)
            {
                continue;
            }

            string Cell(int c) => c >= 0 && c < row.Count ? row[c].Trim() : string.Empty;
            CodedConcept? Code((int Scheme, int Value, int Meaning) c) =>
                Cell(c.Value).Length == 0 ? null : new CodedConcept(Cell(c.Value), Cell(c.Scheme), Cell(c.Meaning));

            var name = Cell(structure);
            var cat = Code(category);
            var typ = Code(type);
            if (name.Length == 0 || cat is null || typ is null)
            {
                throw new Imaging.ImageFormatException(origin, $"row {r + 1}: a structure needs a name, a category code and a type code");
            }

            byName[name] = new SegmentDescription(0, name, cat, typ, Code(modifier), Code(region), ParseColor(Cell(color), origin, r + 1));
        }

        return new SnomedMapping(byName);
    }

    /// <summary>The description of structure <paramref name="name"/> with label value <paramref name="labelValue"/>; unknown names get SCT Tissue and no colour.</summary>
    public SegmentDescription Describe(int labelValue, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out var known)
            ? known with { LabelValue = labelValue }
            : new SegmentDescription(labelValue, name, CodedConcept.Tissue, CodedConcept.Tissue);
    }

    /// <summary>Descriptions for a label map's class names (label value → name).</summary>
    public IReadOnlyList<SegmentDescription> Describe(IReadOnlyDictionary<int, string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        return classNames.OrderBy(p => p.Key).Select(p => Describe(p.Key, p.Value)).ToList();
    }

    private static (byte, byte, byte)? ParseColor(string text, string origin, int row)
    {
        if (text.Length == 0)
        {
            return null;
        }

        var parts = text.Split(',');
        if (parts.Length != 3 || !parts.All(p => byte.TryParse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            throw new Imaging.ImageFormatException(origin, $"row {row}: DicomRGBColor '{text}' is not three numbers 0-255");
        }

        return (byte.Parse(parts[0].Trim(), CultureInfo.InvariantCulture), byte.Parse(parts[1].Trim(), CultureInfo.InvariantCulture), byte.Parse(parts[2].Trim(), CultureInfo.InvariantCulture));
    }

    /// <summary>RFC 4180 rows: commas separate, double quotes enclose cells that hold commas, "" is a quote.</summary>
    private static List<List<string>> ReadRows(string csv, string origin)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < csv.Length; i++)
        {
            char c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case ',':
                    row.Add(cell.ToString());
                    cell.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    row.Add(cell.ToString());
                    cell.Clear();
                    rows.Add(row);
                    row = [];
                    break;
                default:
                    cell.Append(c);
                    break;
            }
        }

        if (quoted)
        {
            throw new Imaging.ImageFormatException(origin, "a quoted cell is not closed");
        }

        if (cell.Length > 0 || row.Count > 0)
        {
            row.Add(cell.ToString());
            rows.Add(row);
        }

        return rows;
    }
}
