using SegWeb.Models.Pickle;

namespace SegWeb.Models.Checkpoints;

/// <summary>
/// A tensor of a torch.save checkpoint: a view (offset, shape, strides in elements) into a storage whose bytes
/// live in the zip entry <c>&lt;archive&gt;/data/&lt;key&gt;</c>. Data is read on demand by <see cref="TorchCheckpoint"/>.
/// </summary>
public sealed record TorchTensor(TorchStorageRef Storage, long StorageOffset, long[] Shape, long[] Strides)
{
    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}
