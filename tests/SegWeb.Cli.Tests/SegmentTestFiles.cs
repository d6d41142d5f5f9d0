using System.Buffers.Binary;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Cli.Tests;

/// <summary>Scans made inside the tests for `segweb segment`: small, odd or hostile NIfTI files.</summary>
internal static class SegmentTestFiles
{
    // NIfTI-1 header offsets (nifti1.h).
    private const int DimOffset = 40;
    private const int PixdimOffset = 76;
    private const int SrowXOffset = 280;

    /// <summary>An uncompressed NIfTI-1 int16 volume of the given shape and spacing, voxels from <paramref name="value"/>.</summary>
    public static string Write(string path, VolumeShape shape, (double X, double Y, double Z) spacing, Func<int, int, int, short> value)
    {
        var data = new short[shape.VoxelCount];
        for (int z = 0; z < shape.Z; z++)
        {
            for (int y = 0; y < shape.Y; y++)
            {
                for (int x = 0; x < shape.X; x++)
                {
                    data[shape.IndexOf(x, y, z)] = value(x, y, z);
                }
            }
        }

        NiftiWriter.Write(path, new Volume<short>(shape, Affine.FromSpacing(spacing.X, spacing.Y, spacing.Z), data));
        return path;
    }

    /// <summary>A crop of a real scan (so the model sees anatomy), written as a new file with the scan's affine origin moved accordingly.</summary>
    public static string Crop(string source, string path, int x0, int y0, int z0, VolumeShape shape)
    {
        var image = NiftiReader.Read(source).Volume;
        var a = image.Affine;
        var origin = new double[3];
        for (int r = 0; r < 3; r++)
        {
            origin[r] = a[r, 3] + (a[r, 0] * x0) + (a[r, 1] * y0) + (a[r, 2] * z0);
        }

        var m = a.ToArray();
        (m[3], m[7], m[11]) = (origin[0], origin[1], origin[2]);
        var data = new short[shape.VoxelCount];
        for (int z = 0; z < shape.Z; z++)
        {
            for (int y = 0; y < shape.Y; y++)
            {
                for (int x = 0; x < shape.X; x++)
                {
                    data[shape.IndexOf(x, y, z)] = (short)image.GetValue(image.Shape.IndexOf(x0 + x, y0 + y, z0 + z));
                }
            }
        }

        NiftiWriter.Write(path, new Volume<short>(shape, new Affine(m), data));
        return path;
    }

    /// <summary>Rewrites header fields of an uncompressed NIfTI-1 file in place: dim[0..7] (null keeps a value).</summary>
    public static void PatchDims(string path, params short?[] dims)
    {
        var bytes = File.ReadAllBytes(path);
        RequireNifti1(path, bytes);
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] is short d)
            {
                BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(DimOffset + (2 * i)), d);
            }
        }

        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Sets the x voxel size to <paramref name="size"/> in both pixdim[1] and the sform's first column.</summary>
    public static void PatchXSpacing(string path, float size)
    {
        var bytes = File.ReadAllBytes(path);
        RequireNifti1(path, bytes);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(PixdimOffset + 4), size);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(SrowXOffset), size);
        File.WriteAllBytes(path, bytes);
    }

    private static void RequireNifti1(string path, byte[] bytes)
    {
        if (bytes.Length < 352 || BinaryPrimitives.ReadInt32LittleEndian(bytes) != 348)
        {
            throw new InvalidOperationException($"{path}: the test expects an uncompressed little-endian NIfTI-1 file");
        }
    }
}
