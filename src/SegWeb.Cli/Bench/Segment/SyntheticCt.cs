using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Cli.Bench.Segment;

/// <summary>
/// A body-like int16 CT for the benchmark's large cases (TotalSegmentator's scan sizes, no patient data): air around
/// an elliptical trunk of soft tissue with two lungs and a spine, plus noise, so compression, normalisation and
/// resampling see realistic values. Written as .nii.gz, LPS-like (x and y flipped) so reorientation does real work.
/// </summary>
internal static class SyntheticCt
{
    /// <summary>Writes the scan to <paramref name="path"/> (unless it already exists) and returns the path.</summary>
    public static string Write(string path, VolumeShape shape, (double X, double Y, double Z) spacing)
    {
        if (File.Exists(path))
        {
            return path;
        }

        var affine = new Affine([-spacing.X, 0, 0, spacing.X * shape.X / 2, 0, -spacing.Y, 0, spacing.Y * shape.Y / 2, 0, 0, spacing.Z, 0, 0, 0, 0, 1]);
        var data = new short[shape.VoxelCount];
        int nx = shape.X, ny = shape.Y;
        Parallel.For(0, shape.Z, z =>
        {
            var random = new Random(z);
            for (int y = 0; y < ny; y++)
            {
                for (int x = 0; x < nx; x++)
                {
                    // Normalised in-plane coordinates in [-1, 1].
                    double u = ((2.0 * x) / nx) - 1, v = ((2.0 * y) / ny) - 1;
                    double hu = -1000;
                    if ((u * u / 0.72) + (v * v / 0.45) < 1)
                    {
                        hu = 40;
                        double lu = Math.Abs(u) - 0.35, lv = v + 0.05;
                        if ((lu * lu / 0.06) + (lv * lv / 0.12) < 1)
                        {
                            hu = -800;
                        }

                        double su = u, sv = v - 0.45;
                        if ((su * su) + (sv * sv) < 0.01)
                        {
                            hu = 700;
                        }
                    }

                    data[(long)x + ((long)nx * (y + ((long)ny * z)))] = (short)(hu + random.Next(-20, 21));
                }
            }
        });

        string temporary = path + ".partial.nii.gz";
        NiftiWriter.Write(temporary, new Volume<short>(shape, affine, data));
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
