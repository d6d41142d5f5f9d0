using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Nifti;

/// <summary>What a validated header says about its voxel payload.</summary>
internal sealed record NiftiVolumeLayout(VoxelType Type, VolumeShape Shape, long DataBytes, Affine Affine, double Slope, double Intercept);

/// <summary>
/// Never trust the header: every check that keeps a hostile or broken file from reaching an allocation, an
/// index or an affine. Problems come back as one-line texts for <see cref="ImageFormatException"/>.
/// </summary>
internal static class NiftiHeaderValidator
{
    /// <summary>The header's own size plus the 4-byte extension flag: the lowest valid vox_offset of a single-file NIfTI.</summary>
    public static int MinimumVoxOffset(NiftiVersion version) => (version == NiftiVersion.Nifti1 ? NiftiHeaderCodec.Nifti1Size : NiftiHeaderCodec.Nifti2Size) + 4;

    /// <summary>Checks that hold for any NIfTI SegWeb reads, header-only included (any rank, any datatype).</summary>
    public static string? CheckStructure(NiftiHeader h, NiftiReadOptions options)
    {
        long rank = h.Dim[0];
        if (rank is < 1 or > 7)
        {
            return $"dim[0] = {rank} is not a valid number of dimensions (1..7)";
        }

        for (int i = 1; i <= rank; i++)
        {
            if (h.Dim[i] is < 1 or > int.MaxValue)
            {
                return $"dim[{i}] = {h.Dim[i]} is not a valid size (1..{int.MaxValue})";
            }
        }

        int min = MinimumVoxOffset(h.Version);
        if (h.VoxOffset < min)
        {
            return h.VoxOffset < 0
                ? "vox_offset is not a valid byte offset (negative, fractional or not finite)"
                : $"vox_offset = {h.VoxOffset} is too small for a single-file NIfTI-{(int)h.Version} (at least {min})";
        }

        if (h.VoxOffset - min > options.MaxExtensionBytes)
        {
            return $"vox_offset = {h.VoxOffset} leaves {h.VoxOffset - min} bytes of header extensions, above the limit of {options.MaxExtensionBytes} (NiftiReadOptions.MaxExtensionBytes)";
        }

        return null;
    }

    /// <summary>Checks for reading the voxels into a 3D <see cref="Volume"/>; on success, the layout.</summary>
    public static (NiftiVolumeLayout? Layout, string? Problem) CheckVolume(NiftiHeader h, NiftiReadOptions options)
    {
        for (int i = 4; i <= h.Rank; i++)
        {
            if (h.Dim[i] > 1)
            {
                return (null, $"{i}D images are not supported (dim[{i}]={h.Dim[i]})");
            }
        }

        if (h.VoxelType is not VoxelType type)
        {
            return (null, $"datatype {NiftiDataTypes.Describe(h.Datatype)} is not supported (SegWeb reads scalar integer and real voxels, not RGB, complex or float128)");
        }

        int expectedBitpix = type.SizeInBytes() * 8;
        if (h.Bitpix != expectedBitpix)
        {
            return (null, $"bitpix = {h.Bitpix} does not match datatype {NiftiDataTypes.Describe(h.Datatype)} ({expectedBitpix} bits)");
        }

        var shape = new VolumeShape((int)h.SizeOf(0), (int)h.SizeOf(1), (int)h.SizeOf(2));

        // Each axis is below 2^31, so the product can overflow a long: count in 128 bits.
        Int128 count = (Int128)shape.X * shape.Y * shape.Z;
        Int128 bytes = count * type.SizeInBytes();
        if (bytes > options.MaxVoxelBytes)
        {
            return (null, $"header claims {bytes} bytes of voxel data ({shape} {type}), above the limit of {options.MaxVoxelBytes} bytes (NiftiReadOptions.MaxVoxelBytes)");
        }

        if (count > Array.MaxLength || (long)shape.X * shape.Y > int.MaxValue)
        {
            return (null, $"{shape} voxels is more than one array can hold ({Array.MaxLength} voxels, {int.MaxValue} per slice)");
        }

        // nibabel: slope 0 or not finite means "no scaling"; a valid slope with a non-finite intercept is an error.
        double slope = h.SclSlope, inter = h.SclInter;
        if (slope == 0 || !double.IsFinite(slope))
        {
            (slope, inter) = (1, 0);
        }
        else if (!double.IsFinite(inter))
        {
            return (null, $"valid scl_slope {slope} but invalid scl_inter {inter}");
        }

        Affine affine;
        try
        {
            affine = NiftiAffine.BestAffine(h);
        }
        catch (FormatException e)
        {
            return (null, e.Message);
        }

        var m = affine.ToArray();
        if (!Array.TrueForAll(m, double.IsFinite))
        {
            return (null, $"the affine (from the {(NiftiAffine.EffectiveCode(h.SformCode) != 0 ? "sform" : NiftiAffine.EffectiveCode(h.QformCode) != 0 ? "qform" : "pixdim")}) has non-finite values");
        }

        return (new NiftiVolumeLayout(type, shape, (long)bytes, affine, slope, inter), null);
    }
}
