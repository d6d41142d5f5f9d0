using SegWeb.Imaging.Geometry;

namespace SegWeb.Imaging.Nifti;

/// <summary>
/// NIfTI geometry exactly as nibabel 5 computes it (verified against the installed nibabel and its source,
/// nifti1.py / quaternions.py / affines.py).
/// </summary>
/// <remarks>
/// Reading, <c>Nifti1Header.get_best_affine</c>: the sform when sform_code ≠ 0, else the qform when
/// qform_code ≠ 0, else the "base" affine diag(−pixdim1, pixdim2, pixdim3) centred on the middle voxel.
/// nibabel first "fixes" the header on load (check_fix), and those fixes change the affine, so they are
/// applied here too: pixdim[1..3] of 0 become 1 and negative ones their absolute value; a qfac
/// (pixdim[0]) other than ±1 becomes 1; a qform/sform code outside 0..5 becomes 0.
/// The qform is R·diag(pixdim1, pixdim2, qfac·pixdim3) plus qoffset, R from the unit quaternion whose
/// w = sqrt(1 − b² − c² − d²); a slightly negative 1 − b² − c² − d² (above −3·eps of the stored float
/// type) means w = 0, a more negative one is an error.
/// Writing, <c>set_qform</c>: zooms are the affine's column norms, qfac = −1 when the rotation part has a
/// negative determinant (then its third column is negated), shears are stripped by taking the closest
/// orthogonal matrix (polar decomposition), and that rotation becomes the quaternion with w ≥ 0.
/// </remarks>
public static class NiftiAffine
{
    /// <summary>The affine nibabel's <c>get_best_affine</c> gives for this header (sform, then qform, then base).</summary>
    /// <exception cref="FormatException">The qform is used and its quaternion is not a unit quaternion.</exception>
    public static Affine BestAffine(NiftiHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (EffectiveCode(header.SformCode) != 0)
        {
            return SformAffine(header);
        }

        if (EffectiveCode(header.QformCode) != 0)
        {
            return QformAffine(header);
        }

        return BaseAffine(header);
    }

    /// <summary>The transform code as nibabel sees it after loading (codes outside 0..5 are reset to 0).</summary>
    public static int EffectiveCode(int code) => code is >= 0 and <= 5 ? code : 0;

    /// <summary>The sform matrix (srow_x/y/z) as an affine, whatever its code.</summary>
    public static Affine SformAffine(NiftiHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var x = header.SrowX;
        var y = header.SrowY;
        var z = header.SrowZ;
        return new Affine([x[0], x[1], x[2], x[3], y[0], y[1], y[2], y[3], z[0], z[1], z[2], z[3], 0, 0, 0, 1]);
    }

    /// <summary>The qform (quaternion, pixdim, qfac, qoffset) as an affine, whatever its code.</summary>
    /// <exception cref="FormatException">b² + c² + d² exceeds 1 by more than rounding.</exception>
    public static Affine QformAffine(NiftiHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        double b = header.QuaternB, c = header.QuaternC, d = header.QuaternD;
        double w2 = 1.0 - ((b * b) + (c * c) + (d * d));
        double threshold = -3 * (header.Version == NiftiVersion.Nifti1 ? 1.1920928955078125e-07 : 2.220446049250313e-16);
        double w;
        if (w2 < 0)
        {
            if (w2 < threshold || double.IsNaN(w2))
            {
                throw new FormatException($"qform quaternion (b={b}, c={c}, d={d}) is not a unit quaternion");
            }

            w = 0;
        }
        else if (double.IsNaN(w2))
        {
            throw new FormatException($"qform quaternion (b={b}, c={c}, d={d}) is not finite");
        }
        else
        {
            w = Math.Sqrt(w2);
        }

        Span<double> r = stackalloc double[9];
        QuaternionToMatrix(w, b, c, d, r);
        var (px, py, pz) = EffectiveZooms(header);
        double qfac = EffectiveQfac(header);
        double[] zoom = [px, py, pz * qfac];
        return new Affine(
        [
            r[0] * zoom[0], r[1] * zoom[1], r[2] * zoom[2], header.QoffsetX,
            r[3] * zoom[0], r[4] * zoom[1], r[5] * zoom[2], header.QoffsetY,
            r[6] * zoom[0], r[7] * zoom[1], r[8] * zoom[2], header.QoffsetZ,
            0, 0, 0, 1,
        ]);
    }

