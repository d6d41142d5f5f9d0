using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Labels;

/// <summary>
/// The result of connected-component labelling: an id per voxel (0 = background, 1..<see cref="Count"/>
/// numbered in the order of each component's first voxel, X fastest) and per-component sizes and boxes.
/// </summary>
public sealed class ComponentLabeling
{
    internal ComponentLabeling(Volume<int> ids, int count, long[] voxelCounts, ComponentBox[] boxes)
    {
        Ids = ids;
        Count = count;
        VoxelCounts = voxelCounts;
        Boxes = boxes;
    }

    /// <summary>Component id of every voxel, on the input's grid.</summary>
    public Volume<int> Ids { get; }

    /// <summary>Number of components.</summary>
    public int Count { get; }

    /// <summary>Voxels in component <c>i</c> at index <c>i</c> (index 0, the background, is 0).</summary>
    public IReadOnlyList<long> VoxelCounts { get; }

    /// <summary>Inclusive bounding box of component <c>i</c> at index <c>i</c> (index 0 is meaningless).</summary>
    public IReadOnlyList<ComponentBox> Boxes { get; }
}
