using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Inference.Pipeline;

/// <summary>Wall time of one pipeline stage.</summary>
/// <param name="Stage">Stage name (<see cref="PipelineStages"/>).</param>
/// <param name="Elapsed">Wall time spent in it.</param>
public sealed record StageTiming(string Stage, TimeSpan Elapsed);

/// <summary>The outcome of <see cref="SegmentationPipeline.Run"/>.</summary>
/// <param name="Labels">Global class ids on the input's own grid (shape and affine of <paramref name="Image"/>).</param>
/// <param name="ClassNames">Class id → name for every class of the model (background excluded), present or not.</param>
/// <param name="Image">The input image as read (for statistics and as the writers' geometry).</param>
/// <param name="Header">The input's NIfTI header, the template for the outputs; null for DICOM input.</param>
/// <param name="Timings">Per-stage wall times in the order they ran.</param>
/// <param name="Warnings">Non-fatal problems (all-zero input, DICOM stacking).</param>
public sealed record SegmentationResult(
    Volume<byte> Labels,
    IReadOnlyDictionary<int, string> ClassNames,
    Volume Image,
    NiftiHeader? Header,
    IReadOnlyList<StageTiming> Timings,
    IReadOnlyList<string> Warnings);

/// <summary>Stage names the pipeline reports through <see cref="Progress.InferenceProgress"/> and <see cref="StageTiming"/>.</summary>
public static class PipelineStages
{
    /// <summary>Reading the NIfTI file or DICOM series.</summary>
    public const string Read = "read";

    /// <summary>Reorientation to the closest canonical (RAS) orientation.</summary>
    public const string Reorient = "reorient";

    /// <summary>Cropping (mask box, nnU-Net's non-zero box).</summary>
    public const string Crop = "crop";

    /// <summary>The first segmentation of a mask crop (--roi_subset, --body_seg): its whole run, timed as one stage; its
    /// progress is reported under this name too.</summary>
    public const string CropPass = "crop-pass";

    /// <summary>Post-processing at the model's spacing (small blobs, largest component).</summary>
    public const string Postprocess = "postprocess";

    /// <summary>Intensity normalisation (same name as <see cref="Progress.InferenceStages.Normalize"/>).</summary>
    public const string Normalize = Progress.InferenceStages.Normalize;

    /// <summary>Resampling to the model's spacing.</summary>
    public const string Resample = "resample";

    /// <summary>Sliding-window prediction, all parts (same name as <see cref="Progress.InferenceStages.Predict"/>).</summary>
    public const string Predict = Progress.InferenceStages.Predict;

    /// <summary>Labels back to the input grid.</summary>
    public const string Export = "export";
}
