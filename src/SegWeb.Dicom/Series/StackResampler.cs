namespace SegWeb.Dicom.Series;

/// <summary>
/// Resamples a stack with gantry tilt or uneven spacing onto a regular orthogonal grid in the slices' own
/// orientation (row, column, normal). The grid grows in-plane to cover every slice's in-plane offset (the tilt
/// shear) and has a constant step along the normal. A grid point is interpolated linearly along the normal
/// between the two neighbouring source planes, each sampled bilinearly at the point's projection onto it, so an
/// unsheared plane at an integer position is copied exactly. Points no source plane covers get
/// <c>fill</c> (the series' minimum, i.e. air or padding).
/// </summary>
internal static class StackResampler
{
    public sealed record Grid(int Nx, int Ny, int Nz, double U0, double V0, double Dz);

    public static Grid PlanGrid(SliceStack stack, double? sliceSpacing)
    {
        double dz = sliceSpacing ?? Math.Max(stack.MinGap, stack.MedianGap / 4);
        if (!(dz > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(sliceSpacing), sliceSpacing, "The resampled slice spacing must be positive.");
        }

        double u0 = stack.InPlane.Min(p => p.U), u1 = stack.InPlane.Max(p => p.U);
        double v0 = stack.InPlane.Min(p => p.V), v1 = stack.InPlane.Max(p => p.V);
        int nx = stack.Columns + (int)Math.Round((u1 - u0) / stack.Dx);
        int ny = stack.Rows + (int)Math.Round((v1 - v0) / stack.Dy);
        double height = stack.Heights[^1] - stack.Heights[0];
        int nz = (int)Math.Floor((height / dz) + 1e-6) + 1;
        long sourceVoxels = (long)stack.Columns * stack.Rows * stack.Frames.Count;
        if (!double.IsFinite(height) || (long)nx * ny * nz > Array.MaxLength || (long)nx * ny * nz > Math.Max(8 * sourceVoxels, 1L << 24))
        {
            throw new DicomFormatException(stack.Frames[0].SourceName, $"resampling this series would need a {nx}×{ny}×{nz} grid, too large");
        }

        return new Grid(nx, ny, nz, u0, v0, dz);
    }

    /// <summary>Resamples <paramref name="source"/> (Columns × Rows × slices, X fastest, slices sorted) onto <paramref name="grid"/>.</summary>
    public static float[] Resample(float[] source, SliceStack stack, Grid grid, float fill)
    {
        int sx = stack.Columns, sy = stack.Rows, slices = stack.Frames.Count;
        var heights = stack.Heights;
        var offsets = stack.InPlane;
        double dx = stack.Dx, dy = stack.Dy;
        var result = new float[(long)grid.Nx * grid.Ny * grid.Nz];
        Parallel.For(0, grid.Nz, k =>
        {
            double h = heights[0] + (k * grid.Dz);
            int s = Array.BinarySearch(heights, h);
            double w;
            if (s >= 0)
            {
                w = 0;
            }
            else
            {
                s = ~s - 1;
                if (s >= slices - 1)
                {
                    s = slices - 1;
                    w = 0;
                }
                else
                {
                    w = (h - heights[s]) / (heights[s + 1] - heights[s]);
                }
            }

            if (w > 1 - 1e-9 && s + 1 < slices)
            {
                s++;
                w = 0;
            }

            long plane = (long)k * grid.Nx * grid.Ny;
            for (int j = 0; j < grid.Ny; j++)
            {
                double v = grid.V0 + (j * dy);
                for (int i = 0; i < grid.Nx; i++)
                {
                    double u = grid.U0 + (i * dx);
                    double a = Sample(source, s, sx, sy, (u - offsets[s].U) / dx, (v - offsets[s].V) / dy, fill);
                    double value = a;
                    if (w > 0)
                    {
                        double b = Sample(source, s + 1, sx, sy, (u - offsets[s + 1].U) / dx, (v - offsets[s + 1].V) / dy, fill);
                        value = ((1 - w) * a) + (w * b);
                    }

                    result[plane + i + ((long)grid.Nx * j)] = (float)value;
                }
            }
        });
        return result;
    }

    /// <summary>Bilinear sample of slice <paramref name="s"/> at (column <paramref name="a"/>, row <paramref name="b"/>); outside is <paramref name="fill"/>.</summary>
    private static double Sample(float[] source, int s, int sx, int sy, double a, double b, float fill)
    {
        const double Tolerance = 1e-6;
        if (a < -Tolerance || b < -Tolerance || a > sx - 1 + Tolerance || b > sy - 1 + Tolerance)
        {
            return fill;
        }

        a = Math.Clamp(a, 0, sx - 1);
        b = Math.Clamp(b, 0, sy - 1);
        int a0 = Math.Min((int)a, Math.Max(0, sx - 2)), b0 = Math.Min((int)b, Math.Max(0, sy - 2));
        double fa = a - a0, fb = b - b0;
        long row0 = ((long)s * sx * sy) + ((long)b0 * sx) + a0;
        long row1 = sy > 1 ? row0 + sx : row0;
        int step = sx > 1 ? 1 : 0;
        double top = (source[row0] * (1 - fa)) + (source[row0 + step] * fa);
        double bottom = (source[row1] * (1 - fa)) + (source[row1 + step] * fa);
        return (top * (1 - fb)) + (bottom * fb);
    }
}
