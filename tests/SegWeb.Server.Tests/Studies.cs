using System.IO.Compression;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Server.Tests;

/// <summary>Small studies made in the test: NIfTI with anisotropic, flipped geometry, and hostile files.</summary>
internal static class Studies
{
    /// <summary>Shape and voxel size of <see cref="Nifti"/>.</summary>
    public static readonly VolumeShape Shape = new(40, 32, 24);

    public static readonly double[] Spacing = [0.8, 1.25, 2.5];

    /// <summary>An int16 NIfTI (gzip or not) of random values with a flipped (LPS-like), anisotropic affine.</summary>
    public static byte[] Nifti(bool gzip, int seed = 1)
    {
        var random = new Random(seed);
        var data = new short[Shape.VoxelCount];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (short)random.Next(-1024, 3000);
        }

        var affine = new Affine([-Spacing[0], 0, 0, 30, 0, -Spacing[1], 0, 20, 0, 0, Spacing[2], -40, 0, 0, 0, 1]);
        using var dir = new TempDirectory("server-nifti");
        string path = dir.File(gzip ? "study.nii.gz" : "study.nii");
        NiftiWriter.Write(path, new Volume<short>(Shape, affine, data));
        return File.ReadAllBytes(path);
    }

    /// <summary>A zip archive with the given entries.</summary>
    public static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                using var s = entry.Open();
                s.Write(content);
            }
        }

        return memory.ToArray();
    }

    /// <summary>The start of a real JFIF JPEG file (what a photo renamed .dcm begins with), padded.</summary>
    public static byte[] Jpeg()
    {
        var bytes = new byte[4096];
        byte[] head = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
        head.CopyTo(bytes, 0);
        new Random(3).NextBytes(bytes.AsSpan(head.Length));
        return bytes;
    }
}
