using System.Numerics;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Geometry;

/// <summary>
/// Moves voxels as nibabel's apply_orientation does: flip the input axes marked -1, then transpose so that
/// input axis i becomes output axis <c>transform[i].Axis</c>. Exact (a pure copy), parallel over output slices.
/// </summary>
internal static class AxisPermutation
{
    public static VolumeShape TransformedShape(VolumeShape shape, AxisOrientation transform)
    {
        Span<int> dims = stackalloc int[3];
        for (int i = 0; i < 3; i++)
        {
            dims[transform[i].Axis] = shape[i];
        }

        return new VolumeShape(dims[0], dims[1], dims[2]);
    }

    public static T[] Apply<T>(T[] source, VolumeShape shape, AxisOrientation transform)
        where T : unmanaged, INumber<T>
    {
        var outShape = TransformedShape(shape, transform);
        Span<long> inStride = [1, shape.X, (long)shape.X * shape.Y];

        // For each output axis: the signed step through the input array, and where index 0 starts.
        Span<long> step = stackalloc long[3];
        long origin = 0;
        for (int i = 0; i < 3; i++)
        {
            int outAxis = transform[i].Axis;
            if (transform[i].Flip < 0)
            {
                step[outAxis] = -inStride[i];
                origin += (shape[i] - 1) * inStride[i];
            }
            else
            {
                step[outAxis] = inStride[i];
            }
        }

        long stepX = step[0], stepY = step[1], stepZ = step[2];
        var result = new T[source.Length];
        int nx = outShape.X, ny = outShape.Y;
        Parallel.For(0, outShape.Z, z =>
        {
            for (int y = 0; y < ny; y++)
            {
                long src = origin + (z * stepZ) + (y * stepY);
                var dst = result.AsSpan((int)(((long)z * ny * nx) + ((long)y * nx)), nx);
                if (stepX == 1)
                {
                    source.AsSpan((int)src, nx).CopyTo(dst);
                }
                else if (stepX == -1)
                {
                    source.AsSpan((int)(src - nx + 1), nx).CopyTo(dst);
                    dst.Reverse();
                }
                else
                {
                    for (int x = 0; x < nx; x++)
                    {
                        dst[x] = source[src + (x * stepX)];
                    }
                }
            }
        });
        return result;
    }
}
