using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SegWeb.Imaging;
using SegWeb.Imaging.Labels;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Statistics;
using SegWeb.Imaging.Volumes;
using SegWeb.Models.Catalog;

namespace SegWeb.Cli.Commands;

/// <summary>
/// `segweb stats &lt;image&gt; &lt;labels&gt; [--json out] [--include-incomplete] [--extra] [--median] [--classes names.json]`:
/// per-structure volume (mm³) and intensity exactly as TotalSegmentator's --statistics computes them.
/// &lt;labels&gt; is a multilabel NIfTI (names from its TotalSegmentator label table, else --classes, else label_N) or a
/// folder of binary masks named &lt;structure&gt;.nii.gz, like TotalSegmentator's output folder.
/// </summary>
public static class StatsCommand
{
    /// <summary>The most distinct values a map without names may hold; more is an image given as labels by mistake.</summary>
    public const int MaxUnnamedLabels = 10_000;

    public static Command Create(TaskCatalog? catalog = null)
    {
        var image = new Argument<string>("image") { Description = "The intensity image (.nii or .nii.gz)." };
        var labels = new Argument<string>("labels") { Description = "A multilabel .nii/.nii.gz, or a folder of <structure>.nii.gz binary masks." };
        var json = new Option<string?>("--json") { Description = "Also write statistics.json (TotalSegmentator's layout) to this path." };
        var includeIncomplete = new Option<bool>("--include-incomplete", "-sii")
        {
            Description = "Also measure structures within 3 voxels of the image border (TotalSegmentator's --stats_include_incomplete); otherwise they are reported as 0.",
        };
        var extra = new Option<bool>("--extra") { Description = "Add n_voxels, intensity_std/min/max, centroid_vox and bbox_vox." };
        var median = new Option<bool>("--median") { Description = "Report the median intensity instead of the mean." };
        var classes = new Option<string?>("--classes") { Description = "JSON {\"1\": \"spleen\", ...} naming the labels of a map that has no label table." };
        var command = new Command("stats", "Volume and intensity of every structure of a segmentation, as TotalSegmentator --statistics.")
        {
            image, labels, json, includeIncomplete, extra, median, classes,
        };
        command.SetAction(parse =>
        {
            var imagePath = InputFiles.RequireFile(parse.GetValue(image)!);
            var labelsPath = InputFiles.RequireExisting(parse.GetValue(labels)!);
            var ct = NiftiReader.Read(imagePath);
            var options = new StatisticsOptions
            {
                IncludeIncomplete = parse.GetValue(includeIncomplete),
                Extra = parse.GetValue(extra),
                Metric = parse.GetValue(median) ? IntensityMetric.Median : IntensityMetric.Mean,
                VoxelSpacing = Zooms(ct.Header),
            };
            var classesPath = parse.GetValue(classes);
            var report = Directory.Exists(labelsPath)
                ? FromMaskFolder(ct.Volume, imagePath, labelsPath, classesPath, options, catalog ?? TaskCatalog.LoadEmbedded())
                : FromLabelMap(ct.Volume, imagePath, labelsPath, classesPath, options, parse.InvocationConfiguration.Error);

            if (parse.GetValue(json) is { } jsonPath)
            {
                InputFiles.WriteAtomically(jsonPath, temp => File.WriteAllText(temp, report.ToJson(), Encoding.ASCII));
            }

            parse.InvocationConfiguration.Output.Write(report.ToTable());
            return CommandRunner.ExitOk;
        });
        return command;
    }

    /// <summary>
    /// nibabel's header.get_zooms(), which TotalSegmentator multiplies for the voxel volume; falls back to the affine's
    /// voxel sizes when the header's pixdim are unusable (zero, negative or not finite).
    /// </summary>
    private static (double, double, double)? Zooms(NiftiHeader header)
    {
        double x = header.Pixdim[1], y = header.Pixdim[2], z = header.Pixdim[3];
        bool usable = double.IsFinite(x) && double.IsFinite(y) && double.IsFinite(z) && x > 0 && y > 0 && z > 0;
        return usable ? (x, y, z) : null;
    }

