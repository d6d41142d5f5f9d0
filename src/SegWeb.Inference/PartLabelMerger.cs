namespace SegWeb.Inference;

/// <summary>
/// Merges the local argmax labels of a model part into the task's global label map through
/// <see cref="SegWeb.Models.Packages.ModelPart.LabelMap"/>. Parts are merged in manifest order and a later part's
/// foreground overwrites an earlier one's, as TotalSegmentator assembles <c>total</c> from its part models; local
/// background (0) leaves the target untouched.
/// </summary>
public static class PartLabelMerger
{
    /// <summary>Writes the global ids of <paramref name="partLabels"/>' foreground into <paramref name="target"/>.</summary>
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
            if (local is < 1 or > 255 || global is < 1 or > 255)
            {
                throw new InferenceException($"label map entry {local} → {global} is outside 1..255");
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

            target[i] = table[local];
        }
    }
}
