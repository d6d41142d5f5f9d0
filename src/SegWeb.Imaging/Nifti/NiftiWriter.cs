using SegWeb.Imaging.IO;
using System.Buffers.Binary;
using SegWeb.Imaging.Compression;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Nifti;

/// <summary>
/// Writes a 3D volume as a single-file NIfTI (.nii, or .nii.gz when the path ends in ".gz", compressed on
/// several cores). The file appears complete or not at all: it is written beside the target under a
/// temporary name and moved into place.
/// </summary>
/// <remarks>
/// Geometry follows nibabel. Without a template, like a new <c>Nifti1Image(data, affine)</c>: the sform is
/// the affine with code 2 (aligned); the qform parameters are filled from the affine (shears stripped)
/// but its code is 0. With a template, its codes are kept (codes outside 0..5 count as 0), both sform and
/// qform parameters take the volume's affine, and the sform code becomes 2 only when otherwise the file
/// would not reproduce the affine (template sform code 0 and no qform, or a qform that cannot carry the
/// affine's shears). Everything else of the template is kept: descrip, units, intent, cal, slice and time
/// fields, pixdim[4..7], extensions.
/// </remarks>
public static class NiftiWriter
{
    /// <summary>Writes <paramref name="volume"/> to <paramref name="path"/>, keeping the template's non-geometric fields and extensions.</summary>
    public static void Write(string path, Volume volume, NiftiHeader? template = null) => Write(path, volume, template, NiftiWriteOptions.Default);

    /// <summary>Writes with explicit options (version, compression level, threads).</summary>
    /// <exception cref="ArgumentException">The affine cannot be stored (singular or non-finite), or the volume is too large for the requested version.</exception>
    /// <exception cref="IOException">The file could not be written; no partial file is left.</exception>
    public static void Write(string path, Volume volume, NiftiHeader? template, NiftiWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(options);
        var header = BuildHeader(volume, template, options);
        var prefix = SerializeWithExtensions(header);
        long dataBytes = volume.Shape.VoxelCount * volume.VoxelType.SizeInBytes();
        bool gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

        AtomicFile.Write(path, file =>
        {
            if (gzip)
            {
                ParallelGzipWriter.Write(file, prefix, volume.RawData, dataBytes, options.CompressionLevel, options.BlockSize, options.MaxDegreeOfParallelism);
            }
            else
            {
                file.Write(prefix);
                const int Chunk = 1 << 24;
                for (long offset = 0; offset < dataBytes; offset += Chunk)
                {
                    file.Write(ParallelGzipWriter.BytesOf(volume.RawData, offset, (int)Math.Min(Chunk, dataBytes - offset)));
                }
            }
        }, bufferSize: 1 << 20);
    }

    /// <summary>The header <see cref="Write(string, Volume, NiftiHeader?, NiftiWriteOptions)"/> would write (vox_offset included).</summary>
    public static NiftiHeader BuildHeader(Volume volume, NiftiHeader? template, NiftiWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(volume);
        options ??= NiftiWriteOptions.Default;
        var h = template?.Clone() ?? new NiftiHeader { XyztUnits = 2 }; // 2 = millimetres
        var shape = volume.Shape;
        bool fitsNifti1 = Math.Max(shape.X, Math.Max(shape.Y, shape.Z)) <= short.MaxValue;
        h.Version = options.Version ?? (fitsNifti1 ? template?.Version ?? NiftiVersion.Nifti1 : NiftiVersion.Nifti2);
        if (h.Version == NiftiVersion.Nifti1 && !fitsNifti1)
        {
            throw new ArgumentException($"A {shape} volume does not fit NIfTI-1 (sizes up to 32767); write NIfTI-2.", nameof(options));
        }

        h.IsBigEndian = false;
        h.Dim = [3, shape.X, shape.Y, shape.Z, 1, 1, 1, 1];
        var code = NiftiDataTypes.FromVoxelType(volume.VoxelType);
        h.Datatype = (short)code;
        h.Bitpix = (short)(volume.VoxelType.SizeInBytes() * 8);
        h.SclSlope = volume.Slope;
        h.SclInter = volume.Intercept;

        var affine = volume.Affine;
        if (!Array.TrueForAll(affine.ToArray(), double.IsFinite))
        {
            throw new ArgumentException("The volume's affine has non-finite values.", nameof(volume));
        }

        NiftiAffine.SetSformParameters(h, affine);
        NiftiAffine.SetQformParameters(h, affine);
        int qcode = template is null ? 0 : NiftiAffine.EffectiveCode(template.QformCode);
        int scode = template is null ? 2 : NiftiAffine.EffectiveCode(template.SformCode);
        if (scode == 0 && (qcode == 0 || NiftiAffine.QformAffine(h).MaxAbsDifference(affine) > 1e-6 * MaxAbs(affine)))
        {
            scode = 2;
        }

        h.QformCode = qcode;
        h.SformCode = scode;
        h.VoxOffset = NiftiHeaderValidator.MinimumVoxOffset(h.Version) + h.Extensions.Sum(e => (long)PaddedSize(e));
        return h;
    }

    private static double MaxAbs(Affine a) => Math.Max(1, a.ToArray().Max(Math.Abs));

    // NIfTI extensions occupy a multiple of 16 bytes, including their 8-byte (esize, ecode) prefix.
    private static int PaddedSize(NiftiExtension e) => checked((8 + e.Content.Length + 15) / 16 * 16);

    private static byte[] SerializeWithExtensions(NiftiHeader h)
    {
        var block = NiftiHeaderCodec.Serialize(h);
        var bytes = new byte[h.VoxOffset];
        block.CopyTo(bytes, 0);
        int at = block.Length;
        bytes[at] = (byte)(h.Extensions.Count > 0 ? 1 : 0);
        at += 4;
        foreach (var e in h.Extensions)
        {
            int size = PaddedSize(e);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), size);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at + 4), e.Code);
            e.Content.CopyTo(bytes, at + 8);
            at += size;
        }

        return bytes;
    }
}
