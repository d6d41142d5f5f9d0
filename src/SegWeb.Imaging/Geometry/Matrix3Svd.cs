namespace SegWeb.Imaging.Geometry;

/// <summary>
/// Singular value decomposition of a 3×3 matrix by one-sided Jacobi rotations (Hestenes). Used to find the
/// orthogonal part of an affine's rotation-zoom-shear block the way nibabel's io_orientation does with
/// numpy's SVD. One-sided Jacobi keeps small singular values accurate, which matters for the rank test.
/// </summary>
internal static class Matrix3Svd
{
    /// <summary>
    /// Decomposes <paramref name="a"/> (row-major 3×3) as U·diag(s)·Vᵀ. Returns U (row-major, columns are left
    /// singular vectors; a column is zero where s is zero), s, and V (row-major, columns are right singular vectors).
    /// </summary>
    public static (double[] U, double[] S, double[] V) Decompose(ReadOnlySpan<double> a)
    {
        var w = a.ToArray(); // columns get orthogonalised in place: W = A·V
        var v = new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
        for (int sweep = 0; sweep < 60; sweep++)
        {
            bool rotated = false;
            for (int p = 0; p < 2; p++)
            {
                for (int q = p + 1; q < 3; q++)
                {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int i = 0; i < 3; i++)
                    {
                        alpha += w[(i * 3) + p] * w[(i * 3) + p];
                        beta += w[(i * 3) + q] * w[(i * 3) + q];
                        gamma += w[(i * 3) + p] * w[(i * 3) + q];
                    }

                    if (gamma == 0 || Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta))
                    {
                        continue;
                    }

                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.Sign(zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + (zeta * zeta)));
                    if (zeta == 0)
                    {
                        t = 1;
                    }

                    double c = 1 / Math.Sqrt(1 + (t * t));
                    double s = c * t;
                    Rotate(w, p, q, c, s);
                    Rotate(v, p, q, c, s);
                }
            }

            if (!rotated)
            {
                break;
            }
        }

        var sv = new double[3];
        var u = new double[9];
        for (int j = 0; j < 3; j++)
        {
            double norm = Math.Sqrt((w[j] * w[j]) + (w[3 + j] * w[3 + j]) + (w[6 + j] * w[6 + j]));
            sv[j] = norm;
            for (int i = 0; i < 3; i++)
            {
                u[(i * 3) + j] = norm > 0 ? w[(i * 3) + j] / norm : 0;
            }
        }

        return (u, sv, v);
    }

    private static void Rotate(double[] m, int p, int q, double c, double s)
    {
        for (int i = 0; i < 3; i++)
        {
            double mp = m[(i * 3) + p], mq = m[(i * 3) + q];
            m[(i * 3) + p] = (c * mp) - (s * mq);
            m[(i * 3) + q] = (s * mp) + (c * mq);
        }
    }
}
