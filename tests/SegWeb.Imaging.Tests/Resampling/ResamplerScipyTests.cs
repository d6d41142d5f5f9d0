using System.Globalization;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Resampling;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.ResamplingTests;

/// <summary>
/// Resampling agrees with scipy.ndimage.zoom(order, mode='nearest', grid_mode=True) in float64.
/// Tolerances: order 0 must be identical (both pick floor(c + 0.5) of the same double coordinate; the sizes below
/// include exact .5 ties, e.g. 9 → 3 and 1 → n, so tie handling is covered, not avoided). Orders 1 and 3: SegWeb
/// accumulates in float32 over ≤ ~30 weights whose absolute sum is ≤ ~1.7, so the error is a few float32 ulps
/// of the largest input magnitude; the bound used is 2e-6 × max|input| (observed: ≤ 3e-7; scipy works in float64; its own
/// rounding is negligible). Kernel weights below 1e-7 of a row's largest are dropped, which adds ≲ 3e-7 relative.
/// </summary>
public class ResamplerScipyTests
{
    private const string Script =
        """
        import sys, os, json, numpy as np
        from scipy import ndimage
        d = sys.argv[1]
        cases = json.load(open(os.path.join(d, 'cases.json')))
        for i, c in enumerate(cases):
            a = np.load(os.path.join(d, f'in{i}.npy')).astype(np.float64)
            out = a
            for axis in range(3):
                # one axis at a time with its own order; a factor of 1 is an exact identity for every order
                f = [1.0, 1.0, 1.0]
                f[axis] = c['shape'][axis] / out.shape[axis]
                out = ndimage.zoom(out, f, order=c['orders'][axis], mode='nearest', grid_mode=True)
            assert list(out.shape) == c['shape'], (out.shape, c['shape'])
            np.save(os.path.join(d, f'out{i}.npy'), np.asfortranarray(out))
        """;

    private static readonly (string Name, Volume Volume, VolumeShape Shape, AxisOrders Orders)[] Cases =
    [
        ("random odd down/up order 0", ResamplingCases.RandomFloat(1, new(13, 11, 9)), new(7, 17, 3), AxisOrders.All(0)),
        ("random odd down/up order 1", ResamplingCases.RandomFloat(2, new(13, 11, 9)), new(7, 17, 5), AxisOrders.All(1)),
        ("random odd down/up order 3", ResamplingCases.RandomFloat(3, new(13, 11, 9)), new(7, 17, 5), AxisOrders.All(3)),
        ("smooth int16 anisotropic order 1", ResamplingCases.SmoothInt16(4, new(20, 18, 7)), new(12, 12, 17), AxisOrders.All(1)),
        ("smooth int16 anisotropic order 3", ResamplingCases.SmoothInt16(5, new(20, 18, 7)), new(12, 12, 17), AxisOrders.All(3)),
        ("smooth int16 mixed orders 3/3/0", ResamplingCases.SmoothInt16(6, new(21, 16, 6)), new(14, 25, 15), new AxisOrders(3, 3, 0)),
        ("random mixed orders 1/3/0", ResamplingCases.RandomFloat(7, new(9, 10, 11)), new(3, 31, 4), new AxisOrders(1, 3, 0)),
        ("one-voxel axis order 3", ResamplingCases.RandomFloat(8, new(1, 12, 5)), new(3, 7, 9), AxisOrders.All(3)),
        ("long axis order 3", ResamplingCases.RandomFloat(9, new(64, 3, 2)), new(41, 5, 2), AxisOrders.All(3)),
    ];

