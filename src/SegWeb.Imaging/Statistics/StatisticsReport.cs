using System.Globalization;
using System.Text;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Statistics;

/// <summary>
/// What <c>segweb stats</c> prints and writes: the per-structure statistics with their JSON (TotalSegmentator's
/// statistics.json layout), CSV and a short human-readable table.
/// </summary>
public sealed class StatisticsReport
{
    public StatisticsReport(IReadOnlyList<StructureStatistics> structures, StatisticsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(structures);
        Structures = structures;
        Options = options ?? StatisticsOptions.Default;
    }

    /// <summary>The structures in report order (label order, or the order the masks were given).</summary>
    public IReadOnlyList<StructureStatistics> Structures { get; }

    public StatisticsOptions Options { get; }

    /// <summary>Statistics of every class of a label map (see <see cref="LabelStatistics.Compute"/>).</summary>
    /// <exception cref="GridMismatchException">The label map is not on the image's grid.</exception>
    public static StatisticsReport Compute(Volume image, Volume labels, IReadOnlyDictionary<int, string> classNames, StatisticsOptions? options = null) =>
        new(LabelStatistics.Compute(image, labels, classNames, options), options);

    /// <summary>
    /// Statistics of binary masks given one at a time (each loaded only when reached, so a folder of large masks never
    /// sits in memory at once), reported in the given order.
    /// </summary>
    /// <param name="image">The intensity image.</param>
    /// <param name="masks">Structure name and a function that loads its mask; each mask must be on the image's grid.</param>
    /// <param name="options">Metric, incomplete masks, extra fields.</param>
    /// <exception cref="GridMismatchException">A mask is not on the image's grid.</exception>
    public static StatisticsReport FromMasks(Volume image, IEnumerable<KeyValuePair<string, Func<Volume>>> masks, StatisticsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(masks);
        var list = new List<StructureStatistics>();
        foreach (var (name, load) in masks)
        {
            list.Add(LabelStatistics.ComputeMask(image, load(), name, options));
        }

        return new StatisticsReport(list, options);
    }

    /// <summary>statistics.json text (see <see cref="StatisticsJson"/>).</summary>
    public string ToJson() => StatisticsJson.ToJson(Structures);

    /// <summary>Writes statistics.json atomically.</summary>
    public void WriteJson(string path) => StatisticsJson.Write(path, Structures);

    public string ToCsv() => StatisticsCsv.ToCsv(Structures);

    /// <summary>
    /// A short table for a terminal: the structures present (non-empty), their volume in mm³ and intensity, incomplete
    /// ones marked, and a summary line. Absent structures are counted, not listed.
    /// </summary>
    public string ToTable()
    {
        var inv = CultureInfo.InvariantCulture;
        var present = Structures.Where(s => s.VoxelCount > 0).ToList();
        string intensityHeader = Options.Metric == IntensityMetric.Median ? "median" : "mean";
        var rows = present.Select(s => (
            s.Name,
            Volume: s.Excluded ? "-" : s.Volume.ToString("F1", inv),
            Intensity: s.Excluded ? "-" : s.Intensity.ToString("F2", inv),
            Note: s.Excluded ? "touches border: excluded (--include-incomplete)" : s.TouchesBorder ? "touches border" : "")).ToList();
        int nameWidth = Math.Max("structure".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Name.Length));
        int volumeWidth = Math.Max("volume_mm3".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Volume.Length));
        int intensityWidth = Math.Max(intensityHeader.Length, rows.Count == 0 ? 0 : rows.Max(r => r.Intensity.Length));
        var sb = new StringBuilder();
        sb.Append("structure".PadRight(nameWidth)).Append("  ").Append("volume_mm3".PadLeft(volumeWidth)).Append("  ")
            .Append(intensityHeader.PadLeft(intensityWidth)).Append('\n');
        foreach (var r in rows)
        {
            sb.Append(r.Name.PadRight(nameWidth)).Append("  ").Append(r.Volume.PadLeft(volumeWidth)).Append("  ")
                .Append(r.Intensity.PadLeft(intensityWidth));
            if (r.Note.Length > 0)
            {
                sb.Append("  ").Append(r.Note);
            }

            sb.Append('\n');
        }

        int excluded = present.Count(s => s.Excluded);
        sb.Append(inv, $"{present.Count} of {Structures.Count} structures present");
        if (excluded > 0)
        {
            sb.Append(inv, $", {excluded} touching the border reported as 0");
        }

        return sb.Append('\n').ToString();
    }
}
