using System.Globalization;
using System.Text.Json;
using SegWeb.Imaging;

namespace SegWeb.Models.Catalog;

/// <summary>
/// Builds the catalogue from TotalSegmentator's task configuration exported as data
/// (<c>totalsegmentator_tasks.json</c>: map_to_binary.py and map_tasks_config.py). Deterministic: the same input
/// always gives byte-identical <c>models/catalog.json</c>, which a test checks against the committed file.
/// </summary>
public static class CatalogGenerator
{
    /// <summary>The layout version written into <see cref="TaskCatalogDocument.FormatVersion"/>.</summary>
    public const int FormatVersion = 1;

    /// <summary>TotalSegmentator downloads weights from its GitHub releases: <c>{base}/{version}/{folder}.zip</c>.</summary>
    public const string WeightsBaseUrl = "https://github.com/wasserth/TotalSegmentator/releases/download";

    // TotalSegmentator's internal smoke-test task: no released weights and a class map that is not a real task.
    private static readonly HashSet<string> SkippedTasks = ["test"];

    private static readonly string[] VariantOrder = ["default", "fast", "fastest"];

    /// <summary>Reads the TotalSegmentator task data file and builds the catalogue.</summary>
    public static TaskCatalogDocument GenerateFromFile(string tasksJsonPath)
    {
        ArgumentNullException.ThrowIfNull(tasksJsonPath);
        using var stream = File.OpenRead(tasksJsonPath);
        try
        {
            using var doc = JsonDocument.Parse(stream);
            return Generate(doc.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ImageFormatException(tasksJsonPath, $"not a TotalSegmentator task file: {ex.Message}", ex);
        }
    }

    /// <summary>Builds the catalogue from the parsed task data.</summary>
    public static TaskCatalogDocument Generate(JsonElement root)
    {
        var source = new SourceData(root);
        var tasks = new List<CatalogTask>();
        foreach (var taskProperty in root.GetProperty("task_configs").EnumerateObject())
        {
            if (SkippedTasks.Contains(taskProperty.Name))
            {
                continue;
            }

            tasks.Add(BuildTask(source, taskProperty.Name, taskProperty.Value));
        }

        return new TaskCatalogDocument
        {
            FormatVersion = FormatVersion,
            Source = root.GetProperty("source").GetString() ?? "",
            WeightsBaseUrl = WeightsBaseUrl,
            Tasks = tasks,
        };
    }

    private static CatalogTask BuildTask(SourceData source, string name, JsonElement config)
    {
        var classes = source.ClassMap(name) ?? throw new InvalidOperationException($"task '{name}' has no class_map");
        var variants = new List<CatalogVariant>();
        if (config.TryGetProperty("sub_modes", out var subModes))
        {
            foreach (var variantName in VariantOrder)
            {
                if (subModes.TryGetProperty(variantName, out var variantConfig))
                {
                    variants.Add(BuildVariant(source, name, variantName, Merge(config, variantConfig)));
                }
            }
        }
        else
        {
            variants.Add(BuildVariant(source, name, "default", Merge(config, default)));
        }

        var defaults = source.DefaultConfig;
        string? info = config.TryGetProperty("info_msg", out var infoElement) ? infoElement.GetString()?.Trim() : null;
        return new CatalogTask
        {
            Name = name,
            Availability = Worst(variants[0].Models.Select(m => m.Availability)),
            DisallowFast = Bool(config, defaults, "disallow_fast"),
            InfoMessage = info,
            Classes = classes.Select(c => new CatalogClass { Id = c.Key, Name = c.Value }).ToList(),
            Variants = variants,
        };
    }

    private static CatalogVariant BuildVariant(SourceData source, string task, string variant, Func<string, JsonElement?> get)
    {
        var defaults = source.DefaultConfig;
        JsonElement Value(string key) => get(key) ?? defaults.GetProperty(key);

        var ids = Value("task_id") is { ValueKind: JsonValueKind.Array } idArray
            ? idArray.EnumerateArray().Select(e => e.GetInt32()).ToList()
            : [Value("task_id").GetInt32()];
        string trainer = Value("trainer").GetString() ?? throw new InvalidOperationException($"task '{task}' has no trainer");
        string plans = Value("plans") is { ValueKind: JsonValueKind.String } p ? p.GetString()! : "nnUNetPlans";
        string configuration = Value("model").GetString()!;
        bool commercial = Value("commercial").GetBoolean() || source.IsCommercial(task);
        bool multiPart = ids.Count > 1;

        var models = ids.Select(id => BuildModel(source, task, variant, id, multiPart, commercial, trainer, plans, configuration)).ToList();
        return new CatalogVariant
        {
            Name = variant,
            TargetSpacingMm = Spacing(Value("resample")),
            Trainer = trainer,
            Plans = plans,
            Configuration = configuration,
            Folds = Value("folds") is { ValueKind: JsonValueKind.Array } folds ? folds.EnumerateArray().Select(f => f.GetInt32()).ToArray() : null,
            Crop = Value("crop") switch
            {
                { ValueKind: JsonValueKind.Array } crop => crop.EnumerateArray().Select(c => c.GetString()!).ToList(),
                { ValueKind: JsonValueKind.String } single => [single.GetString()!],
                _ => null,
            },
            CropModel = Value("crop_model") is { ValueKind: JsonValueKind.String } cm ? cm.GetString() : null,
            CropAddonVoxels = Value("crop_addon").EnumerateArray().Select(c => c.GetInt32()).ToArray(),
            RobustCrop = Value("robust_crop").GetBoolean(),
            Models = models,
        };
    }

    private static CatalogModel BuildModel(SourceData source, string task, string variant, int id, bool multiPart, bool commercial,
        string trainer, string plans, string configuration)
    {
        var weights = source.Weights(id);
        string? folder = weights?.Folder;
        string? version = weights?.Version is { } v && v != "TODO" ? v : null;
        string? url = version is not null && folder is not null ? $"{WeightsBaseUrl}/{version}/{folder}.zip" : null;
        var availability = url is not null ? TaskAvailability.Open
            : commercial ? TaskAvailability.Licence
            : TaskAvailability.Unreleased;

        string? partName = multiPart ? source.PartName(id) : null;
        IReadOnlyList<CatalogLabel>? labels;
        if (multiPart)
        {
            labels = partName is null ? null : PartLabels(source, task, id, partName);
        }
        else
        {
            labels = WholeTaskLabels(source, task);
        }

        string resultsFolder = $"{trainer}__{plans}__{configuration}";
        return new CatalogModel
        {
            DatasetId = id,
            ModelName = folder ?? $"Dataset{id.ToString("D3", CultureInfo.InvariantCulture)}",
            FolderName = folder,
            ReleaseVersion = version,
            Url = url,
            Availability = availability,
            PartName = partName,
            ZipSize = null,
            ZipSha256 = null,
            KnownFiles = PublishedHashes.For(id).Select(h => new KnownFileHash { Path = $"{resultsFolder}/{h.File}", Sha256 = h.Sha256 }).ToList(),
            Labels = labels,
        };
    }

    // A whole-task model outputs the task's own label map; auxiliary labels (TotalSegmentator's "<task>_auxiliary"
    // maps) are extra outputs the task removes, so they map to 0.
    private static List<CatalogLabel> WholeTaskLabels(SourceData source, string task)
    {
        var labels = source.ClassMap(task)!.Select(c => new CatalogLabel { Local = c.Key, Global = c.Key, Name = c.Value }).ToList();
        if (source.ClassMap(task + "_auxiliary") is { } auxiliary)
        {
            labels.AddRange(auxiliary.Select(c => new CatalogLabel { Local = c.Key, Global = 0, Name = c.Value }));
        }

        return labels;
    }

    // TotalSegmentator merges part models by structure NAME: each part label goes to the task-map id of the same name.
    private static List<CatalogLabel> PartLabels(SourceData source, string task, int id, string partName)
    {
        var byName = source.ClassMap(task)!.ToDictionary(c => c.Value, c => c.Key, StringComparer.Ordinal);
        var part = source.PartMap(id, partName);
        return part.Select(c => new CatalogLabel
        {
            Local = c.Key,
            Global = byName.TryGetValue(c.Value, out int global) ? global
                : throw new InvalidOperationException($"part {partName} of dataset {id} has '{c.Value}', which task '{task}' lacks"),
            Name = c.Value,
        }).ToList();
    }

    private static double[]? Spacing(JsonElement resample) => resample.ValueKind switch
    {
        JsonValueKind.Number => [resample.GetDouble(), resample.GetDouble(), resample.GetDouble()],
        JsonValueKind.Array => resample.EnumerateArray().Select(e => e.GetDouble()).ToArray() is { Length: 3 } s ? s
            : throw new InvalidOperationException("resample must have three values"),
        _ => null,
    };

    private static bool Bool(JsonElement config, JsonElement defaults, string key) =>
        (config.TryGetProperty(key, out var v) ? v : defaults.GetProperty(key)).GetBoolean();

    private static TaskAvailability Worst(IEnumerable<TaskAvailability> values) =>
        values.Aggregate(TaskAvailability.Open, (a, b) => (TaskAvailability)Math.Max((int)a, (int)b));

    // A sub-mode's keys override the task's own keys (TotalSegmentator reads the sub-mode's config as the task config).
    private static Func<string, JsonElement?> Merge(JsonElement task, JsonElement subMode) => key =>
        subMode.ValueKind == JsonValueKind.Object && subMode.TryGetProperty(key, out var s) ? s
        : task.TryGetProperty(key, out var t) ? t
        : null;

    /// <summary>Lookups over the source file's sections.</summary>
    private sealed class SourceData(JsonElement root)
    {
        private readonly JsonElement classMaps = root.GetProperty("class_map");
        private readonly JsonElement weights = root.GetProperty("other").GetProperty("TASK_ID_WEIGHTS_CONFIGS");

        public JsonElement DefaultConfig { get; } = root.GetProperty("default_config");

        public SortedDictionary<int, string>? ClassMap(string name) =>
            classMaps.TryGetProperty(name, out var map) ? ToMap(map) : null;

        public bool IsCommercial(string task) => root.GetProperty("commercial_models").TryGetProperty(task, out _);

        public (string Folder, string? Version)? Weights(int id) =>
            weights.TryGetProperty(id.ToString(CultureInfo.InvariantCulture), out var w)
                ? (w.GetProperty("foldername").GetString()!, w.TryGetProperty("version", out var v) ? v.GetString() : null)
                : null;

        public string? PartName(int id)
        {
            string key = id.ToString(CultureInfo.InvariantCulture);
            foreach (var section in new[] { "map_taskid_to_partname_ct", "map_taskid_to_partname_mr" })
            {
                if (root.GetProperty(section).TryGetProperty(key, out var name))
                {
                    return name.GetString();
                }
            }

            return null;
        }

        // CT part ids map into class_map_5_parts, MR part ids into class_map_parts_mr (both use the same part names).
        public SortedDictionary<int, string> PartMap(int id, string partName)
        {
            string key = id.ToString(CultureInfo.InvariantCulture);
            string section = root.GetProperty("map_taskid_to_partname_ct").TryGetProperty(key, out _) ? "class_map_5_parts" : "class_map_parts_mr";
            return ToMap(root.GetProperty(section).GetProperty(partName));
        }

        private static SortedDictionary<int, string> ToMap(JsonElement map)
        {
            var result = new SortedDictionary<int, string>();
            foreach (var entry in map.EnumerateObject())
            {
                result.Add(int.Parse(entry.Name, NumberStyles.Integer, CultureInfo.InvariantCulture), entry.Value.GetString()!);
            }

            return result;
        }
    }
}