    [SkippableFact]
    public void Orders_0_1_3_agree_with_scipy_zoom_grid_mode_nearest()
    {
        ReferencePython.Require("scipy");
        using var dir = new TempDirectory("zoom");
        var json = new List<string>();
        for (int i = 0; i < Cases.Length; i++)
        {
            var (_, volume, shape, orders) = Cases[i];
            switch (volume)
            {
                case Volume<float> f:
                    Npy.WriteVolume(dir.File($"in{i}.npy"), f);
                    break;
                case Volume<short> s:
                    Npy.WriteVolume(dir.File($"in{i}.npy"), s);
                    break;
            }

            json.Add(string.Create(CultureInfo.InvariantCulture,
                $"{{\"shape\":[{shape.X},{shape.Y},{shape.Z}],\"orders\":[{orders.X},{orders.Y},{orders.Z}]}}"));
        }

        File.WriteAllText(dir.File("cases.json"), "[" + string.Join(",", json) + "]");
        ReferencePython.Run(Script, dir.Path);
        var failures = new List<string>();
        for (int i = 0; i < Cases.Length; i++)
        {
            var (name, volume, shape, orders) = Cases[i];
            var expected = Npy.ReadVolume<double>(dir.File($"out{i}.npy"));
            var actual = (Volume<float>)Resampler.ToShape(volume, shape, orders);
            Assert.Equal(shape, actual.Shape);
            double maxInput = 0;
            for (long k = 0; k < volume.Shape.VoxelCount; k++)
            {
                maxInput = Math.Max(maxInput, Math.Abs(volume.GetValue(k)));
            }

            bool exact = orders is { X: 0, Y: 0, Z: 0 };
            double tolerance = exact ? 0 : 2e-6 * maxInput;
            double worst = 0;
            for (int k = 0; k < actual.Data.Length; k++)
            {
                worst = Math.Max(worst, Math.Abs(actual.Data[k] - expected.Data[k]));
            }

            if (!(worst <= tolerance))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: max |error| {worst:G4} > {tolerance:G4}"));
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Output_affine_keeps_the_field_of_view_on_oblique_LPS_geometry()
    {
        // Oblique, anisotropic, LPS-flipped grid: the outer voxel faces of input and output must coincide.
        var affine = GeometryTests.GeometryCases.Rotation(0.3, -0.2, 0.15, (1, 1, 1), (12, -40, 7))
            .Multiply(GeometryTests.GeometryCases.Permuted("LPS", (0.7, 0.9, 3.0), (0, 0, 0)));
        var from = new VolumeShape(17, 12, 9);
        var to = new VolumeShape(8, 13, 20);
        var resampled = Resampler.ResampledAffine(affine, from, to);
        foreach (var (i, j, k) in new[] { (-0.5, -0.5, -0.5), (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1) })
        {
            // (1,1,1) here means "the far face": n − 0.5.
            static double Far(double flag, int n) => flag == 1 ? n - 0.5 : -0.5;
            var a = affine.Apply(Far(i, from.X), Far(j, from.Y), Far(k, from.Z));
            var b = resampled.Apply(Far(i, to.X), Far(j, to.Y), Far(k, to.Z));
            Assert.Equal(a.X, b.X, 9);
            Assert.Equal(a.Y, b.Y, 9);
            Assert.Equal(a.Z, b.Z, 9);
        }

        Assert.Equal("LPS", Orientation.AxisCodes(resampled));
        var (sx, sy, sz) = resampled.Spacing;
        Assert.Equal(0.7 * 17 / 8, sx, 12);
        Assert.Equal(0.9 * 12 / 13, sy, 12);
        Assert.Equal(3.0 * 9 / 20, sz, 12);
    }

    [Fact]
    public void Resampled_volume_carries_the_resampled_affine_and_real_values()
    {
        var affine = GeometryTests.GeometryCases.Permuted("PIR", (1.2, 0.7, 2.0), (5, 6, 7));
        var data = Enumerable.Range(0, 4 * 5 * 6).Select(v => (short)v).ToArray();
        var volume = new Volume<short>(new VolumeShape(4, 5, 6), affine, data, slope: 2, intercept: -10);
        var result = Resampler.ToShape(volume, new VolumeShape(4, 5, 6), 1);
        Assert.True(result.Affine.MaxAbsDifference(affine) < 1e-12);
        Assert.Equal(data.Select(v => (float)((v * 2) - 10)), result.Data);

        var kept = (Volume<short>)Resampler.ToShape(volume, new VolumeShape(8, 10, 3), AxisOrders.All(1), keepVoxelType: true);
        Assert.Equal(2, kept.Slope);
        Assert.Equal(-10, kept.Intercept);
        var asFloat = Resampler.ToShape(volume.WithAffine(affine), new VolumeShape(8, 10, 3), 1);
        for (int i = 0; i < kept.Data.Length; i++)
        {
            Assert.Equal(Math.Round(((asFloat.Data[i] + 10) / 2) + 0.0, MidpointRounding.ToEven), kept.Data[i], 0);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Absurd_spacing_is_a_typed_error(double spacing)
    {
        var volume = ResamplingCases.SmoothInt16(1, new VolumeShape(4, 4, 4));
        var e = Assert.Throws<ResamplingException>(() => Resampler.ToSpacing(volume, (1, spacing, 1), AxisOrders.All(1)));
        Assert.Contains("spacing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Absurd_sizes_and_orders_are_typed_errors()
    {
        var volume = ResamplingCases.SmoothInt16(1, new VolumeShape(4, 4, 4));
        Assert.Throws<ResamplingException>(() => Resampler.ToSpacing(volume, (1e-6, 1, 1), AxisOrders.All(1)));
        Assert.Throws<ResamplingException>(() => Resampler.ToShape(volume, new VolumeShape(60000, 60000, 2), AxisOrders.All(1)));
        Assert.Throws<ResamplingException>(() => Resampler.ToShape(volume, new VolumeShape(4, 4, 4), AxisOrders.All(2)));
        var flat = new Volume<short>(new VolumeShape(4, 4, 4), new Affine([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), new short[64]);
        Assert.Throws<ResamplingException>(() => Resampler.ToSpacing(flat, (1, 1, 1), AxisOrders.All(1)));
    }
}
