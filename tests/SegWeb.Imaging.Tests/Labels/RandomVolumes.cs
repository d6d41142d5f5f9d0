using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.Labels;

/// <summary>Seeded random masks and label maps for comparing against the Python references.</summary>
internal static class RandomVolumes
{
    /// <summary>An oblique, anisotropic, flipped grid (voxel sizes 0.7 × 1.3 × 2.5 mm).</summary>
    public static Affine ObliqueAnisotropic()
    {
        double c = Math.Cos(0.4), s = Math.Sin(0.4);
        return new Affine([
            -0.7 * c, 1.3 * s, 0, 12.5,
            0.7 * s, 1.3 * c, 0, -40,
            0, 0, -2.5, 80,
            0, 0, 0, 1]);
    }

    /// <summary>Independent voxels, each foreground with probability <paramref name="density"/>.</summary>
    public static Volume<byte> Mask(VolumeShape shape, double density, int seed, Affine? affine = null)
    {
        var rng = new Random(seed);
        var data = new byte[shape.VoxelCount];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = rng.NextDouble() < density ? (byte)1 : (byte)0;
        }

        return new Volume<byte>(shape, affine ?? Affine.Identity, data);
    }

    /// <summary>
    /// A label map of <paramref name="labelCount"/> labels made of random boxes of random sizes (so components
    /// range from single voxels to large blobs) over a sparse speckle.
    /// </summary>
    public static Volume<T> LabelMap<T>(VolumeShape shape, int labelCount, int boxes, int seed, Affine? affine = null)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        var rng = new Random(seed);
        var data = new T[shape.VoxelCount];
        for (int i = 0; i < data.Length; i++)
        {
            if (rng.NextDouble() < 0.08)
            {
                data[i] = T.CreateTruncating(rng.Next(1, labelCount + 1));
            }
        }

        for (int b = 0; b < boxes; b++)
        {
            var value = T.CreateTruncating(rng.Next(1, labelCount + 1));
            int x0 = rng.Next(shape.X), y0 = rng.Next(shape.Y), z0 = rng.Next(shape.Z);
            int x1 = Math.Min(shape.X, x0 + rng.Next(1, 9)), y1 = Math.Min(shape.Y, y0 + rng.Next(1, 7)), z1 = Math.Min(shape.Z, z0 + rng.Next(1, 5));
            for (int z = z0; z < z1; z++)
            {
                for (int y = y0; y < y1; y++)
                {
                    for (int x = x0; x < x1; x++)
                    {
                        data[shape.IndexOf(x, y, z)] = value;
                    }
                }
            }
        }

        return new Volume<T>(shape, affine ?? Affine.Identity, data);
    }
}
