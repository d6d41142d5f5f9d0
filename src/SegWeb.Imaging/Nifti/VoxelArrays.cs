using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SegWeb.Imaging.Compression;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Nifti;

/// <summary>Type-dispatched helpers for voxel arrays whose type is only known at run time (from a file header).</summary>
internal static class VoxelArrays
{
    public static Array Allocate(VoxelType type, long count) => type switch
    {
        VoxelType.UInt8 => new byte[count],
        VoxelType.Int8 => new sbyte[count],
        VoxelType.Int16 => new short[count],
        VoxelType.UInt16 => new ushort[count],
        VoxelType.Int32 => new int[count],
        VoxelType.UInt32 => new uint[count],
        VoxelType.Int64 => new long[count],
        VoxelType.UInt64 => new ulong[count],
        VoxelType.Float32 => new float[count],
        VoxelType.Float64 => new double[count],
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown voxel type."),
    };

    // Matches on the exact array type: the CLR lets sbyte[] pass as byte[] (and short[]/ushort[], ...),
    // so "data is byte[]" cannot tell them apart.
    public static Volume CreateVolume(Array data, VolumeShape shape, Affine affine, double slope, double intercept)
    {
        var t = data.GetType();
        if (t == typeof(byte[])) { return new Volume<byte>(shape, affine, (byte[])data, slope, intercept); }
        if (t == typeof(sbyte[])) { return new Volume<sbyte>(shape, affine, (sbyte[])data, slope, intercept); }
        if (t == typeof(short[])) { return new Volume<short>(shape, affine, (short[])data, slope, intercept); }
        if (t == typeof(ushort[])) { return new Volume<ushort>(shape, affine, (ushort[])data, slope, intercept); }
        if (t == typeof(int[])) { return new Volume<int>(shape, affine, (int[])data, slope, intercept); }
        if (t == typeof(uint[])) { return new Volume<uint>(shape, affine, (uint[])data, slope, intercept); }
        if (t == typeof(long[])) { return new Volume<long>(shape, affine, (long[])data, slope, intercept); }
        if (t == typeof(ulong[])) { return new Volume<ulong>(shape, affine, (ulong[])data, slope, intercept); }
        if (t == typeof(float[])) { return new Volume<float>(shape, affine, (float[])data, slope, intercept); }
        if (t == typeof(double[])) { return new Volume<double>(shape, affine, (double[])data, slope, intercept); }
        throw new ArgumentException($"{t.Name} is not a voxel array.", nameof(data));
    }

    /// <summary>Reverses the byte order of every element (big-endian files), in chunks so arrays over 2 GiB work.</summary>
    public static void ReverseEndianness(Array data, int elementSize, long byteLength)
    {
        if (elementSize == 1)
        {
            return;
        }

        const int Chunk = 1 << 24;
        for (long offset = 0; offset < byteLength; offset += Chunk)
        {
            var bytes = ParallelGzipWriter.BytesOf(data, offset, (int)Math.Min(Chunk, byteLength - offset));
            switch (elementSize)
            {
                case 2:
                    var s = MemoryMarshal.Cast<byte, ushort>(bytes);
                    BinaryPrimitives.ReverseEndianness(s, s);
                    break;
                case 4:
                    var i = MemoryMarshal.Cast<byte, uint>(bytes);
                    BinaryPrimitives.ReverseEndianness(i, i);
                    break;
                default:
                    var l = MemoryMarshal.Cast<byte, ulong>(bytes);
                    BinaryPrimitives.ReverseEndianness(l, l);
                    break;
            }
        }
    }
}