    /// <summary>nibabel's base affine: diag(−zx, zy, zz) with the centre voxel at the origin.</summary>
    public static Affine BaseAffine(NiftiHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var (px, py, pz) = EffectiveZooms(header);
        int rank = Math.Clamp(header.Rank, 0, 7);
        double[] zooms = [rank >= 1 ? px : 1, rank >= 2 ? py : 1, rank >= 3 ? pz : 1];
        zooms[0] = -zooms[0];
        var m = new double[16];
        for (int i = 0; i < 3; i++)
        {
            double origin = (header.SizeOf(i) - 1) / 2.0;
            m[(i * 4) + i] = zooms[i];
            m[(i * 4) + 3] = -origin * zooms[i];
        }

        m[15] = 1;
        return new Affine(m);
    }

    /// <summary>pixdim[1..3] after nibabel's load-time fix (0 → 1, negative → absolute value).</summary>
    public static (double X, double Y, double Z) EffectiveZooms(NiftiHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        static double Fix(double v) => v == 0 ? 1 : Math.Abs(v);
        return (Fix(header.Pixdim[1]), Fix(header.Pixdim[2]), Fix(header.Pixdim[3]));
    }

    /// <summary>qfac (pixdim[0]) after nibabel's load-time fix: anything but ±1 becomes 1.</summary>
    public static double EffectiveQfac(NiftiHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        double q = header.Pixdim[0];
        return q is 1 or -1 ? q : 1;
    }

    /// <summary>
    /// Writes <paramref name="affine"/> into the qform parameters (quaternion, qoffset, pixdim[0] = qfac,
    /// pixdim[1..3] = zooms) as nibabel's <c>set_qform</c> does; shears are stripped. Codes are not touched.
    /// </summary>
    /// <exception cref="ArgumentException">The affine's 3×3 part is singular or not finite.</exception>
    public static void SetQformParameters(NiftiHeader header, Affine affine)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(affine);
        var zooms = new double[3];
        var rot = new double[9];
        for (int col = 0; col < 3; col++)
        {
            zooms[col] = affine.ColumnNorm(col);
            if (!(zooms[col] > 0) || !double.IsFinite(zooms[col]))
            {
                throw new ArgumentException($"The affine's column {col} has norm {zooms[col]}; a NIfTI qform needs a non-singular, finite affine.", nameof(affine));
            }

            for (int row = 0; row < 3; row++)
            {
                rot[(row * 3) + col] = affine[row, col] / zooms[col];
            }
        }

        double qfac = 1;
        if (Det3(rot) <= 0)
        {
            qfac = -1;
            rot[2] = -rot[2];
            rot[5] = -rot[5];
            rot[8] = -rot[8];
        }

        var orthogonal = ClosestOrthogonal(rot);
        var (w, x, y, z) = MatrixToQuaternion(orthogonal);
        if (w < 0)
        {
            (w, x, y, z) = (-w, -x, -y, -z);
        }

