namespace SegWeb.Imaging.Volumes;

/// <summary>The element type a volume stores its voxels in. Volumes keep the type the file had (no float copies).</summary>
public enum VoxelType
{
    UInt8,
    Int8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float32,
    Float64,
}

public static class VoxelTypes
{
    public static int SizeInBytes(this VoxelType type) => type switch
    {
        VoxelType.UInt8 or VoxelType.Int8 => 1,
        VoxelType.Int16 or VoxelType.UInt16 => 2,
        VoxelType.Int32 or VoxelType.UInt32 or VoxelType.Float32 => 4,
        VoxelType.Int64 or VoxelType.UInt64 or VoxelType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown voxel type."),
    };

    public static bool IsFloatingPoint(this VoxelType type) => type is VoxelType.Float32 or VoxelType.Float64;

    /// <summary>The <see cref="VoxelType"/> of a CLR element type.</summary>
    public static VoxelType Of<T>()
        where T : unmanaged => typeof(T) switch
        {
            var t when t == typeof(byte) => VoxelType.UInt8,
            var t when t == typeof(sbyte) => VoxelType.Int8,
            var t when t == typeof(short) => VoxelType.Int16,
            var t when t == typeof(ushort) => VoxelType.UInt16,
            var t when t == typeof(int) => VoxelType.Int32,
            var t when t == typeof(uint) => VoxelType.UInt32,
            var t when t == typeof(long) => VoxelType.Int64,
            var t when t == typeof(ulong) => VoxelType.UInt64,
            var t when t == typeof(float) => VoxelType.Float32,
            var t when t == typeof(double) => VoxelType.Float64,
            _ => throw new NotSupportedException($"{typeof(T).Name} is not a voxel type."),
        };

    /// <summary>The CLR element type of a <see cref="VoxelType"/>.</summary>
    public static Type ClrType(this VoxelType type) => type switch
    {
        VoxelType.UInt8 => typeof(byte),
        VoxelType.Int8 => typeof(sbyte),
        VoxelType.Int16 => typeof(short),
        VoxelType.UInt16 => typeof(ushort),
        VoxelType.Int32 => typeof(int),
        VoxelType.UInt32 => typeof(uint),
        VoxelType.Int64 => typeof(long),
        VoxelType.UInt64 => typeof(ulong),
        VoxelType.Float32 => typeof(float),
        VoxelType.Float64 => typeof(double),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown voxel type."),
    };
}
