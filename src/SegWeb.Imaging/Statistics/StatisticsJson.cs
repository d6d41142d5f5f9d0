using SegWeb.Imaging.IO;
using System.Text;

namespace SegWeb.Imaging.Statistics;

/// <summary>
/// statistics.json in TotalSegmentator's layout: <c>json.dump(stats, f, indent=4)</c> of
/// <c>{name: {"volume": mm³, "intensity": value}}</c> in label order, with the extra fields after those two when
/// they were computed: <c>n_voxels</c>, <c>intensity_std</c>, <c>intensity_min</c>, <c>intensity_max</c>,
/// <c>centroid_vox</c> ([x, y, z] or null) and <c>bbox_vox</c> ([[minX, maxX], [minY, maxY], [minZ, maxZ]] or null).
/// </summary>
public static class StatisticsJson
{
    /// <summary>The JSON text (ASCII, no trailing newline, like Python's json.dump).</summary>
    public static string ToJson(IReadOnlyList<StructureStatistics> structures)
    {
        ArgumentNullException.ThrowIfNull(structures);
        if (structures.Count == 0)
        {
            return "{}";
        }

        var sb = new StringBuilder(structures.Count * 80);
        sb.Append('{');
        for (int i = 0; i < structures.Count; i++)
        {
            var s = structures[i];
            sb.Append(i == 0 ? "\n    " : ",\n    ").Append(PythonJson.String(s.Name)).Append(": {");
            Field(sb, "volume", PythonJson.Float(s.Volume), first: true);
            Field(sb, "intensity", PythonJson.Float(s.Intensity));
            if (s.Extra is { } e)
            {
                Field(sb, "n_voxels", PythonJson.Int(e.VoxelCount));
                Field(sb, "intensity_std", PythonJson.Float(e.IntensityStd));
                Field(sb, "intensity_min", PythonJson.Float(e.IntensityMin));
                Field(sb, "intensity_max", PythonJson.Float(e.IntensityMax));
                Field(sb, "centroid_vox", e.CentroidVoxel is { } c
                    ? List(2, PythonJson.Float(c.X), PythonJson.Float(c.Y), PythonJson.Float(c.Z))
                    : "null");
                Field(sb, "bbox_vox", e.BoundingBoxVoxel is { } b
                    ? List(2,
                        List(3, PythonJson.Int(b.MinX), PythonJson.Int(b.MaxX)),
                        List(3, PythonJson.Int(b.MinY), PythonJson.Int(b.MaxY)),
                        List(3, PythonJson.Int(b.MinZ), PythonJson.Int(b.MaxZ)))
                    : "null");
            }

            sb.Append("\n    }");
        }

        return sb.Append("\n}").ToString();
    }

    /// <summary>Writes the JSON text (ASCII) to a stream.</summary>
    public static void Write(Stream stream, IReadOnlyList<StructureStatistics> structures)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = Encoding.ASCII.GetBytes(ToJson(structures));
        stream.Write(bytes);
    }

    /// <summary>
    /// Writes statistics.json to <paramref name="path"/> atomically: into a temporary file beside it, renamed into place
    /// only when complete, so a failure never leaves a half-written file.
    /// </summary>
    public static void Write(string path, IReadOnlyList<StructureStatistics> structures)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = Encoding.ASCII.GetBytes(ToJson(structures));
        AtomicFile.WriteAllBytes(path, bytes, flushToDisk: true);
    }

    private static void Field(StringBuilder sb, string key, string value, bool first = false) =>
        sb.Append(first ? "\n        " : ",\n        ").Append('"').Append(key).Append("\": ").Append(value);

    /// <summary>
    /// A list as json.dump with indent=4 lays it out at nesting <paramref name="level"/>: one item a line (nested lists
    /// must already be laid out at level + 1).
    /// </summary>
    private static string List(int level, params string[] items)
    {
        var inner = new string(' ', 4 * (level + 1));
        var outer = new string(' ', 4 * level);
        return "[\n" + inner + string.Join(",\n" + inner, items) + "\n" + outer + "]";
    }
}
