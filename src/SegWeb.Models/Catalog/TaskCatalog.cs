using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using SegWeb.Imaging;

namespace SegWeb.Models.Catalog;

/// <summary>
/// The TotalSegmentator task catalogue: which tasks exist, their classes, and which models each variant runs.
/// Load it from <c>models/catalog.json</c> (<see cref="Load"/>) or from the copy built into SegWeb.Models
/// (<see cref="LoadEmbedded"/>).
/// </summary>
public sealed class TaskCatalog
{
    /// <summary>The manifest resource name of the embedded <c>models/catalog.json</c>.</summary>
    public const string EmbeddedResourceName = "SegWeb.Models.Catalog.catalog.json";

    // Catalogue files are small; anything larger is not one (and must not be read into memory).
    private const long MaxCatalogBytes = 16L * 1024 * 1024;

    private static readonly Lazy<TaskCatalog> Embedded = new(() =>
    {
        using var stream = typeof(TaskCatalog).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException($"resource {EmbeddedResourceName} is missing from SegWeb.Models");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader.ReadToEnd(), "(embedded catalog.json)");
    });

    private readonly Dictionary<string, CatalogTask> byName;

    /// <summary>Wraps a catalogue document (checked for duplicate task names).</summary>
    public TaskCatalog(TaskCatalogDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        Document = document;
        byName = new Dictionary<string, CatalogTask>(StringComparer.Ordinal);
        foreach (var task in document.Tasks)
        {
            if (!byName.TryAdd(task.Name, task))
            {
                throw new SegWebException($"catalogue lists task '{task.Name}' twice");
            }
        }
    }

    /// <summary>The JSON options of the catalogue file: camelCase, indented with two spaces, '\n' line ends, nulls written.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NewLine = "\n",
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        RespectRequiredConstructorParameters = true,
        // A null where the types say "never null" is a malformed file, not a NullReferenceException later.
        RespectNullableAnnotations = true,
        Converters = { new JsonStringEnumConverter<TaskAvailability>(JsonNamingPolicy.CamelCase) },
        TypeInfoResolver = JsonTypeInfoResolver.Combine(ModelsJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    /// <summary>The underlying document.</summary>
    public TaskCatalogDocument Document { get; }

    /// <summary>Every task, in catalogue order.</summary>
    public IReadOnlyList<CatalogTask> Tasks => Document.Tasks;

    /// <summary>The catalogue built into SegWeb.Models (a copy of <c>models/catalog.json</c> at build time).</summary>
    public static TaskCatalog LoadEmbedded() => Embedded.Value;

    /// <summary>Reads a catalogue file; a malformed one is an <see cref="ImageFormatException"/> naming the file.</summary>
    public static TaskCatalog Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new ImageFormatException(path, "catalogue file not found");
        }

        if (info.Length > MaxCatalogBytes)
        {
            throw new ImageFormatException(path, $"catalogue file is {info.Length} bytes, more than the {MaxCatalogBytes} a catalogue can be");
        }

        return Parse(File.ReadAllText(path, Encoding.UTF8), path);
    }

    /// <summary>Parses catalogue JSON; <paramref name="origin"/> names it in errors.</summary>
    public static TaskCatalog Parse(string json, string origin)
    {
        TaskCatalogDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<TaskCatalogDocument>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new ImageFormatException(origin, $"not a SegWeb task catalogue: {ex.Message}", ex);
        }

        if (document is null)
        {
            throw new ImageFormatException(origin, "not a SegWeb task catalogue: empty document");
        }

        if (document.FormatVersion != CatalogGenerator.FormatVersion)
        {
            throw new ImageFormatException(origin, $"catalogue format version {document.FormatVersion} is not supported (this SegWeb reads {CatalogGenerator.FormatVersion})");
        }

        if (Problem(document) is { } problem)
        {
            throw new ImageFormatException(origin, $"not a SegWeb task catalogue: {problem}");
        }

        return new TaskCatalog(document);
    }

    // JSON null inside lists is not caught by the serializer's nullability checks; everything below relies on it.
    private static string? Problem(TaskCatalogDocument document)
    {
        foreach (var task in document.Tasks)
        {
            if (task is null)
            {
                return "a task is null";
            }

            if (string.IsNullOrWhiteSpace(task.Name) || task.Classes.Any(c => c is null) || task.Variants.Count == 0 || task.Variants.Any(v => v is null))
            {
                return $"task '{task.Name}' has no name, a null class, or no variants";
            }

            foreach (var variant in task.Variants)
            {
                if (variant.Models.Count == 0 || variant.Models.Any(m => m is null || m.KnownFiles.Any(f => f is null) || (m.Labels?.Any(l => l is null) ?? false)))
                {
                    return $"task '{task.Name}' variant '{variant.Name}' has no models or a null entry";
                }

                if (variant.TargetSpacingMm is { } spacing && (spacing.Length != 3 || spacing.Any(x => !(x > 0) || double.IsInfinity(x))))
                {
                    return $"task '{task.Name}' variant '{variant.Name}' has a target spacing that is not three positive numbers";
                }

                if (variant.Models.FirstOrDefault(m => m.ModelName.Length == 0 || m.ModelName != Path.GetFileName(m.ModelName) || m.ModelName is "." or "..") is { } bad)
                {
                    // The model name becomes a folder under the models folder: it must not climb out of it.
                    return $"task '{task.Name}' has model name '{bad.ModelName}', which is not a plain folder name";
                }
            }
        }

        return null;
    }

    /// <summary>The catalogue's JSON text exactly as <c>models/catalog.json</c> stores it (ends with a newline).</summary>
    public static string Serialize(TaskCatalogDocument document) => JsonSerializer.Serialize(document, JsonOptions) + "\n";

    /// <summary>The task of that name, or null.</summary>
    public CatalogTask? Find(string name) => byName.GetValueOrDefault(name);

    /// <summary>The task of that name; an unknown name is a <see cref="SegWebException"/> that lists the known ones.</summary>
    public CatalogTask Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Find(name) ?? throw new SegWebException(
            $"unknown task '{name}'; known tasks: {string.Join(", ", Tasks.Select(t => t.Name))}");
    }

    /// <summary>The task's classes (label value → name), ascending.</summary>
    public IReadOnlyList<CatalogClass> Classes(string task) => Get(task).Classes;

    /// <summary>
    /// The models to run for <paramref name="task"/> with TotalSegmentator's <c>--fast</c> / <c>--fastest</c>
    /// flags. A task without that variant refuses it when TotalSegmentator disallows fast modes for it and
    /// otherwise runs its default models (TotalSegmentator ignores the flag for such tasks).
    /// </summary>
    public ResolvedTask Resolve(string task, bool fast = false, bool fastest = false)
    {
        if (fast && fastest)
        {
            throw new SegWebException("--fast and --fastest cannot be used together");
        }

        var entry = Get(task);
        string wanted = fastest ? "fastest" : fast ? "fast" : "default";
        var variant = entry.Variants.FirstOrDefault(v => v.Name == wanted);
        if (variant is null)
        {
            if (entry.DisallowFast || entry.Variants.Count > 1)
            {
                throw new SegWebException($"task '{task}' has no --{wanted} variant (it has: {string.Join(", ", entry.Variants.Select(v => v.Name))})");
            }

            variant = entry.Variants[0];
        }

        return new ResolvedTask(entry, variant);
    }
}

/// <summary>A task with the variant chosen: the part models to run and how to merge them.</summary>
/// <param name="Task">The catalogue task.</param>
/// <param name="Variant">The chosen variant.</param>
public sealed record ResolvedTask(CatalogTask Task, CatalogVariant Variant)
{
    /// <summary>The models of the variant, in the order TotalSegmentator runs them.</summary>
    public IReadOnlyList<CatalogModel> Models => Variant.Models;

    /// <summary>
    /// Local label → task label for one model of this variant (0 = an auxiliary label to drop). Throws when the
    /// catalogue does not know the model's labels.
    /// </summary>
    public static IReadOnlyDictionary<int, int> LocalToGlobal(CatalogModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Labels is null)
        {
            throw new SegWebException($"the catalogue does not know the labels of dataset {model.DatasetId} ({model.ModelName})");
        }

        return model.Labels.ToDictionary(l => l.Local, l => l.Global);
    }
}
