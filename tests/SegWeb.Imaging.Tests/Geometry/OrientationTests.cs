using System.Globalization;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.GeometryTests;

public class OrientationTests
{
    [Theory]
    [InlineData("RAS")]
    [InlineData("LPS")]
    [InlineData("PIR")]
    [InlineData("SLA")]
    public void Axis_codes_of_a_permuted_affine_are_the_codes_it_was_built_from(string codes)
    {
        var affine = GeometryCases.Permuted(codes, (0.7, 1.3, 2.5), (10, -20, 30));
        Assert.Equal(codes, Orientation.AxisCodes(affine));
        Assert.Equal(codes, Orientation.ToAxisCodes(Orientation.FromAxisCodes(codes.ToLowerInvariant())));
    }

    [Fact]
    public void Degenerate_axis_is_unknown_and_bad_codes_are_rejected()
    {
        var affine = new Affine([0, 0, 2, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 1]);
        Assert.Equal("I?R", Orientation.AxisCodes(affine));
        Assert.Throws<ArgumentException>(() => Orientation.FromAxisCodes("RAR"));
        Assert.Throws<ArgumentException>(() => Orientation.FromAxisCodes("RA"));
        Assert.Throws<ArgumentException>(() => Orientation.FromAxisCodes("XYZ"));
        var volume = new Volume<short>(new VolumeShape(2, 2, 2), affine, new short[8]);
        Assert.Throws<ArgumentException>(() => Reorientation.ToClosestCanonical(volume));
    }

    [Fact]
    public void Transform_then_inverse_is_identity()
    {
        var t = Orientation.Transform(Orientation.FromAxisCodes("PIR"), Orientation.FromAxisCodes("LPS"));
        var inverse = Orientation.Inverse(t);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(i, inverse[t[i].Axis].Axis);
            Assert.Equal(t[i].Flip, inverse[t[i].Axis].Flip);
        }

        Assert.Equal("LPS", Orientation.AxisCodes(GeometryCases.Permuted("PIR", (1, 2, 3), (0, 0, 0))
            .Multiply(Orientation.InverseTransformAffine(t, new VolumeShape(4, 5, 6)))));
    }

    [SkippableFact]
    public void Axis_codes_agree_with_nibabel_aff2axcodes_on_random_affines()
    {
        ReferencePython.Require("nibabel");
        var rng = new Random(1234);
        var affines = new List<Affine>();
        for (int i = 0; i < 400; i++)
        {
            affines.Add(GeometryCases.Random(rng, oblique: i % 4 != 0));
        }

        // Fully random matrices too (large shears), where the SVD orthogonalisation matters most.
        for (int i = 0; i < 200; i++)
        {
            var m = new double[16];
            for (int k = 0; k < 12; k++)
            {
                m[k] = (rng.NextDouble() - 0.5) * 6;
            }

            m[15] = 1;
            affines.Add(new Affine(m));
        }

        using var dir = new TempDirectory("orient");
        var flat = affines.SelectMany(a => a.ToArray()).ToArray();
        Npy.Write(dir.File("affines.npy"), flat, [affines.Count, 4, 4]);
        var output = ReferencePython.Run(
            """
            import sys, numpy as np, nibabel as nib
            affs = np.load(sys.argv[1])
            for a in affs:
                print(''.join('?' if c is None else c for c in nib.aff2axcodes(a)))
            """, dir.File("affines.npy"));
        var expected = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(affines.Count, expected.Length);
        int mismatches = 0;
        var report = new List<string>();
        for (int i = 0; i < affines.Count; i++)
        {
            var actual = Orientation.AxisCodes(affines[i]);
            if (actual != expected[i])
            {
                mismatches++;
                report.Add(string.Create(CultureInfo.InvariantCulture, $"#{i}: {actual} vs nibabel {expected[i]}\n{affines[i]}"));
            }
        }

        Assert.True(mismatches == 0, string.Join("\n", report));
    }
}