        header.QuaternB = x;
        header.QuaternC = y;
        header.QuaternD = z;
        header.QoffsetX = affine[0, 3];
        header.QoffsetY = affine[1, 3];
        header.QoffsetZ = affine[2, 3];
        header.SetPixdim(0, qfac);
        header.SetPixdim(1, zooms[0]);
        header.SetPixdim(2, zooms[1]);
        header.SetPixdim(3, zooms[2]);
    }

    /// <summary>Writes <paramref name="affine"/> into srow_x/y/z. Codes are not touched.</summary>
    public static void SetSformParameters(NiftiHeader header, Affine affine)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(affine);
        header.SrowX = [affine[0, 0], affine[0, 1], affine[0, 2], affine[0, 3]];
        header.SrowY = [affine[1, 0], affine[1, 1], affine[1, 2], affine[1, 3]];
        header.SrowZ = [affine[2, 0], affine[2, 1], affine[2, 2], affine[2, 3]];
    }

    // Same expansion as nibabel's quat2mat (normalises by the quaternion's squared norm).
    private static void QuaternionToMatrix(double w, double x, double y, double z, Span<double> m)
    {
        double n = (w * w) + (x * x) + (y * y) + (z * z);
        if (n < 2.220446049250313e-16)
        {
            m.Clear();
            m[0] = m[4] = m[8] = 1;
            return;
        }

        double s = 2.0 / n;
        double xs = x * s, ys = y * s, zs = z * s;
        double wx = w * xs, wy = w * ys, wz = w * zs;
        double xx = x * xs, xy = x * ys, xz = x * zs;
        double yy = y * ys, yz = y * zs, zz = z * zs;
        m[0] = 1.0 - (yy + zz);
        m[1] = xy - wz;
        m[2] = xz + wy;
        m[3] = xy + wz;
        m[4] = 1.0 - (xx + zz);
        m[5] = yz - wx;
        m[6] = xz - wy;
        m[7] = yz + wx;
        m[8] = 1.0 - (xx + yy);
    }

    // Shepperd's method: numerically stable for any rotation; picks the largest of w, x, y, z to divide by.
    private static (double W, double X, double Y, double Z) MatrixToQuaternion(double[] m)
    {
        double trace = m[0] + m[4] + m[8];
        double w, x, y, z;
        if (trace > 0)
        {
            double s = Math.Sqrt(trace + 1.0) * 2;
            w = 0.25 * s;
            x = (m[7] - m[5]) / s;
            y = (m[2] - m[6]) / s;
            z = (m[3] - m[1]) / s;
        }
        else if (m[0] > m[4] && m[0] > m[8])
        {
            double s = Math.Sqrt(1.0 + m[0] - m[4] - m[8]) * 2;
            w = (m[7] - m[5]) / s;
            x = 0.25 * s;
            y = (m[1] + m[3]) / s;
            z = (m[2] + m[6]) / s;
        }
        else if (m[4] > m[8])
        {
            double s = Math.Sqrt(1.0 + m[4] - m[0] - m[8]) * 2;
            w = (m[2] - m[6]) / s;
            x = (m[1] + m[3]) / s;
            y = 0.25 * s;
            z = (m[5] + m[7]) / s;
        }
        else
        {
            double s = Math.Sqrt(1.0 + m[8] - m[0] - m[4]) * 2;
            w = (m[3] - m[1]) / s;
            x = (m[2] + m[6]) / s;
            y = (m[5] + m[7]) / s;
            z = 0.25 * s;
        }

        double norm = Math.Sqrt((w * w) + (x * x) + (y * y) + (z * z));
        return (w / norm, x / norm, y / norm, z / norm);
    }

    // The orthogonal polar factor (what nibabel gets as P·Qᵀ from the SVD), by Newton's iteration
    // X ← (X + X⁻ᵀ)/2, which converges quadratically for a non-singular matrix.
    private static double[] ClosestOrthogonal(double[] r)
    {
        var x = (double[])r.Clone();
        for (int iter = 0; iter < 100; iter++)
        {
            var invT = InverseTranspose3(x);
            double change = 0;
            for (int i = 0; i < 9; i++)
            {
                double next = 0.5 * (x[i] + invT[i]);
                change = Math.Max(change, Math.Abs(next - x[i]));
                x[i] = next;
            }

            if (change < 1e-15)
            {
                break;
            }
        }

        return x;
    }

    private static double Det3(double[] m) =>
        (m[0] * ((m[4] * m[8]) - (m[5] * m[7]))) - (m[1] * ((m[3] * m[8]) - (m[5] * m[6]))) + (m[2] * ((m[3] * m[7]) - (m[4] * m[6])));

    private static double[] InverseTranspose3(double[] m)
    {
        double det = Det3(m);
        if (Math.Abs(det) < 1e-300)
        {
            throw new ArgumentException("The affine's rotation part is singular; a NIfTI qform cannot represent it.");
        }

        // The inverse's transpose is the cofactor matrix divided by the determinant.
        return
        [
            ((m[4] * m[8]) - (m[5] * m[7])) / det, -((m[3] * m[8]) - (m[5] * m[6])) / det, ((m[3] * m[7]) - (m[4] * m[6])) / det,
            -((m[1] * m[8]) - (m[2] * m[7])) / det, ((m[0] * m[8]) - (m[2] * m[6])) / det, -((m[0] * m[7]) - (m[1] * m[6])) / det,
            ((m[1] * m[5]) - (m[2] * m[4])) / det, -((m[0] * m[5]) - (m[2] * m[3])) / det, ((m[0] * m[4]) - (m[1] * m[3])) / det,
        ];
    }
}
