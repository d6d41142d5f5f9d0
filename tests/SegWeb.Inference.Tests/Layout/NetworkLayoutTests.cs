using System.Text.Json;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Layout;

namespace SegWeb.Inference.Tests.Layout;

public sealed class NetworkLayoutTests
{
    [SkippableTheory]
    [InlineData(0, 1, 2, "zyx")]
    [InlineData(2, 0, 1, "zyx")]
    [InlineData(1, 2, 0, "zyx")]
    [InlineData(0, 2, 1, "xyz")]
    [InlineData(2, 1, 0, "xyz")]
    public void Network_input_equals_numpys_transpose_of_the_readers_array(int t0, int t1, int t2, string order)
    {
        ReferencePython.Require("numpy");
        using var dir = new TempDirectory();
        var shape = new VolumeShape(5, 7, 9);
        var data = Enumerable.Range(0, (int)shape.VoxelCount).Select(i => (short)((i * 37 % 1001) - 500)).ToArray();
        var volume = new Volume<short>(shape, Affine.Identity, data, slope: 0.5, intercept: -3);
        Npy.WriteVolume(dir.File("v.npy"), new Volume<float>(shape, Affine.Identity, volume.ToFloat32().Data));
        int[] tf = [t0, t1, t2];
        ReferenceScript.Run("layout", dir.File("v.npy"), JsonSerializer.Serialize(tf), order, dir.File("n.npy"));
        var expected = Npy.Read(dir.File("n.npy"));

        var layout = new NetworkLayout(tf, order == "zyx" ? ImageArrayOrder.Zyx : ImageArrayOrder.Xyz);
        Assert.Equal(expected.Shape, layout.NetworkSize(shape));
        var actual = layout.ToNetwork([volume]);
        Assert.Equal(ReferenceScript.ReadFloats(dir.File("n.npy")), actual);
    }

    [Theory]
    [InlineData(0, 1, 2)]
    [InlineData(2, 0, 1)]
    [InlineData(1, 0, 2)]
    public void Labels_map_back_to_the_voxels_they_came_from(int t0, int t1, int t2)
    {
        var shape = new VolumeShape(4, 6, 3);
        var affine = new Affine([0, 0, -2.5, 10, -0.7, 0, 0, 5, 0, 1.2, 0, -8, 0, 0, 0, 1]);
        var layout = new NetworkLayout([t0, t1, t2]);
        // Labels computed in network order from the input value identify the voxel, so a round trip must be exact.
        var volume = new Volume<byte>(shape, affine, Enumerable.Range(0, (int)shape.VoxelCount).Select(i => (byte)i).ToArray());
        var network = layout.ToNetwork([volume]);
        var back = layout.LabelsToVolume(network.Select(v => (byte)v).ToArray(), shape, affine);
        Assert.Equal(volume.Data, back.Data);
        Assert.Equal(affine, back.Affine);
        // Oblique-free but permuted and flipped (LPS-like) axes with anisotropic spacing: x 0.7, y 1.2, z 2.5 mm.
        Assert.Equal(ExpectedSpacing(affine, [t0, t1, t2]), layout.NetworkSpacing(affine.Spacing).Select(v => Math.Round(v, 9)));
    }

    [Fact]
    public void A_transpose_that_is_not_a_permutation_is_refused()
    {
        Assert.Throws<InferenceException>(() => new NetworkLayout([0, 0, 1]));
        Assert.Throws<InferenceException>(() => new NetworkLayout([0, 1]));
    }

    private static IEnumerable<double> ExpectedSpacing(Affine affine, int[] tf)
    {
        // (z, y, x) array axes, then transpose_forward.
        double[] zyx = [affine.Spacing.Z, affine.Spacing.Y, affine.Spacing.X];
        return tf.Select(a => Math.Round(zyx[a], 9));
    }
}
