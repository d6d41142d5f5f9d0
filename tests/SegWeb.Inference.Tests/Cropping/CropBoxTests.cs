using System.Globalization;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Cropping;

namespace SegWeb.Inference.Tests.Cropping;

public sealed class CropBoxTests
{
    // Oblique, anisotropic, with a flipped axis: a crop must keep every voxel's world position on such a grid too.
    private static readonly Affine Oblique = new([
        0.9 * Math.Cos(0.2), -2.5 * Math.Sin(0.2), 0, 10.5,
        0.9 * Math.Sin(0.2), 2.5 * Math.Cos(0.2), 0, -31.25,
        0, 0, -4.0, 77,
        0, 0, 0, 1]);

    [SkippableFact]
    public void Crop_matches_nibabel_slicer_voxels_and_affine_and_uncrop_puts_them_back()
    {
        ReferencePython.Require("nibabel", "numpy");
        var shape = new VolumeShape(13, 9, 7);
        var data = Enumerable.Range(0, (int)shape.VoxelCount).Select(i => (short)((i * 37 % 1001) - 500)).ToArray();
        var volume = new Volume<short>(shape, Oblique, data);
        var box = new CropBox(2, 1, 3, 11, 8, 6);
        var cropped = box.Crop(volume);

        using var dir = new TempDirectory("cropbox");
        Npy.WriteVolume(dir.File("v.npy"), volume);
        Npy.Write(dir.File("a.npy"), Oblique.ToArray(), [4, 4]);
        const string script = """
            import sys
            import numpy as np, nibabel as nib
            v = np.load(sys.argv[1]); a = np.load(sys.argv[2]); out = sys.argv[3]
            img = nib.Nifti1Image(v, a)
            c = img.slicer[2:11, 1:8, 3:6]
            np.save(out + "/c.npy", np.asfortranarray(c.get_fdata().astype(np.int16)))
            print(" ".join(repr(float(x)) for x in c.affine.ravel()))
            """;
        var affine = ReferencePython.Run(script, dir.File("v.npy"), dir.File("a.npy"), dir.Path).Trim()
            .Split(' ').Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var expected = Npy.ReadVolume<short>(dir.File("c.npy"));

        Assert.Equal(expected.Shape, cropped.Shape);
        Assert.Equal(expected.Data, cropped.Data);
        Assert.True(new Affine(affine).MaxAbsDifference(cropped.Affine) < 1e-9, $"{cropped.Affine} vs nibabel {new Affine(affine)}");

        var labels = new Volume<byte>(cropped.Shape, cropped.Affine, cropped.Data.Select(v => (byte)(v & 0x7)).ToArray());
        var back = box.Uncrop(labels, shape, volume.Affine);
        Assert.Equal(volume.Affine, back.Affine);
        for (int z = 0; z < shape.Z; z++)
        {
            for (int y = 0; y < shape.Y; y++)
            {
                for (int x = 0; x < shape.X; x++)
                {
                    bool inside = x >= 2 && x < 11 && y >= 1 && y < 8 && z >= 3 && z < 6;
                    Assert.Equal(inside ? (byte)(volume[x, y, z] & 0x7) : (byte)0, back[x, y, z]);
                }
            }
        }
    }

    [Fact]
    public void Nonzero_box_is_the_tight_box_of_the_nonzero_voxels_and_null_when_there_are_none()
    {
        var shape = new VolumeShape(20, 15, 11);
        var volume = Volume<float>.Zeros(shape, Affine.Identity);
        Assert.Null(CropBox.OfNonzero(volume));
        volume.Data[shape.IndexOf(3, 14, 5)] = -1;
        volume.Data[shape.IndexOf(17, 2, 9)] = 0.5f;
        volume.Data[shape.IndexOf(9, 9, 4)] = 1e-30f;
        Assert.Equal(new CropBox(3, 2, 4, 18, 15, 10), CropBox.OfNonzero(volume));
    }

    [Fact]
    public void Label_box_grows_by_the_margin_in_whole_voxels_per_axis_and_stays_inside_the_image()
    {
        var shape = new VolumeShape(40, 30, 20);
        var labels = Volume<byte>.Zeros(shape, Affine.FromSpacing(0.8, 1.5, 3));
        labels.Data[shape.IndexOf(10, 5, 2)] = 4;
        labels.Data[shape.IndexOf(30, 25, 10)] = 4;
        labels.Data[shape.IndexOf(0, 0, 0)] = 2; // not selected
        var selected = new bool[256];
        selected[4] = true;
        var box = CropBox.OfLabels(labels, selected)!.Value;
        Assert.Equal(new CropBox(10, 5, 2, 31, 26, 11), box);

        // TotalSegmentator: (20 mm / zooms).astype(int) → 25, 13, 6 voxels.
        var margin = CropBox.MarginVoxels(20, labels.Spacing);
        Assert.Equal((25, 13, 6), margin);
        Assert.Equal(new CropBox(0, 0, 0, 40, 30, 17), box.Expand(margin, shape));
        selected[4] = false;
        Assert.Null(CropBox.OfLabels(labels, selected));
    }
}
