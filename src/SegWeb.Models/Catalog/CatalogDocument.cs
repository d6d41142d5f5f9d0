using System.Text.Json.Serialization;

namespace SegWeb.Models.Catalog;

/// <summary>
/// The whole task catalogue as stored in <c>models/catalog.json</c>: every TotalSegmentator task SegWeb knows,
/// generated from TotalSegmentator's own configuration by <see cref="CatalogGenerator"/>. A field that is
/// <c>null</c> means "not known from the source" (never "zero" or "none").
/// </summary>
public sealed record TaskCatalogDocument
{
    /// <summary>Version of this file's layout; readers refuse a version they do not know.</summary>
    public required int FormatVersion { get; init; }

    /// <summary>Where the facts come from (TotalSegmentator version and files), copied from the source data.</summary>
    public required string Source { get; init; }

    /// <summary>Base of the weights release URLs: a model's URL is <c>{base}/{releaseVersion}/{folderName}.zip</c>.</summary>
    public required string WeightsBaseUrl { get; init; }

    /// <summary>The tasks, in TotalSegmentator's own order (total first).</summary>
    public required IReadOnlyList<CatalogTask> Tasks { get; init; }
}

/// <summary>How a task's (or a model's) weights can be had.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TaskAvailability>))]
public enum TaskAvailability
{
    /// <summary>Every model of the task has a public release URL (TotalSegmentator's GitHub weights releases).</summary>
    Open,

    /// <summary>At least one model is licence-only ("commercial" in TotalSegmentator): no public URL; the user must supply a licensed zip or mirror URL.</summary>
    Licence,

    /// <summary>At least one model has no published release at all (TotalSegmentator marks it TODO or lists no weights).</summary>
    Unreleased,
}

/// <summary>One TotalSegmentator task (<c>--task NAME</c>): its classes and its variants (default / fast / fastest).</summary>
public sealed record CatalogTask
{
    /// <summary>The task name as TotalSegmentator spells it (<c>total</c>, <c>total_mr</c>, <c>lung_vessels</c>, ...).</summary>
    public required string Name { get; init; }

    /// <summary>The worst availability over the models of the default variant.</summary>
    public required TaskAvailability Availability { get; init; }

    /// <summary>True when TotalSegmentator refuses <c>--fast</c>/<c>--fastest</c> for this task (<c>disallow_fast</c>).</summary>
    public required bool DisallowFast { get; init; }

    /// <summary>A note TotalSegmentator prints when the task runs (for example "only works with TOF MRI"), or null.</summary>
    public string? InfoMessage { get; init; }

    /// <summary>The task's output label map: label value → structure name, ascending by id (117 entries for <c>total</c>).</summary>
    public required IReadOnlyList<CatalogClass> Classes { get; init; }

    /// <summary>The variants: always <c>default</c>, then <c>fast</c> and <c>fastest</c> where the task has them.</summary>
    public required IReadOnlyList<CatalogVariant> Variants { get; init; }
}

/// <summary>One entry of a label map: the voxel value and the structure's name.</summary>
public sealed record CatalogClass
{
    /// <summary>The label value in the output label map (1-based; 0 is background).</summary>
    public required int Id { get; init; }

    /// <summary>TotalSegmentator's structure name (<c>liver</c>, <c>vertebrae_L1</c>, ...).</summary>
    public required string Name { get; init; }
}

/// <summary>One way of running a task: the models it runs and how the input is prepared for them.</summary>
public sealed record CatalogVariant
{
    /// <summary><c>default</c>, <c>fast</c> or <c>fastest</c>.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// The spacing (x, y, z, in mm) the input is resampled to before inference, or null when the task runs at the
    /// image's own spacing (TotalSegmentator's <c>resample: None</c>). A scalar in the source becomes three equal values.
    /// </summary>
    public double[]? TargetSpacingMm { get; init; }

    /// <summary>The nnU-Net trainer class the weights were trained with (part of the results folder name).</summary>
    public required string Trainer { get; init; }

    /// <summary>The nnU-Net plans identifier (TotalSegmentator always uses <c>nnUNetPlans</c>).</summary>
    public required string Plans { get; init; }

    /// <summary>The nnU-Net configuration (<c>3d_fullres</c>, <c>3d_fullres_high</c>, <c>3d_lowres_high</c>).</summary>
    public required string Configuration { get; init; }

