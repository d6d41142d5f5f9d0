using System.Numerics;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Inference.Cropping;

/// <summary>
/// A box of voxels [X0, X1) × [Y0, Y1) × [Z0, Z1) of a volume: the region the pipeline predicts on after cropping to
/// the non-zero region (nnU-Net), a body mask or an ROI (TotalSegmentator). <see cref="Crop{T}"/> cuts it out with the
/// affine moved to its first voxel (world positions unchanged); <see cref="Uncrop"/> puts labels back into a
/// zero-filled volume of the full grid, voxel for voxel.
/// </summary>
public readonly record struct CropBox(int X0, int Y0, int Z0, int X1, int Y1, int Z1)
{
    /// <summary>The shape of the cropped volume.</summary>
    public VolumeShape Shape => new(X1 - X0, Y1 - Y0, Z1 - Z0);

    /// <summary>The whole of a volume of <paramref name="shape"/>.</summary>
    public static CropBox All(VolumeShape shape) => new(0, 0, 0, shape.X, shape.Y, shape.Z);

    /// <summary>True when the box is the whole of <paramref name="shape"/> (cropping would change nothing).</summary>
    public bool Covers(VolumeShape shape) => X0 == 0 && Y0 == 0 && Z0 == 0 && X1 == shape.X && Y1 == shape.Y && Z1 == shape.Z;

    /// <summary>
    /// The bounding box of the voxels whose stored value is not zero, or null when there are none. nnU-Net's
    /// <c>crop_to_nonzero</c> takes the box of <c>binary_fill_holes(data != 0)</c>: filling holes never changes a box.
    /// </summary>
    public static CropBox? OfNonzero<T>(Volume<T> volume)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(volume);
        // Vectorised per row: the first and last non-zero of each row.
        return Bounds<T>(volume.Shape, volume.Data, static row => (row.IndexOfAnyExcept(T.Zero), row.LastIndexOfAnyExcept(T.Zero)));
    }

    /// <summary>The bounding box of the voxels of <paramref name="labels"/> for which <paramref name="selected"/> is true (indexed by label), or null.</summary>
    public static CropBox? OfLabels(Volume<byte> labels, ReadOnlySpan<bool> selected)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (selected.Length != 256)
        {
            throw new ArgumentException("one flag per byte label (256)", nameof(selected));
        }

        bool[] table = selected.ToArray();
        return Bounds<byte>(labels.Shape, labels.Data, row =>
        {
            int first = -1, last = -1;
            for (int x = 0; x < row.Length; x++)
            {
                if (table[row[x]])
                {
                    first = first < 0 ? x : first;
                    last = x;
                }
            }

            return (first, last);
        });
    }

    /// <summary>
    /// The box grown by <paramref name="margin"/> voxels per axis on both sides and clipped to <paramref name="shape"/>,
    /// as TotalSegmentator's <c>get_bbox_from_mask(addon=…)</c>.
    /// </summary>
    public CropBox Expand((int X, int Y, int Z) margin, VolumeShape shape) => new(
        Math.Max(0, X0 - margin.X), Math.Max(0, Y0 - margin.Y), Math.Max(0, Z0 - margin.Z),
        Math.Min(shape.X, X1 + margin.X), Math.Min(shape.Y, Y1 + margin.Y), Math.Min(shape.Z, Z1 + margin.Z));

    /// <summary>
    /// TotalSegmentator's margin in voxels for a margin in mm: <c>(addon_mm / zooms).astype(int)</c>, truncated per
    /// axis with that axis' voxel size.
    /// </summary>
    public static (int X, int Y, int Z) MarginVoxels(double marginMm, (double X, double Y, double Z) spacing) =>
        ((int)(marginMm / spacing.X), (int)(marginMm / spacing.Y), (int)(marginMm / spacing.Z));

    /// <summary>The box's voxels as a new volume; its affine maps them to the same world positions as before.</summary>
    public Volume<T> Crop<T>(Volume<T> volume)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(volume);
        Require(volume.Shape);
        var shape = Shape;
        var data = new T[shape.VoxelCount];
        var source = volume.Shape;
        int rowLength = shape.X;
        int x0 = X0, y0 = Y0, z0 = Z0;
        Parallel.For(0, shape.Z, z =>
        {
            for (int y = 0; y < shape.Y; y++)
            {
                long from = source.IndexOf(x0, y + y0, z + z0);
                long to = shape.IndexOf(0, y, z);
                Array.Copy(volume.Data, from, data, to, rowLength);
            }
        });
        return new Volume<T>(shape, ShiftedAffine(volume.Affine), data, volume.Slope, volume.Intercept);
    }

    /// <summary>
    /// <paramref name="cropped"/> (labels on this box) placed into a zero-filled volume of <paramref name="fullShape"/>
    /// with <paramref name="fullAffine"/>: nnU-Net's and TotalSegmentator's "undo crop" (outside the box is background).
    /// </summary>
    public Volume<byte> Uncrop(Volume<byte> cropped, VolumeShape fullShape, Affine fullAffine)
    {
        ArgumentNullException.ThrowIfNull(cropped);
        Require(fullShape);
        var shape = Shape;
        if (cropped.Shape != shape)
        {
            throw new ArgumentException($"cropped labels are {cropped.Shape}, the box is {shape}", nameof(cropped));
        }

        var data = new byte[fullShape.VoxelCount];
        int x0 = X0, y0 = Y0, z0 = Z0;
        Parallel.For(0, shape.Z, z =>
        {
            for (int y = 0; y < shape.Y; y++)
            {
                Array.Copy(cropped.Data, shape.IndexOf(0, y, z), data, fullShape.IndexOf(x0, y + y0, z + z0), shape.X);
            }
        });
        return new Volume<byte>(fullShape, fullAffine, data);
    }

    /// <summary>The affine of the cropped volume: the same axes, the origin moved to voxel (X0, Y0, Z0).</summary>
    public Affine ShiftedAffine(Affine affine)
    {
        ArgumentNullException.ThrowIfNull(affine);
        var m = affine.ToArray();
        var (ox, oy, oz) = affine.Apply(X0, Y0, Z0);
        m[3] = ox;
        m[7] = oy;
        m[11] = oz;
        return new Affine(m);
    }

    /// <inheritdoc />
    public override string ToString() => $"[{X0}:{X1}, {Y0}:{Y1}, {Z0}:{Z1}]";

    private void Require(VolumeShape shape)
    {
        if (X0 < 0 || Y0 < 0 || Z0 < 0 || X1 > shape.X || Y1 > shape.Y || Z1 > shape.Z || X1 <= X0 || Y1 <= Y0 || Z1 <= Z0)
        {
            throw new ArgumentOutOfRangeException(nameof(shape), $"box {this} does not lie inside {shape}");
        }
    }

    /// <summary>First and last selected voxel of one row (-1, -1 when none).</summary>
    private delegate (int First, int Last) RowBounds<T>(ReadOnlySpan<T> row);

    private static CropBox? Bounds<T>(VolumeShape shape, T[] data, RowBounds<T> rowBounds)
    {
        // Per-slice bounds in parallel, then reduced: one pass over the data.
        var boxes = new (int X0, int Y0, int X1, int Y1)?[shape.Z];
        Parallel.For(0, shape.Z, z =>
        {
            int xMin = int.MaxValue, xMax = -1, yMin = int.MaxValue, yMax = -1;
            for (int y = 0; y < shape.Y; y++)
            {
                var (first, last) = rowBounds(data.AsSpan((int)shape.IndexOf(0, y, z), shape.X));
                if (first >= 0)
                {
                    xMin = Math.Min(xMin, first);
                    xMax = Math.Max(xMax, last);
                    yMin = Math.Min(yMin, y);
                    yMax = y;
                }
            }

            boxes[z] = xMax < 0 ? null : (xMin, yMin, xMax + 1, yMax + 1);
        });

        int z0 = Array.FindIndex(boxes, b => b is not null);
        if (z0 < 0)
        {
            return null;
        }

        int z1 = Array.FindLastIndex(boxes, b => b is not null) + 1;
        var present = boxes.Where(b => b is not null).Select(b => b!.Value).ToList();
        return new CropBox(present.Min(b => b.X0), present.Min(b => b.Y0), z0, present.Max(b => b.X1), present.Max(b => b.Y1), z1);
    }
}
