using SegWeb.Models.Packages;

namespace SegWeb.Inference;

/// <summary>
/// Merges the local argmax labels of a model part into the task's global label map through
/// <see cref="ModelPart.LabelMap"/>. Parts are merged in manifest order and a later part's foreground overwrites an
/// earlier one's, as TotalSegmentator assembles <c>total</c> from its part models.
/// </summary>
/// <remarks>
/// The label map follows the manifest's rules (docs/models.md): keys are local labels 1..255 and a global id of 0
/// means "drop" (TotalSegmentator's auxiliary labels, which it never writes into the combined map). A dropped label,
/// like local background (0), leaves the target untouched: with one part that is background, with several an earlier
/// part's label stays, which is what TotalSegmentator's <c>seg_combined[seg == jdx] = id</c> over the published
/// classes does. Local 0 (background) has no entry, as in model.json.
/// </remarks>
public static class PartLabelMerger
{
    /// <summary>Writes the global ids of <paramref name="partLabels"/>' mapped foreground into <paramref name="target"/>.</summary>
    /// <exception cref="InferenceException">Sizes differ, a map entry is not local 1..255 → global 0..255, or the network predicted a label the map does not list.</exception>
    public static void Merge(Span<byte> target, ReadOnlySpan<byte> partLabels, IReadOnlyDictionary<int, int> labelMap)
    {
        ArgumentNullException.ThrowIfNull(labelMap);
        if (target.Length != partLabels.Length)
        {
            throw new InferenceException($"part labels cover {partLabels.Length} voxels, the merged map {target.Length}");
        }

        // A 256-entry table: one lookup per voxel instead of a dictionary probe.
        Span<byte> table = stackalloc byte[256];
        Span<bool> mapped = stackalloc bool[256];
        foreach (var (local, global) in labelMap)
        {
            // The same rule ModelPackage.Load applies to model.json: local 1..255 → global 0..255 (0 = drop).
            if (local is < 1 or > 255 || global is < 0 or > 255)
            {
                throw new InferenceException($"label map entry {local} → {global}: entries must map a local label 1..255 to a global id 0..255 (0 drops it)");
            }

            table[local] = (byte)global;
            mapped[local] = true;
        }

        for (int i = 0; i < partLabels.Length; i++)
        {
            byte local = partLabels[i];
            if (local == 0)
            {
                continue;
            }

            if (!mapped[local])
            {
                throw new InferenceException($"the network predicted local label {local}, which the part's label map does not list");
            }

            byte global = table[local];
            if (global != 0)
            {
                target[i] = global;
            }
        }
    }

    /// <summary>
    /// Refuses a package whose labels do not fit SegWeb's byte label maps: more than 256 output channels in a part, or
    /// a class id above 255. Checked before any work so the user gets one clear error instead of wrapped ids.
    /// </summary>
    /// <exception cref="InferenceException">The package has more classes than a byte label map holds.</exception>
    public static void RequireByteLabels(ModelPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        var manifest = package.Manifest;
        if (manifest.Classes.Keys.Where(id => id is < 1 or > 255).ToList() is { Count: > 0 } bad)
        {
            throw new InferenceException(
                $"{package.Directory}: class id(s) {string.Join(", ", bad.Take(5))} are outside 1..255; SegWeb's label maps are bytes (at most 255 classes)");
        }

        if (manifest.Parts.FirstOrDefault(p => p.OutputChannels > 256) is { } part)
        {
            throw new InferenceException(
                $"{package.Directory}: part '{part.Name}' has {part.OutputChannels} output channels; SegWeb's label maps are bytes (at most 255 classes plus background)");
        }
    }
}
