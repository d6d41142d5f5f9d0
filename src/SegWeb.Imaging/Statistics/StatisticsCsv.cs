using SegWeb.Imaging.IO;
using System.Text;

namespace SegWeb.Imaging.Statistics;

/// <summary>
/// The statistics as CSV: <c>structure,volume_ml,intensity</c> (volume in millilitres = mm³ / 1000), then
/// <c>intensity_median</c> when a median report is given (a PACS or spreadsheet user asks for both), plus the extra
/// columns when computed. Numbers are written as Python's repr would; names with a comma or quote are quoted.
/// </summary>
public static class StatisticsCsv
{
    /// <param name="structures">The statistics (mean intensity, TotalSegmentator's default).</param>
    /// <param name="medians">The same structures computed with <see cref="IntensityMetric.Median"/>, in the same order; null: no median column.</param>
    public static string ToCsv(IReadOnlyList<StructureStatistics> structures, IReadOnlyList<StructureStatistics>? medians = null)
    {
        ArgumentNullException.ThrowIfNull(structures);
        if (medians is not null && (medians.Count != structures.Count || medians.Where((m, i) => m.Name != structures[i].Name).Any()))
        {
            throw new ArgumentException("the median statistics must list the same structures in the same order", nameof(medians));
        }

        bool extra = structures.Any(s => s.Extra is not null);
        var sb = new StringBuilder();
        sb.Append("structure,volume_ml,intensity");
        if (medians is not null)
        {
            sb.Append(",intensity_median");
        }

        if (extra)
        {
            sb.Append(",n_voxels,intensity_std,intensity_min,intensity_max,centroid_x,centroid_y,centroid_z,bbox_min_x,bbox_max_x,bbox_min_y,bbox_max_y,bbox_min_z,bbox_max_z");
        }

        sb.Append('\n');
        for (int i = 0; i < structures.Count; i++)
        {
            var s = structures[i];
            sb.Append(Quote(s.Name)).Append(',').Append(PythonJson.Float(s.Volume / 1000)).Append(',').Append(PythonJson.Float(s.Intensity));
            if (medians is not null)
            {
                sb.Append(',').Append(PythonJson.Float(medians[i].Intensity));
            }

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
    public static void Write(string path, IReadOnlyList<StructureStatistics> structures, IReadOnlyList<StructureStatistics>? medians = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.WriteAllBytes(path, new UTF8Encoding(false).GetBytes(ToCsv(structures, medians)), flushToDisk: true);
    }

    private static string Quote(string name) =>
        name.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : name;
}
