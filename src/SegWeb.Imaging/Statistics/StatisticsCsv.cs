using SegWeb.Imaging.IO;
using System.Text;

namespace SegWeb.Imaging.Statistics;

/// <summary>
/// The statistics as CSV: <c>structure,volume_ml,intensity</c> (volume in millilitres = mm³ / 1000), plus the extra
/// columns when computed. Numbers are written as Python's repr would; names with a comma or quote are quoted.
/// </summary>
public static class StatisticsCsv
{
    public static string ToCsv(IReadOnlyList<StructureStatistics> structures)
    {
        ArgumentNullException.ThrowIfNull(structures);
        bool extra = structures.Any(s => s.Extra is not null);
        var sb = new StringBuilder();
        sb.Append("structure,volume_ml,intensity");
        if (extra)
        {
            sb.Append(",n_voxels,intensity_std,intensity_min,intensity_max,centroid_x,centroid_y,centroid_z,bbox_min_x,bbox_max_x,bbox_min_y,bbox_max_y,bbox_min_z,bbox_max_z");
        }

        sb.Append('\n');
        foreach (var s in structures)
        {
            sb.Append(Quote(s.Name)).Append(',').Append(PythonJson.Float(s.Volume / 1000)).Append(',').Append(PythonJson.Float(s.Intensity));
            if (extra)
            {
                var e = s.Extra;
                sb.Append(',').Append(e is null ? "" : PythonJson.Int(e.VoxelCount))
                    .Append(',').Append(e is null ? "" : PythonJson.Float(e.IntensityStd))
                    .Append(',').Append(e is null ? "" : PythonJson.Float(e.IntensityMin))
                    .Append(',').Append(e is null ? "" : PythonJson.Float(e.IntensityMax));
                var c = e?.CentroidVoxel;
                sb.Append(',').Append(c is { } cx ? PythonJson.Float(cx.X) : "")
                    .Append(',').Append(c is { } cy ? PythonJson.Float(cy.Y) : "")
                    .Append(',').Append(c is { } cz ? PythonJson.Float(cz.Z) : "");
                var b = e?.BoundingBoxVoxel;
                foreach (var v in b is { } box ? new long?[] { box.MinX, box.MaxX, box.MinY, box.MaxY, box.MinZ, box.MaxZ } : new long?[6])
                {
                    sb.Append(',').Append(v is { } n ? PythonJson.Int(n) : "");
                }
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Writes the CSV (UTF-8, no BOM) atomically.</summary>
    public static void Write(string path, IReadOnlyList<StructureStatistics> structures)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.WriteAllBytes(path, new UTF8Encoding(false).GetBytes(ToCsv(structures)), flushToDisk: true);
    }

    private static string Quote(string name) =>
        name.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : name;
}
