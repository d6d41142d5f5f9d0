using System.Globalization;

namespace SegWeb.Models.Packages;

/// <summary>
/// Structure name → SNOMED-CT code (with its laterality modifier) and colour, read from a CSV in
/// TotalSegmentator's layout (Structure, …, SegmentedPropertyTypeCodeSequence.CodingSchemeDesignator/CodeValue/
/// CodeMeaning, SegmentedPropertyTypeModifierCodeSequence.*, …, DicomRGBColor "r,g,b").
/// </summary>
public sealed class ClassMetadataTable
{
    private const string EmbeddedName = "SegWeb.Models.Packages.totalsegmentator_snomed_mapping.csv";
    private const string TypePrefix = "SegmentedPropertyTypeCodeSequence.";
    private const string ModifierPrefix = "SegmentedPropertyTypeModifierCodeSequence.";
    private static readonly Lazy<ClassMetadataTable> TotalSegmentator = new(() =>
    {
        using var stream = typeof(ClassMetadataTable).Assembly.GetManifestResourceStream(EmbeddedName)
            ?? throw new InvalidOperationException($"embedded resource {EmbeddedName} is missing from SegWeb.Models");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray(), "totalsegmentator_snomed_mapping.csv (embedded)");
    });

    private readonly Dictionary<string, ClassInfo> _rows;

    private ClassMetadataTable(Dictionary<string, ClassInfo> rows) => _rows = rows;

    public int Count => _rows.Count;

    /// <summary>TotalSegmentator's own table (170 structures), embedded in SegWeb.Models (Apache-2.0, see Packages/Data).</summary>
    public static ClassMetadataTable LoadTotalSegmentator() => TotalSegmentator.Value;

    /// <summary>Reads a CSV in TotalSegmentator's layout; a malformed table gives <see cref="ModelFormatException"/>.</summary>
    public static ClassMetadataTable Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ModelFormatException(path, "class metadata table not found");
        }

        return Parse(File.ReadAllLines(path), path);
    }

    /// <summary>The class info for a structure name (name only when the table does not know it).</summary>
    public ClassInfo Describe(string name) =>
        _rows.TryGetValue(name, out var row) ? row : new ClassInfo { Name = name };

    private static ClassMetadataTable Parse(string[] lines, string origin)
    {
        if (lines.Length == 0 || lines[0].Length == 0)
        {
            throw new ModelFormatException(origin, "empty class metadata table");
        }

        var header = SplitCsv(lines[0]);
        int Column(string name) => Array.IndexOf(header, name) is int i and >= 0 ? i : throw new ModelFormatException(origin, $"column '{name}' is missing");
        int Optional(string name) => Array.IndexOf(header, name);
        int structure = Column("Structure");
        int scheme = Column(TypePrefix + "CodingSchemeDesignator");
        int code = Column(TypePrefix + "CodeValue");
        int meaning = Column(TypePrefix + "CodeMeaning");
        int modScheme = Optional(ModifierPrefix + "CodingSchemeDesignator");
        int modCode = Optional(ModifierPrefix + "CodeValue");
        int modMeaning = Optional(ModifierPrefix + "CodeMeaning");
        int color = Column("DicomRGBColor");
        int needed = new[] { structure, scheme, code, meaning, color, modScheme, modCode, modMeaning }.Max();
        var rows = new Dictionary<string, ClassInfo>(StringComparer.Ordinal);
        for (int n = 1; n < lines.Length; n++)
        {
            if (lines[n].Length == 0)
            {
                continue;
            }

            var cells = SplitCsv(lines[n]);
            if (cells.Length <= needed)
            {
                throw new ModelFormatException(origin, $"line {n + 1} has {cells.Length} cells, expected {needed + 1}");
            }

            string Cell(int i) => i >= 0 ? cells[i].Trim() : string.Empty;
            rows[Cell(structure)] = new ClassInfo
            {
                Name = Cell(structure),
                Snomed = Cell(code).Length > 0 ? new SnomedCode(Cell(scheme), Cell(code), Cell(meaning)) : null,
                Modifier = Cell(modCode).Length > 0 ? new SnomedCode(Cell(modScheme), Cell(modCode), Cell(modMeaning)) : null,
                Color = Cell(color).Length > 0 ? ParseColor(Cell(color), origin, n + 1) : null,
            };
        }

        return new ClassMetadataTable(rows);
    }

    private static int[] ParseColor(string text, string origin, int line)
    {
        var parts = text.Split(',');
        var rgb = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out rgb[i]) || rgb[i] is < 0 or > 255)
            {
                throw new ModelFormatException(origin, $"line {line}: colour '{text}' is not r,g,b in 0..255");
            }
        }

        return rgb.Length == 3 ? rgb : throw new ModelFormatException(origin, $"line {line}: colour '{text}' is not r,g,b in 0..255");
    }

    private static string[] SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return [.. cells];
    }
}
