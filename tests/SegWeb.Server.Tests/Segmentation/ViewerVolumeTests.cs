using System.IO.Compression;
using System.Text.Json;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Pipeline;
using SegWeb.Server.Segmentation;

namespace SegWeb.Server.Tests.Segmentation;

/// <summary>volume.nii.gz: the uploaded NIfTI byte for byte (gzipped when it was not), or the converted DICOM volume with its geometry.</summary>
public sealed class ViewerVolumeTests
{
    // Oblique (rotated about z and x), anisotropic, LPS-like flips on x and y, and an origin off zero: nothing a swapped
    // axis or a dropped sign could survive.
    private static readonly Affine Oblique = new([
        -0.7 * 0.9, 0.8 * 0.4, 0.1, 120.5,
        -0.7 * 0.4, -0.8 * 0.9, 0.3, -80.25,
        0.05, 0.25, 2.5 * 0.95, 33,
        0, 0, 0, 1]);

    private static Volume<short> Ramp()
    {
        var shape = new VolumeShape(7, 5, 4);
        var data = new short[shape.VoxelCount];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (short)((i * 37 % 2001) - 1000);
        }

        return new Volume<short>(shape, Oblique, data, slope: 1, intercept: -1024);
    }

    private static SegmentationResult ResultFor(Volume image, NiftiHeader? header) =>
        new(Volume<byte>.Zeros(image.Shape, image.Affine), new Dictionary<int, string> { [1] = "liver" }, image, header, [], []);

    [Fact]
    public void An_uncompressed_NIfTI_upload_is_gzipped_unchanged_and_a_gzipped_one_copied_as_is()
    {
        using var tmp = new TempDirectory("viewer-volume");
        var image = Ramp();
        string nii = tmp.File("upload");
        NiftiWriter.Write(nii + ".nii", image);
        File.Move(nii + ".nii", nii);
        var header = NiftiReader.ReadHeader(nii);

        string target = tmp.File("volume.nii.gz");
        ViewerVolume.Write(nii, ResultFor(image, header), target, CancellationToken.None);
        using (var inflated = new MemoryStream())
        {
            using (var gz = new GZipStream(File.OpenRead(target), CompressionMode.Decompress))
            {
                gz.CopyTo(inflated);
            }

            Assert.Equal(File.ReadAllBytes(nii), inflated.ToArray());
        }

        string copy = tmp.File("copy.nii.gz");
        ViewerVolume.Write(target, ResultFor(image, header), copy, CancellationToken.None);
        Assert.Equal(File.ReadAllBytes(target), File.ReadAllBytes(copy));
    }

    [SkippableFact]
    public void A_DICOM_volume_is_written_with_its_oblique_flipped_geometry_and_scaled_values_as_nibabel_reads_them()
    {
        ReferencePython.Require("nibabel", "numpy");
        using var tmp = new TempDirectory("viewer-volume-dicom");
        var image = Ramp();
        string target = tmp.File("volume.nii.gz");
        ViewerVolume.Write(tmp.File("not-used"), ResultFor(image, header: null), target, CancellationToken.None);

        string json = ReferencePython.Run("""
            import sys, json, nibabel as nib, numpy as np
            img = nib.load(sys.argv[1])
            data = np.asanyarray(img.dataobj).astype(float)
            print(json.dumps({'affine': img.affine.tolist(), 'shape': list(img.shape),
                              'values': data.flatten(order='F').tolist()}))
            """, target);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal([7, 5, 4], root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var affine = root.GetProperty("affine").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                // NIfTI keeps the sform in float32.
                Assert.Equal(Oblique[r, c], affine[r][c], 1e-4);
            }
        }

        var values = root.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(image.Data.Select(v => (double)v - 1024), values);
    }
}