    /// <summary>The folds whose checkpoints are used, or null for "every fold in the release" (TotalSegmentator's <c>folds: None</c>).</summary>
    public int[]? Folds { get; init; }

    /// <summary>Structures (from <see cref="CropModel"/>'s map) the input is cropped to before inference, or null for no crop.</summary>
    public IReadOnlyList<string>? Crop { get; init; }

    /// <summary>The task whose output gives the crop mask when it is not <c>total</c>, or null.</summary>
    public string? CropModel { get; init; }

    /// <summary>
    /// Margin added around the crop box (x, y, z), in mm despite the name: TotalSegmentator's crop_to_mask divides its
    /// <c>crop_addon</c> by the voxel size before growing the box.
    /// </summary>
    public required int[] CropAddonVoxels { get; init; }

    /// <summary>True when the crop mask comes from the slower, more robust model (TotalSegmentator's <c>robust_crop</c>).</summary>
    public required bool RobustCrop { get; init; }

    /// <summary>The models run for this variant; several (part models) are merged into the task's label map.</summary>
    public required IReadOnlyList<CatalogModel> Models { get; init; }
}

/// <summary>One nnU-Net model (one TotalSegmentator dataset id) and where its weights come from.</summary>
public sealed record CatalogModel
{
    /// <summary>The nnU-Net dataset id (291, 297, ...).</summary>
    public required int DatasetId { get; init; }

    /// <summary>The name SegWeb installs the model under in the models folder (the release folder name when known).</summary>
    public required string ModelName { get; init; }

    /// <summary>The nnU-Net results folder name inside the release zip (<c>Dataset297_TotalSegmentator_total_3mm_1559subj</c>), or null.</summary>
    public string? FolderName { get; init; }

    /// <summary>The GitHub release tag that publishes the zip (<c>v2.0.0-weights</c>), or null when none is published.</summary>
    public string? ReleaseVersion { get; init; }

    /// <summary>The public download URL of the weights zip, or null when the weights are licence-only or unreleased.</summary>
    public string? Url { get; init; }

    /// <summary>How this model's weights can be had.</summary>
    public required TaskAvailability Availability { get; init; }

    /// <summary>For a part model, TotalSegmentator's part name (<c>class_map_part_organs</c>); null for a whole-task model.</summary>
    public string? PartName { get; init; }

    /// <summary>Size of the zip in bytes, or null when no published size is known.</summary>
    public long? ZipSize { get; init; }

    /// <summary>SHA-256 (lower-case hex) of the whole zip, or null when no published hash is known.</summary>
    public string? ZipSha256 { get; init; }

    /// <summary>Files inside the zip with published SHA-256 hashes; install verifies each one. Empty when none are known.</summary>
    public required IReadOnlyList<KnownFileHash> KnownFiles { get; init; }

    /// <summary>
    /// The model's output labels and where each goes in the task's label map (local → global), or null when the
    /// source data does not say (a part model whose part map TotalSegmentator's data does not include).
    /// </summary>
    public IReadOnlyList<CatalogLabel>? Labels { get; init; }
}

/// <summary>One label a model outputs and the task label it becomes.</summary>
public sealed record CatalogLabel
{
    /// <summary>The value the model itself outputs (its nnU-Net dataset.json label).</summary>
    public required int Local { get; init; }

    /// <summary>The value in the task's label map; 0 for an auxiliary label the task drops from its output.</summary>
    public required int Global { get; init; }

    /// <summary>The structure's name.</summary>
    public required string Name { get; init; }
}

/// <summary>A file inside a release zip whose SHA-256 has been published.</summary>
public sealed record KnownFileHash
{
    /// <summary>
    /// The file's path below the dataset folder, '/'-separated
    /// (<c>nnUNetTrainer_4000epochs_NoMirroring__nnUNetPlans__3d_fullres/fold_0/checkpoint_final.pth</c>).
    /// It is matched as a suffix of the zip entry names, so a zip with or without the dataset folder verifies.
    /// </summary>
    public required string Path { get; init; }

    /// <summary>SHA-256 of the file's (decompressed) content, lower-case hex.</summary>
    public required string Sha256 { get; init; }
}
