using System.Security.Cryptography;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;
using SegWeb.Models.Packages;

namespace SegWeb.Server.Tests.Processes;

/// <summary>Studies made in the test for the process tests: larger than <see cref="Studies"/>, written to disk.</summary>
internal static class LargeStudies
{
    public const string Ct = "totalsegmentator/example_ct_sm.nii.gz";

    /// <summary>
    /// The example CT repeated <paramref name="tiles"/> times along x, written uncompressed: the same anatomy, so the demo
    /// model's prediction runs several seconds (long enough to be killed mid-predict) instead of a fraction of one.
    /// </summary>
    public static void TiledCt(string ctPath, string path, int tiles)
    {
        var image = NiftiReader.Read(ctPath);
        var volume = (Volume<short>)image.Volume;
        var s = volume.Shape;
        var shape = new VolumeShape(s.X * tiles, s.Y, s.Z);
        var data = new short[shape.VoxelCount];
        for (int z = 0; z < s.Z; z++)
        {
            for (int y = 0; y < s.Y; y++)
            {
                var row = volume.Data.AsSpan((int)(s.X * (y + ((long)s.Y * z))), s.X);
                for (int t = 0; t < tiles; t++)
                {
                    row.CopyTo(data.AsSpan((int)((t * s.X) + (shape.X * (y + ((long)shape.Y * z)))), s.X));
                }
            }
        }

        NiftiWriter.Write(path, new Volume<short>(shape, volume.Affine, data, volume.Slope, volume.Intercept));
    }

    /// <summary>
    /// A valid uncompressed int16 NIfTI of about <paramref name="bytes"/> bytes (pseudo-random voxels, so every byte
    /// position matters to a checksum), with an oblique, anisotropic, flipped affine.
    /// </summary>
    public static void Nifti(string path, long bytes, int seed)
    {
        const int x = 256, y = 256;
        int z = (int)Math.Max(1, bytes / (2L * x * y));
        var data = new short[(long)x * y * z];
        new Random(seed).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
        double c = Math.Cos(0.3), s = Math.Sin(0.3);
        var affine = new Affine([-0.7 * c, 0.9 * s, 0, 90, -0.7 * s, -0.9 * c, 0, 120, 0, 0, 1.5, -200, 0, 0, 0, 1]);
        NiftiWriter.Write(path, new Volume<short>(new VolumeShape(x, y, z), affine, data));
    }

    /// <summary>SHA-256 of a file, hex.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}

/// <summary>The committed demo model imported into a temporary package folder (deleted on dispose).</summary>
public sealed class DemoPackage : IDisposable
{
    private readonly TempDirectory _temp = new("process-model");

    public DemoPackage()
    {
        Directory = NnUNetImporter.Import(Path.Combine(RepoPaths.Root, "models", "segweb-demo-nnunet"), _temp.File("segweb-demo")).Directory;
    }

    /// <summary>The package folder (SegWeb:Segmentation:ModelPath).</summary>
    public string Directory { get; }

    public void Dispose() => _temp.Dispose();
}
