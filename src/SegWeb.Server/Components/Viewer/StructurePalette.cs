using SegWeb.Dicom.Segmentation;

namespace SegWeb.Server.Components.Viewer;

/// <summary>
/// The one place SegWeb picks a structure's display colour, shared by the viewer and the
/// <c>GET /api/v1/jobs/{id}/labels</c> endpoint. Structures TotalSegmentator describes get its colour (the
/// DicomRGBColor column of its SNOMED mapping, the colours its DICOM-SEG output recommends); any other name gets a
/// colour derived from the name alone, so a class keeps its colour across jobs, tasks and label values.
/// </summary>
public static class StructurePalette
{
    /// <summary>The display colour (sRGB 0–255) of a structure by its class name.</summary>
    public static (byte R, byte G, byte B) ColorOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var known = SnomedMapping.Embedded.Describe(0, name).Rgb;
        return known ?? HashedColor(name);
    }

    /// <summary>Viewer labels (value, name, colour) for a label table, ordered by value; value 0 (background) is left out.</summary>
    public static IReadOnlyList<ViewerLabel> LabelsFor(IReadOnlyDictionary<int, string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return names
            .Where(kv => kv.Key > 0)
            .OrderBy(kv => kv.Key)
            .Select(kv =>
            {
                var (r, g, b) = ColorOf(kv.Value);
                return new ViewerLabel(kv.Key, kv.Value, [r, g, b]);
            })
            .ToList();
    }

    // FNV-1a of the name picks a hue; saturation and value stay in a band that reads well over a grey CT.
    private static (byte R, byte G, byte B) HashedColor(string name)
    {
        uint hash = 2166136261;
        foreach (char c in name)
        {
            hash = (hash ^ c) * 16777619;
        }

        double hue = (hash % 360) / 60.0;
        double saturation = 0.55 + ((hash >> 9) % 30 / 100.0);
        const double value = 0.9;
        double chroma = value * saturation;
        double x = chroma * (1 - Math.Abs((hue % 2) - 1));
        var (r, g, b) = (int)hue switch
        {
            0 => (chroma, x, 0.0),
            1 => (x, chroma, 0.0),
            2 => (0.0, chroma, x),
            3 => (0.0, x, chroma),
            4 => (x, 0.0, chroma),
            _ => (chroma, 0.0, x),
        };
        double m = value - chroma;
        return (ToByte(r + m), ToByte(g + m), ToByte(b + m));
    }

    private static byte ToByte(double v) => (byte)Math.Clamp(Math.Round(v * 255), 0, 255);
}

/// <summary>One structure as the viewer module takes it (JSON <c>{value, name, color: [r, g, b]}</c>).</summary>
/// <param name="Value">Its voxel value in the label map.</param>
/// <param name="Name">Its class name ("liver").</param>
/// <param name="Color">sRGB 0–255, three entries.</param>
public sealed record ViewerLabel(int Value, string Name, IReadOnlyList<int> Color);
