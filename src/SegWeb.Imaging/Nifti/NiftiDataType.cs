using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Nifti;

/// <summary>NIfTI datatype codes (nifti1.h); the ones without a <see cref="VoxelType"/> are refused on read.</summary>
public enum NiftiDataType : short
{
    Binary = 1,
    UInt8 = 2,
    Int16 = 4,
    Int32 = 8,
    Float32 = 16,
    Complex64 = 32,
    Float64 = 64,
    Rgb24 = 128,
    Int8 = 256,
    UInt16 = 512,
    UInt32 = 768,
    Int64 = 1024,
    UInt64 = 1280,
    Float128 = 1536,
    Complex128 = 1792,
    Complex256 = 2048,
    Rgba32 = 2304,
}

/// <summary>Mapping between NIfTI datatype codes and SegWeb voxel types.</summary>
public static class NiftiDataTypes
{
    /// <summary>The voxel type for a datatype code, or null when SegWeb cannot hold it (RGB, complex, float128, binary, unknown).</summary>
    public static VoxelType? ToVoxelType(short datatype) => (NiftiDataType)datatype switch
    {
        NiftiDataType.UInt8 => VoxelType.UInt8,
        NiftiDataType.Int8 => VoxelType.Int8,
        NiftiDataType.Int16 => VoxelType.Int16,
        NiftiDataType.UInt16 => VoxelType.UInt16,
        NiftiDataType.Int32 => VoxelType.Int32,
        NiftiDataType.UInt32 => VoxelType.UInt32,
        NiftiDataType.Int64 => VoxelType.Int64,
        NiftiDataType.UInt64 => VoxelType.UInt64,
        NiftiDataType.Float32 => VoxelType.Float32,
        NiftiDataType.Float64 => VoxelType.Float64,
        _ => null,
    };

    /// <summary>The datatype code for a voxel type.</summary>
    public static NiftiDataType FromVoxelType(VoxelType type) => type switch
    {
        VoxelType.UInt8 => NiftiDataType.UInt8,
        VoxelType.Int8 => NiftiDataType.Int8,
        VoxelType.Int16 => NiftiDataType.Int16,
        VoxelType.UInt16 => NiftiDataType.UInt16,
        VoxelType.Int32 => NiftiDataType.Int32,
        VoxelType.UInt32 => NiftiDataType.UInt32,
        VoxelType.Int64 => NiftiDataType.Int64,
        VoxelType.UInt64 => NiftiDataType.UInt64,
        VoxelType.Float32 => NiftiDataType.Float32,
        VoxelType.Float64 => NiftiDataType.Float64,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown voxel type."),
    };

    /// <summary>A readable name for any datatype code, known or not (for error messages).</summary>
    public static string Describe(short datatype) =>
        Enum.IsDefined((NiftiDataType)datatype) ? $"{(NiftiDataType)datatype} (code {datatype})" : $"unknown datatype code {datatype}";
}
