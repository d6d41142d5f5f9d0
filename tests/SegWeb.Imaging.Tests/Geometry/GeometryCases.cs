using SegWeb.Imaging.Geometry;

namespace SegWeb.Imaging.Tests.GeometryTests;

/// <summary>Non-trivial affines shared by the geometry tests: LPS, RAS, oblique, anisotropic, flipped, permuted.</summary>
internal static class GeometryCases
{
    public static Affine Rotation(double ax, double ay, double az, (double X, double Y, double Z) spacing, (double X, double Y, double Z) origin)
    {
        // R = Rz·Ry·Rx, then columns scaled by the spacing.
        double cx = Math.Cos(ax), sx = Math.Sin(ax), cy = Math.Cos(ay), sy = Math.Sin(ay), cz = Math.Cos(az), sz = Math.Sin(az);
        double[,] r =
        {
            { cz * cy, (cz * sy * sx) - (sz * cx), (cz * sy * cx) + (sz * sx) },
            { sz * cy, (sz * sy * sx) + (cz * cx), (sz * sy * cx) - (cz * sx) },
            { -sy, cy * sx, cy * cx },
        };
        double[] s = [spacing.X, spacing.Y, spacing.Z];
        double[] o = [origin.X, origin.Y, origin.Z];
        var m = new double[16];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                m[(i * 4) + j] = r[i, j] * s[j];
            }

            m[(i * 4) + 3] = o[i];
        }

        m[15] = 1;
        return new Affine(m);
    }

    /// <summary>An affine whose voxel axes are a signed permutation of the world axes, times spacing.</summary>
    public static Affine Permuted(string codes, (double X, double Y, double Z) spacing, (double X, double Y, double Z) origin)
    {
        var ornt = Orientation.FromAxisCodes(codes);
        double[] s = [spacing.X, spacing.Y, spacing.Z];
        var m = new double[16];
        for (int j = 0; j < 3; j++)
        {
            m[(ornt[j].Axis * 4) + j] = ornt[j].Flip * s[j];
        }

        m[3] = origin.X;
        m[7] = origin.Y;
        m[11] = origin.Z;
        m[15] = 1;
        return new Affine(m);
    }

    public static Affine Random(Random rng, bool oblique)
    {
        var codes = new[] { "RAS", "LPS", "LAS", "PIR", "SLP", "IRA", "ASR", "RPI" }[rng.Next(8)];
        var spacing = (0.3 + (rng.NextDouble() * 4), 0.3 + (rng.NextDouble() * 4), 0.3 + (rng.NextDouble() * 6));
        var origin = ((rng.NextDouble() - 0.5) * 400, (rng.NextDouble() - 0.5) * 400, (rng.NextDouble() - 0.5) * 400);
        var basis = Permuted(codes, spacing, origin);
        if (!oblique)
        {
            return basis;
        }

        // Rotate a permuted grid by up to ~40° about each world axis, sometimes with a little shear.
        var rot = Rotation((rng.NextDouble() - 0.5) * 1.4, (rng.NextDouble() - 0.5) * 1.4, (rng.NextDouble() - 0.5) * 1.4, (1, 1, 1), (0, 0, 0));
        var result = rot.Multiply(basis).ToArray();
        if (rng.Next(3) == 0)
        {
            result[1] += (rng.NextDouble() - 0.5) * 0.3;
        }

        return new Affine(result);
    }
}
