using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.ResamplingTests;

/// <summary>Test volumes for resampling: random noise (worst case for interpolation) and smooth CT-like content.</summary>
internal static class ResamplingCases
{
    public static Volume<float> RandomFloat(int seed, VolumeShape shape, Affine? affine = null)
    {
        var rng = new Random(seed);
        var data = new float[shape.VoxelCount];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)((rng.NextDouble() * 2000) - 1000);
        }

        return new Volume<float>(shape, affine ?? Affine.FromSpacing(1, 1, 1), data);
    }

    public static Volume<short> SmoothInt16(int seed, VolumeShape shape, Affine? affine = null)
    {
        var rng = new Random(seed);
        double fx = 0.2 + rng.NextDouble(), fy = 0.2 + rng.NextDouble(), fz = 0.2 + rng.NextDouble();
        var data = new short[shape.VoxelCount];
        for (int z = 0; z < shape.Z; z++)
        {
            for (int y = 0; y < shape.Y; y++)
            {
                for (int x = 0; x < shape.X; x++)
                {
                    double v = (600 * Math.Sin(fx * x) * Math.Cos(fy * y)) + (300 * Math.Sin(fz * z)) + rng.Next(-20, 20);
                    data[shape.IndexOf(x, y, z)] = (short)Math.Round(v);
                }
            }
        }

        return new Volume<short>(shape, affine ?? Affine.FromSpacing(0.8, 0.8, 2.5), data);
    }

    /// <summary>Labels 0..count-1 (sparse values allowed) in blobs, so per-label interpolation has real boundaries.</summary>
    public static Volume<byte> Blobs(int seed, VolumeShape shape, byte[] labels)
    {
        var rng = new Random(seed);
        var centres = labels.Select(_ => (X: rng.NextDouble() * shape.X, Y: rng.NextDouble() * shape.Y, Z: rng.NextDouble() * shape.Z)).ToArray();
        var data = new byte[shape.VoxelCount];
        for (int z = 0; z < shape.Z; z++)
        {
            for (int y = 0; y < shape.Y; y++)
            {
                for (int x = 0; x < shape.X; x++)
                {
                    int best = 0;
                    double bestD = double.MaxValue;
                    for (int l = 0; l < labels.Length; l++)
                    {
                        double d = Math.Pow(x - centres[l].X, 2) + Math.Pow(y - centres[l].Y, 2) + Math.Pow(z - centres[l].Z, 2) + (rng.NextDouble() * 3);
                        if (d < bestD)
                        {
                            bestD = d;
                            best = l;
                        }
                    }

                    data[shape.IndexOf(x, y, z)] = labels[best];
                }
            }
        }

        return new Volume<byte>(shape, Affine.FromSpacing(1, 1, 1), data);
    }
}
