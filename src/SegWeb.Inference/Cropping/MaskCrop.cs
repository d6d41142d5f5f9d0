using SegWeb.Inference.Pipeline;

namespace SegWeb.Inference.Cropping;

/// <summary>
/// Crop the scan to the box of a first, cheaper segmentation before the main one, as TotalSegmentator does for
/// <c>--roi_subset</c> (its 6 mm <c>total</c> model, box of the requested classes + 20 mm) and <c>--body_seg</c> (its
/// 6 mm <c>body</c> model, box of any body label + 3 mm). Outside the box the output is background.
/// </summary>
/// <param name="Model">The model of the first pass (run on the same input, without cropping or post-processing).</param>
/// <param name="Classes">Class names of <paramref name="Model"/> that form the mask; null: every non-zero label.</param>
/// <param name="MarginMm">Margin around the mask's box in mm, turned into whole voxels per axis (truncated).</param>
public sealed record MaskCrop(SegmentationModel Model, IReadOnlyList<string>? Classes, double MarginMm)
{
    /// <summary>TotalSegmentator's margin around the <c>--roi_subset</c> box (<c>crop_addon = [20, 20, 20]</c>, mm).</summary>
    public const double RoiMarginMm = 20;

    /// <summary>TotalSegmentator's default margin around a crop mask, used for <c>--body_seg</c> (<c>crop_addon=[3, 3, 3]</c>, mm).</summary>
    public const double BodyMarginMm = 3;
}
