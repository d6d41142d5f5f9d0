using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Testing;

/// <summary>
/// NumPy's .npy format (version 1.0), the neutral way tests pass arrays to and from the Python references
/// without going through SegWeb's own file formats. Volumes travel as shape (X, Y, Z) in Fortran order, so
/// <c>np.load(f)[x, y, z]</c> is SegWeb's voxel (x, y, z).
/// </summary>
public static partial class Npy
{
    public sealed record NpyArray(string Descr, int[] Shape, bool FortranOrder, byte[] Data);

    public static NpyArray Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
        {
            throw new InvalidDataException($"{path}: not a .npy file");
        }

        int major = bytes[6];
        int headerLen, headerStart;
        if (major == 1)
        {
            headerLen = BitConverter.ToUInt16(bytes, 8);
            headerStart = 10;
        }
        else
        {
            headerLen = (int)BitConverter.ToUInt32(bytes, 8);
            headerStart = 12;
        }

        var header = Encoding.ASCII.GetString(bytes, headerStart, headerLen);
        var descr = DescrRegex().Match(header).Groups[1].Value;
        bool fortran = header.Contains("'fortran_order': True", StringComparison.Ordinal);
        var shapeText = ShapeRegex().Match(header).Groups[1].Value;
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var data = bytes.AsSpan(headerStart + headerLen).ToArray();
        return new NpyArray(descr, shape, fortran, data);
    }

    /// <summary>Reads a 3D array as a volume of <typeparamref name="T"/> (its dtype must match) with the given affine.</summary>
    public static Volume<T> ReadVolume<T>(string path, Affine? affine = null)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        var a = Read(path);
        if (a.Shape.Length != 3)
        {
            throw new InvalidDataException($"{path}: expected a 3D array, got shape ({string.Join(",", a.Shape)})");
        }

        if (DescrOf<T>() != a.Descr && !(a.Descr == "|b1" && typeof(T) == typeof(byte)))
        {
            throw new InvalidDataException($"{path}: dtype {a.Descr}, expected {DescrOf<T>()}");
        }

        var shape = new VolumeShape(a.Shape[0], a.Shape[1], a.Shape[2]);
        var src = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(a.Data).ToArray();
        T[] data;
        if (a.FortranOrder)
        {
            data = src;
        }
        else
        {
            // C order: the last axis is fastest; transpose into X-fastest.
            data = new T[src.Length];
            int nx = shape.X, ny = shape.Y, nz = shape.Z;
            for (int x = 0; x < nx; x++)
            {
                for (int y = 0; y < ny; y++)
                {
                    for (int z = 0; z < nz; z++)
                    {
                        data[x + (nx * (y + (ny * z)))] = src[(((x * ny) + y) * nz) + z];
                    }
                }
            }
        }

        return new Volume<T>(shape, affine ?? Affine.Identity, data);
    }

    /// <summary>Writes a volume's stored voxels as a Fortran-order (X, Y, Z) array.</summary>
    public static void WriteVolume<T>(string path, Volume<T> volume)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        ArgumentNullException.ThrowIfNull(volume);
        Write(path, DescrOf<T>(), [volume.Shape.X, volume.Shape.Y, volume.Shape.Z], fortranOrder: true,
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(volume.Data.AsSpan()));
    }

    /// <summary>Writes any array (C order unless <paramref name="fortranOrder"/>).</summary>
    public static void Write<T>(string path, T[] values, int[] shape, bool fortranOrder = false)
        where T : unmanaged =>
        Write(path, DescrOf<T>(), shape, fortranOrder, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));

    public static void Write(string path, string descr, int[] shape, bool fortranOrder, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        var header = $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shapeText}, }}";
        int total = 10 + header.Length + 1;
        int pad = (64 - (total % 64)) % 64;
        header = header + new string(' ', pad) + "\n";
        using var fs = File.Create(path);
        fs.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        fs.Write(BitConverter.GetBytes((ushort)header.Length));
        fs.Write(Encoding.ASCII.GetBytes(header));
        fs.Write(data);
    }

    public static string DescrOf<T>()
        where T : unmanaged => typeof(T) switch
        {
            var t when t == typeof(byte) => "|u1",
            var t when t == typeof(sbyte) => "|i1",
            var t when t == typeof(short) => "<i2",
            var t when t == typeof(ushort) => "<u2",
            var t when t == typeof(int) => "<i4",
            var t when t == typeof(uint) => "<u4",
            var t when t == typeof(long) => "<i8",
            var t when t == typeof(ulong) => "<u8",
            var t when t == typeof(float) => "<f4",
            var t when t == typeof(double) => "<f8",
            _ => throw new NotSupportedException(typeof(T).Name),
        };

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}
