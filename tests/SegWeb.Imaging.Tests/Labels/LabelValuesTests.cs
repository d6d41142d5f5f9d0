using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Labels;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.Labels;

public class LabelValuesTests
{
    [Fact]
    public void Present_lists_the_distinct_non_zero_values_of_a_map_in_ascending_order()
    {
        var map = RandomVolumes.LabelMap<ushort>(new VolumeShape(31, 17, 9), labelCount: 40, boxes: 30, seed: 4);
        map[3, 3, 3] = 60000;
        var expected = map.Data.Where(v => v != 0).Select(v => (int)v).Distinct().Order().ToArray();
        Assert.True(expected.Length > 30);
        Assert.Equal(expected, LabelValues.Present(map));
        Assert.Empty(LabelValues.Present(Volume<byte>.Zeros(new VolumeShape(4, 4, 4), Affine.Identity)));
    }

    [Fact]
    public void Present_ignores_non_integer_values_and_stops_beyond_the_limit()
    {
        var shape = new VolumeShape(8, 4, 2);
        var map = Volume<float>.Zeros(shape, Affine.Identity);
        map[0, 0, 0] = 2;
        map[1, 0, 0] = 2.5f;
        map[2, 0, 0] = -3;
        map[3, 1, 1] = float.NaN;
        Assert.Equal([-3, 2], LabelValues.Present(map));

        var many = new Volume<int>(shape, Affine.Identity, Enumerable.Range(1, shape.X * shape.Y * shape.Z).ToArray());
        Assert.Equal(64, LabelValues.Present(many, maxDistinct: 64).Length);
        var e = Assert.Throws<SegWebException>(() => LabelValues.Present(many, maxDistinct: 63));
        Assert.Contains("more than 63", e.Message, StringComparison.Ordinal);
    }
}
