using System.Buffers;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Geometry;

/// <summary>Reverses axes of a volume's voxels in place (x fastest, as <see cref="VolumeShape.IndexOf"/> lays them out).</summary>
internal static class AxisFlips
{
    /// <summary>Reverses x, y and/or z of <paramref name="data"/>; each flip is its own inverse and they commute.</summary>
    public static void InPlace(float[] data, VolumeShape shape, bool flipX, bool flipY, bool flipZ)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.LongLength != shape.VoxelCount)
        {
            throw new ArgumentException($"{data.LongLength} voxels for a {shape} volume", nameof(data));
        }

        int slice = shape.SliceSize, row = shape.X;
        if (flipZ)
        {
            // Plane z trades places with plane Z−1−z.
            Parallel.For(0, shape.Z / 2, z => Swap(data.AsSpan(z * slice, slice), data.AsSpan((shape.Z - 1 - z) * slice, slice)));
        }

        if (flipX || flipY)
        {
            Parallel.For(0, shape.Z, z =>
            {
                var plane = data.AsSpan(z * slice, slice);
                if (flipY)
                {
                    for (int y = 0; y < shape.Y / 2; y++)
                    {
                        Swap(plane.Slice(y * row, row), plane.Slice((shape.Y - 1 - y) * row, row));
                    }
                }

                if (flipX)
                {
                    for (int y = 0; y < shape.Y; y++)
                    {
                        plane.Slice(y * row, row).Reverse();
                    }
                }
            });
        }
    }

    private static void Swap(Span<float> a, Span<float> b)
    {
        var pool = ArrayPool<float>.Shared;
        var scratch = pool.Rent(a.Length);
        try
        {
            var copy = scratch.AsSpan(0, a.Length);
            a.CopyTo(copy);
            b.CopyTo(a);
            copy.CopyTo(b);
        }
        finally
        {
            pool.Return(scratch);
        }
    }
}