    private static StatisticsReport FromLabelMap(Volume image, string imagePath, string labelsPath, string? classesPath,
        StatisticsOptions options, TextWriter error)
    {
        var (map, table) = MultilabelNifti.Read(labelsPath);
        LabelStatistics.RequireSameGrid(image, imagePath, map.Volume, labelsPath);
        IReadOnlyDictionary<int, string> names;
        if (table.Count > 0)
        {
            names = table;
            if (classesPath is not null)
            {
                error.WriteLine($"segweb: note: {labelsPath} has its own label table; --classes {classesPath} is not used");
            }
        }
        else if (classesPath is not null)
        {
            names = ReadClasses(classesPath);
        }
        else
        {
            int[] present;
            try
            {
                present = LabelValues.Present(map.Volume, MaxUnnamedLabels);
            }
            catch (SegWebException e)
            {
                throw new SegWebException($"{labelsPath}: {e.Message}", e);
            }

            names = present.ToDictionary(v => v, v => $"label_{v.ToString(CultureInfo.InvariantCulture)}");
        }

        // Some label tables list the background; it has no statistics.
        var structures = names.Where(kv => kv.Key != 0).ToDictionary(kv => kv.Key, kv => kv.Value);
        return StatisticsReport.Compute(image, map.Volume, structures, options);
    }

    private static StatisticsReport FromMaskFolder(Volume image, string imagePath, string folder, string? classesPath,
        StatisticsOptions options, TaskCatalog catalog)
    {
        if (classesPath is not null)
        {
            throw new SegWebException($"{folder}: --classes names the labels of a multilabel file; a folder's masks are named by their files");
        }

        var masks = Directory.EnumerateFiles(folder)
            .Select(path => (Path: path, Name: MaskName(Path.GetFileName(path))))
            .Where(m => m.Name is not null)
            .ToList();
        if (masks.Count == 0)
        {
            throw new SegWebException($"{folder}: no .nii.gz or .nii masks in this folder");
        }

        var duplicate = masks.GroupBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new SegWebException($"{folder}: two masks for '{duplicate.Key}' ({string.Join(", ", duplicate.Select(m => Path.GetFileName(m.Path)))})");
        }

        var order = ClassOrder(catalog, masks.Select(m => m.Name!).ToHashSet(StringComparer.Ordinal));
        var sorted = masks.OrderBy(m => order.GetValueOrDefault(m.Name!, int.MaxValue)).ThenBy(m => m.Name, StringComparer.Ordinal);
        return StatisticsReport.FromMasks(image, sorted.Select(m => KeyValuePair.Create(m.Name!, (Func<Volume>)(() =>
        {
            var mask = NiftiReader.Read(m.Path).Volume;
            LabelStatistics.RequireSameGrid(image, imagePath, mask, m.Path);
            return mask;
        }))), options);
    }

    /// <summary>The structure name of a mask file (its name without .nii.gz / .nii), or null for other files.</summary>
    private static string? MaskName(string fileName)
    {
        foreach (var suffix in new[] { ".nii.gz", ".nii" })
        {
            if (fileName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && fileName.Length > suffix.Length)
            {
                return fileName[..^suffix.Length];
            }
        }

        return null;
    }

    /// <summary>
    /// TotalSegmentator lists structures in its class-map order (label ids), not alphabetically: when every mask name
    /// belongs to one task's class map (total first), that map's order is used; otherwise names sort ordinally.
    /// </summary>
    private static Dictionary<string, int> ClassOrder(TaskCatalog catalog, HashSet<string> names)
    {
        foreach (var task in catalog.Tasks.OrderBy(t => t.Name == "total" ? 0 : 1))
        {
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var c in task.Classes)
            {
                ids.TryAdd(c.Name, c.Id);
            }

            if (names.All(ids.ContainsKey))
            {
                return ids;
            }
        }

        return [];
    }

    private static Dictionary<int, string> ReadClasses(string path)
    {
        InputFiles.RequireFile(path);
        if (new FileInfo(path).Length > 16 << 20)
        {
            throw new SegWebException($"{path}: too large for a class list");
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new SegWebException($"{path}: expected a JSON object {{\"1\": \"spleen\", ...}}");
            }

            var names = new Dictionary<int, string>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!int.TryParse(p.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id) || p.Value.ValueKind != JsonValueKind.String)
                {
                    throw new SegWebException($"{path}: entry \"{p.Name}\" is not a label number with a name string");
                }

                names[id] = p.Value.GetString()!;
            }

            return names;
        }
        catch (JsonException e)
        {
            throw new SegWebException($"{path}: not valid JSON ({e.Message})", e);
        }
    }
}
