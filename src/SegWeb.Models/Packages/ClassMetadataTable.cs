using System.Globalization;

namespace SegWeb.Models.Packages;

/// <summary>
/// Structure name → SNOMED-CT code and colour, read from a CSV in TotalSegmentator's layout
/// (Structure, …, SegmentedPropertyTypeCodeSequence.CodingSchemeDesignator/CodeValue/CodeMeaning, …, DicomRGBColor "r,g,b").
/// </summary>
public sealed class ClassMetadataTable
{
    private readonly Dictionary<string, (SnomedCode? Code, int[]? Color)> _rows;

    private ClassMetadataTable(Dictionary<string, (SnomedCode?, int[]?)> rows) => _rows = rows;

    public int Count => _rows.Count;

    public static ClassMetadataTable Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0)
        {
            throw new ModelFormatException(path, "empty class metadata table");
        }

        var header = SplitCsv(lines[0]);
        int Column(string name) => Array.IndexOf(header, name) is int i and >= 0 ? i : throw new ModelFormatException(path, $"column '{name}' is missing");
        int structure = Column("Structure");
        int scheme = Column("SegmentedPropertyTypeCodeSequence.CodingSchemeDesignator");
        int code = Column("SegmentedPropertyTypeCodeSequence.CodeValue");
        int meaning = Column("SegmentedPropertyTypeCodeSequence.CodeMeaning");
        int color = Column("DicomRGBColor");
        var rows = new Dictionary<string, (SnomedCode?, int[]?)>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var cells = SplitCsv(line);
            if (cells.Length <= Math.Max(color, Math.Max(code, meaning)))
            {
                throw new ModelFormatException(path, $"short row: {line}");
            }

            SnomedCode? snomed = cells[code].Length > 0 ? new SnomedCode(cells[scheme], cells[code], cells[meaning]) : null;
            int[]? rgb = cells[color].Length > 0
                ? cells[color].Split(',').Select(c => int.Parse(c.Trim(), CultureInfo.InvariantCulture)).ToArray()
                : null;
            rows[cells[structure]] = (snomed, rgb);
        }

        return new ClassMetadataTable(rows);
    }

    /// <summary>The class info for a structure name (name only when the table does not know it).</summary>
    public ClassInfo Describe(string name) =>
        _rows.TryGetValue(name, out var row) ? new ClassInfo { Name = name, Snomed = row.Code, Color = row.Color } : new ClassInfo { Name = name };

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
