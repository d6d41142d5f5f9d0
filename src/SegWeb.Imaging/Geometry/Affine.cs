using System.Globalization;
using System.Text;

namespace SegWeb.Imaging.Geometry;

/// <summary>
/// An immutable 4×4 homogeneous transform, stored row-major. For a <see cref="Volumes.Volume"/> it maps
/// voxel indices (i, j, k) to world millimetres in RAS+ as nibabel uses it: +x toward the patient's Right,
/// +y toward Anterior, +z toward Superior. DICOM's LPS+ differs by the sign of x and y.
/// </summary>
public sealed class Affine : IEquatable<Affine>
{
    private readonly double[] _m; // row-major, 16 values

    public Affine(ReadOnlySpan<double> rowMajor16)
    {
        if (rowMajor16.Length != 16)
        {
            throw new ArgumentException("An affine needs 16 values (4×4, row-major).", nameof(rowMajor16));
        }

        _m = rowMajor16.ToArray();
    }

    public static Affine Identity { get; } = new([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

    /// <summary>A diagonal affine with the given spacing and origin (the simplest RAS+ grid).</summary>
    public static Affine FromSpacing(double sx, double sy, double sz, double ox = 0, double oy = 0, double oz = 0) =>
        new([sx, 0, 0, ox, 0, sy, 0, oy, 0, 0, sz, oz, 0, 0, 0, 1]);

    /// <summary>Element at row <paramref name="row"/> and column <paramref name="col"/>.</summary>
    public double this[int row, int col] => _m[(row * 4) + col];

    /// <summary>A copy of the 16 values, row-major.</summary>
    public double[] ToArray() => (double[])_m.Clone();

    /// <summary>Voxel size along each voxel axis: the norms of the first three columns (as nibabel's zooms from an affine).</summary>
    public (double X, double Y, double Z) Spacing => (ColumnNorm(0), ColumnNorm(1), ColumnNorm(2));

    /// <summary>World position of voxel (0, 0, 0).</summary>
    public (double X, double Y, double Z) Origin => (_m[3], _m[7], _m[11]);

    public double ColumnNorm(int col) =>
        Math.Sqrt((_m[col] * _m[col]) + (_m[4 + col] * _m[4 + col]) + (_m[8 + col] * _m[8 + col]));

    public (double X, double Y, double Z) Apply(double i, double j, double k) =>
        ((_m[0] * i) + (_m[1] * j) + (_m[2] * k) + _m[3],
         (_m[4] * i) + (_m[5] * j) + (_m[6] * k) + _m[7],
         (_m[8] * i) + (_m[9] * j) + (_m[10] * k) + _m[11]);

    /// <summary>this × other (apply <paramref name="other"/> first, then this).</summary>
    public Affine Multiply(Affine other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Span<double> r = stackalloc double[16];
        for (int row = 0; row < 4; row++)
        {
            for (int col = 0; col < 4; col++)
            {
                double s = 0;
                for (int k = 0; k < 4; k++)
                {
                    s += _m[(row * 4) + k] * other._m[(k * 4) + col];
                }

                r[(row * 4) + col] = s;
            }
        }

        return new Affine(r);
    }

    /// <summary>The inverse transform (Gauss–Jordan with partial pivoting).</summary>
    /// <exception cref="InvalidOperationException">The matrix is singular.</exception>
    public Affine Inverse()
    {
        var a = new double[4, 8];
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                a[r, c] = _m[(r * 4) + c];
            }

            a[r, 4 + r] = 1;
        }

        for (int col = 0; col < 4; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < 4; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }

            if (Math.Abs(a[pivot, col]) < 1e-300)
            {
                throw new InvalidOperationException("The affine is singular and has no inverse.");
            }

            if (pivot != col)
            {
                for (int c = 0; c < 8; c++)
                {
                    (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
                }
            }

            double d = a[col, col];
            for (int c = 0; c < 8; c++)
            {
                a[col, c] /= d;
            }

            for (int r = 0; r < 4; r++)
            {
                if (r == col || a[r, col] == 0)
                {
                    continue;
                }

                double f = a[r, col];
                for (int c = 0; c < 8; c++)
                {
                    a[r, c] -= f * a[col, c];
                }
            }
        }

        Span<double> inv = stackalloc double[16];
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                inv[(r * 4) + c] = a[r, 4 + c];
            }
        }

        return new Affine(inv);
    }

    /// <summary>Largest absolute element-wise difference to <paramref name="other"/>.</summary>
    public double MaxAbsDifference(Affine other)
    {
        ArgumentNullException.ThrowIfNull(other);
        double max = 0;
        for (int i = 0; i < 16; i++)
        {
            max = Math.Max(max, Math.Abs(_m[i] - other._m[i]));
        }

        return max;
    }

    public bool Equals(Affine? other) => other is not null && _m.AsSpan().SequenceEqual(other._m);

    public override bool Equals(object? obj) => Equals(obj as Affine);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (double v in _m)
        {
            h.Add(v);
        }

        return h.ToHashCode();
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        for (int r = 0; r < 4; r++)
        {
            sb.Append('[');
            for (int c = 0; c < 4; c++)
            {
                if (c > 0)
                {
                    sb.Append(", ");
                }

                sb.Append(_m[(r * 4) + c].ToString("0.######", CultureInfo.InvariantCulture));
            }

            sb.Append(']');
            if (r < 3)
            {
                sb.Append('\n');
            }
        }

        return sb.ToString();
    }
}
