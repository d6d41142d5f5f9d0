using System.Text.Json;
using SegWeb.Inference.SlidingWindow;

namespace SegWeb.Inference.Tests.SlidingWindow;

public sealed class GaussianImportanceMapTests
{
    [SkippableTheory]
    [InlineData(8, 16, 12)]
    [InlineData(5, 7, 9)]
    [InlineData(32, 24, 40)]
    [InlineData(1, 9, 4)]
    [InlineData(64, 64, 64)]
    public void Map_matches_scipys_gaussian_filter_reference(int d, int h, int w)
    {
        ReferencePython.Require("numpy", "scipy");
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "g.npy");
        int[] patch = [d, h, w];
        ReferenceScript.Run("gaussian", JsonSerializer.Serialize(patch), path);
        var expected = ReferenceScript.ReadFloats(path);
        var actual = GaussianImportanceMap.Compute(patch);
        Assert.Equal(expected.Length, actual.Length);
        // Both sides round to half precision; equal halves mean equal floats.
        int differing = expected.Zip(actual).Count(p => p.First != p.Second);
        Assert.Equal(0, differing);
    }

    [Fact]
    public void Map_peaks_at_ten_in_the_centre_and_has_no_zero_weight()
    {
        var map = GaussianImportanceMap.Compute([12, 10, 16]);
        Assert.Equal(10f, map.Max());
        Assert.Equal(10f, map[(((6 * 10) + 5) * 16) + 8]);
        Assert.True(map.Min() > 0);
        var full = GaussianImportanceMap.Compute([12, 10, 16], halfPrecision: false);
        Assert.True(full.Zip(map).All(p => Math.Abs(p.First - p.Second) <= Math.Max(1e-3f * p.First, 1e-7f)));
    }
}
