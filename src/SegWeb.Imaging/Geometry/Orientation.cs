using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Geometry;

/// <summary>
/// Orientation codes and orientation transforms with nibabel's semantics (nibabel.orientations:
/// io_orientation, aff2axcodes, axcodes2ornt, ornt_transform, inv_ornt_aff). World axes are RAS+:
/// axis 0 runs Left→Right, 1 Posterior→Anterior, 2 Inferior→Superior.
/// </summary>
public static class Orientation
{
    // nibabel's default labels: (negative end, positive end) of each world axis.
    // numpy's finfo(float64).eps, which io_orientation's rank tolerance uses.
    private const double MachineEpsilon = 2.220446049250313e-16;

    private static readonly (char Negative, char Positive)[] Labels = [('L', 'R'), ('P', 'A'), ('I', 'S')];

    /// <summary>
    /// The orientation of an affine's voxel axes (nibabel's io_orientation): the rotation-zoom-shear block is
    /// normalised by its column norms and orthogonalised through its SVD (dropping singular values at or
    /// below max(s)·3·ε), then each voxel axis in turn takes the world axis with the largest absolute
    /// component, which is then removed from the competition. Axes of a degenerate affine come back unknown.
    /// </summary>
    public static AxisOrientation FromAffine(Affine affine)
    {
        ArgumentNullException.ThrowIfNull(affine);
        Span<double> rs = stackalloc double[9];
        for (int col = 0; col < 3; col++)
        {
            double zoom = affine.ColumnNorm(col);
            if (zoom == 0)
            {
                zoom = 1; // nibabel: zooms[zooms == 0] = 1, so a zero column stays zero
            }

            for (int row = 0; row < 3; row++)
            {
                rs[(row * 3) + col] = affine[row, col] / zoom;
            }
        }

        var (u, s, v) = Matrix3Svd.Decompose(rs);
        double smax = Math.Max(s[0], Math.Max(s[1], s[2]));
        double tol = smax * 3 * MachineEpsilon;

        // R = P[:, keep] · Qs[keep]: the closest orthogonal matrix (on the kept subspace).
        var r = new double[9];
        for (int k = 0; k < 3; k++)
        {
            if (!(s[k] > tol))
            {
                continue;
            }

            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    r[(i * 3) + j] += u[(i * 3) + k] * v[(j * 3) + k];
                }
            }
        }

        Span<AxisMapping> rows = stackalloc AxisMapping[3];
        for (int inAxis = 0; inAxis < 3; inAxis++)
        {
            // np.allclose(col, 0) with its default atol of 1e-8.
            bool allZero = true;
            int outAxis = 0;
            double best = -1;
            for (int i = 0; i < 3; i++)
            {
                double value = Math.Abs(r[(i * 3) + inAxis]);
                allZero &= value <= 1e-8;
                if (value > best)
                {
                    best = value; // first maximum wins, like np.argmax
                    outAxis = i;
                }
            }

            if (allZero)
            {
                rows[inAxis] = AxisMapping.Unknown;
                continue;
            }

            rows[inAxis] = new AxisMapping(outAxis, r[(outAxis * 3) + inAxis] < 0 ? -1 : 1);
            for (int j = 0; j < 3; j++)
            {
                r[(outAxis * 3) + j] = 0;
            }
        }

        return AxisOrientation.FromRows(rows);
    }

    /// <summary>
    /// The axis codes of an affine ("RAS", "LPS", "PIR", …), as nibabel's aff2axcodes. An axis without a
    /// direction (degenerate affine; nibabel's None) is written '?'.
    /// </summary>
    public static string AxisCodes(Affine affine) => ToAxisCodes(FromAffine(affine));

    /// <summary>The axis codes of an orientation (nibabel's ornt2axcodes); '?' for an unknown axis.</summary>
    public static string ToAxisCodes(AxisOrientation orientation)
    {
        Span<char> codes = stackalloc char[3];
        for (int i = 0; i < 3; i++)
        {
            var row = orientation[i];
            codes[i] = !row.IsKnown ? '?' : row.Flip < 0 ? Labels[row.Axis].Negative : Labels[row.Axis].Positive;
        }

        return new string(codes);
    }

    /// <summary>
    /// The orientation that axis codes describe (nibabel's axcodes2ornt with the default RAS labels).
    /// Letters are case-insensitive; each world axis must appear exactly once.
    /// </summary>
    /// <exception cref="ArgumentException">The codes are not three distinct axis letters (e.g. "RAS", "LPI").</exception>
    public static AxisOrientation FromAxisCodes(string codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.Length != 3)
        {
            throw new ArgumentException($"Axis codes must be three letters such as RAS or LPS, got '{codes}'.", nameof(codes));
        }

        Span<AxisMapping> rows = stackalloc AxisMapping[3];
        int seen = 0;
        for (int i = 0; i < 3; i++)
        {
            char c = char.ToUpperInvariant(codes[i]);
            int axis = Array.FindIndex(Labels, l => l.Negative == c || l.Positive == c);
            if (axis < 0 || (seen & (1 << axis)) != 0)
            {
                throw new ArgumentException(
                    $"Axis codes must name each of the axes L/R, P/A, I/S exactly once, got '{codes}'.", nameof(codes));
            }

            seen |= 1 << axis;
            rows[i] = new AxisMapping(axis, c == Labels[axis].Negative ? -1 : 1);
        }

        return AxisOrientation.FromRows(rows);
    }

    /// <summary>
    /// The transform that takes an array in orientation <paramref name="start"/> to orientation
    /// <paramref name="end"/> (nibabel's ornt_transform).
    /// </summary>
    /// <exception cref="ArgumentException">An orientation is incomplete, or they do not share world axes.</exception>
    public static AxisOrientation Transform(AxisOrientation start, AxisOrientation end)
    {
        RequireComplete(start, nameof(start));
        RequireComplete(end, nameof(end));
        Span<AxisMapping> result = stackalloc AxisMapping[3];
        for (int endIn = 0; endIn < 3; endIn++)
        {
            var e = end[endIn];
            for (int startIn = 0; startIn < 3; startIn++)
            {
                var s = start[startIn];
                if (s.Axis == e.Axis)
                {
                    result[startIn] = new AxisMapping(endIn, s.Flip == e.Flip ? 1 : -1);
                    break;
                }
            }
        }

        return AxisOrientation.FromRows(result);
    }

    /// <summary>The transform that undoes <paramref name="transform"/>: output axis o goes back to input axis i, same flip.</summary>
    public static AxisOrientation Inverse(AxisOrientation transform)
    {
        RequireComplete(transform, nameof(transform));
        Span<AxisMapping> rows = stackalloc AxisMapping[3];
        for (int i = 0; i < 3; i++)
        {
            rows[transform[i].Axis] = new AxisMapping(i, transform[i].Flip);
        }

        return AxisOrientation.FromRows(rows);
    }

    /// <summary>
    /// The voxel-to-voxel affine that maps indices of the transformed array back to indices of the array
    /// of <paramref name="shape"/> before the transform (nibabel's inv_ornt_aff). Right-multiplying a
    /// volume's affine by it gives the affine of the transformed volume.
    /// </summary>
    public static Affine InverseTransformAffine(AxisOrientation transform, VolumeShape shape)
    {
        RequireComplete(transform, nameof(transform));
        Span<double> m = stackalloc double[16];
        // undo_flip · undo_reorder, where undo_reorder = eye(4)[[axes…, 3], :] and undo_flip
        // = diag(flips, 1) with the flip's centre shift in the last column.
        for (int row = 0; row < 3; row++)
        {
            var mapping = transform[row];
            double flip = mapping.Flip;
            m[(row * 4) + mapping.Axis] = flip;
            double centre = -(shape[row] - 1) / 2.0;
            m[(row * 4) + 3] = (flip * centre) - centre;
        }

        m[15] = 1;
        return new Affine(m);
    }

    private static void RequireComplete(AxisOrientation orientation, string name)
    {
        if (!orientation.IsComplete)
        {
            throw new ArgumentException(
                $"The orientation {orientation} does not map every axis to a distinct axis (a degenerate affine has no orientation).", name);
        }
    }

}
