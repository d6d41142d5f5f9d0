using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.Volumes;

public class ValueRangeTests
{
    [Fact]
    public void Range_applies_negative_slope_and_ignores_nan()
    {
        var shorts = new Volume<short>(new VolumeShape(3, 2, 2), Affine.Identity, [5, -7, 3, 0, 1, 2, 9, 4, 4, 4, 4, -2], slope: -2, intercept: 10);
        var r = ValueRange.Of(shorts);
        Assert.Equal(10 - 18, r.Min);
        Assert.Equal(10 + 14, r.Max);

        var floats = new Volume<float>(new VolumeShape(2, 1, 2), Affine.Identity, [float.NaN, 1.5f, -3f, float.NaN]);
        Assert.Equal(new ValueRange(-3, 1.5), ValueRange.Of(floats));
    }
}
