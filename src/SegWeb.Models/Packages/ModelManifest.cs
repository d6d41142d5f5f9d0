using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace SegWeb.Models.Packages;

/// <summary>
/// model.json, the manifest of a model package (models/&lt;name&gt;/). Field by field documentation: docs/models.md.
/// Spatial lists (target spacing, patch size, mirroring axes) are in the network's axis order, i.e. after
/// <see cref="TransposeForward"/> is applied to the image axes, exactly as nnU-Net's plans.json gives them.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The manifest format this SegWeb writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The manifest's file name inside a package folder.</summary>
    public const string FileName = "model.json";

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(ModelsJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    public required string Name { get; init; }

    public string Version { get; init; } = "1";

    /// <summary>CT or MR (from the first channel name of dataset.json).</summary>
    public string? Modality { get; init; }

    /// <summary>A task name (for example TotalSegmentator's "total"); the dataset name when unknown.</summary>
    public string? Task { get; init; }

    /// <summary>Output classes by global label id (background 0 is not listed).</summary>
    public required SortedDictionary<int, ClassInfo> Classes { get; init; }

    public required double[] TargetSpacing { get; init; }

    public required int[] PatchSize { get; init; }

    public required int[] TransposeForward { get; init; }

    public required int[] TransposeBackward { get; init; }

    /// <summary>One entry per input channel.</summary>
    public required ChannelNormalization[] Normalization { get; init; }

    /// <summary>Spatial axes test-time mirroring may flip (empty: no mirroring).</summary>
    public required int[] MirroringAxes { get; init; }

    /// <summary>Sliding-window step as a fraction of the patch size (nnU-Net's default 0.5).</summary>
    public double TileStepSize { get; init; } = 0.5;

    /// <summary>Number of folds; each part has one ONNX file per fold, whose logits are averaged.</summary>
    public required int Folds { get; init; }

    /// <summary>The networks; their outputs merge into one label map through <see cref="ModelPart.LabelMap"/>.</summary>
    public required ModelPart[] Parts { get; init; }

    public required Provenance Provenance { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static ModelManifest FromJson(string json) =>
        JsonSerializer.Deserialize<ModelManifest>(json, JsonOptions) ?? throw new JsonException("model.json is null");
}

/// <summary>A segmented structure: name, and where known its SNOMED-CT code and display colour.</summary>
public sealed record ClassInfo
{
    public required string Name { get; init; }

    /// <summary>SNOMED-CT code of the structure (SegmentedPropertyType), when known.</summary>
    public SnomedCode? Snomed { get; init; }

    /// <summary>SNOMED-CT modifier of that code (SegmentedPropertyTypeModifier: laterality Left/Right), when there is one.</summary>
    public SnomedCode? Modifier { get; init; }

    /// <summary>RGB display colour, when known.</summary>
    public int[]? Color { get; init; }
}

/// <summary>A coded concept (DICOM code sequence item).</summary>
public sealed record SnomedCode(string Scheme, string Code, string Meaning);

/// <summary>
/// nnU-Net's intensity normalization of one input channel. CTNormalization clips to
/// [<see cref="ClipLow"/>, <see cref="ClipHigh"/>] (the foreground 0.5/99.5 percentiles) then subtracts
/// <see cref="Mean"/> and divides by <see cref="Std"/>; ZScoreNormalization uses the image's own mean/std.
/// </summary>
public sealed record ChannelNormalization
{
    public required string Scheme { get; init; }

    public double? ClipLow { get; init; }

    public double? ClipHigh { get; init; }

    public double? Mean { get; init; }

    public double? Std { get; init; }

    public bool UseMaskForNorm { get; init; }
}

/// <summary>One network: its ONNX files (one per fold) and how its output channels map to global label ids.</summary>
public sealed record ModelPart
{
    public required string Name { get; init; }

    /// <summary>ONNX files relative to the package folder, one per fold, in fold order.</summary>
    public required string[] Files { get; init; }

    public required int InputChannels { get; init; }

    /// <summary>Output channels (logits), background included.</summary>
    public required int OutputChannels { get; init; }

    /// <summary>Local label (argmax channel) → global label id in the merged label map; local 0 (background) maps to nothing.</summary>
    public required SortedDictionary<int, int> LabelMap { get; init; }

    /// <summary>The source network class, trainer, plans and configuration.</summary>
    public required NetworkInfo Network { get; init; }
}

public sealed record NetworkInfo
{
    public required string ClassName { get; init; }

    public string? Trainer { get; init; }

    public string? Plans { get; init; }

    public string? Configuration { get; init; }

    public string? Dataset { get; init; }

    public int Opset { get; init; }

    public string InputName { get; init; } = "input";

    public string OutputName { get; init; } = "logits";
}

/// <summary>Where the package came from and the SHA-256 of every file in it (model.json excepted).</summary>
public sealed record Provenance
{
    public required string Source { get; init; }

    public string? Licence { get; init; }

    public DateTimeOffset ImportedAt { get; init; }

    /// <summary>Package file (relative path, '/' separated) → lowercase hex SHA-256.</summary>
    public required SortedDictionary<string, string> Sha256 { get; init; }

    /// <summary>SHA-256 of the source files the package was made from (relative to the results folder).</summary>
    public SortedDictionary<string, string>? SourceSha256 { get; init; }
}
