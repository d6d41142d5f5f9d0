using System.Globalization;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Labels;
using SegWeb.Imaging.Statistics;
using SegWeb.Imaging.Tests.Labels;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.Statistics;

public class StatisticsSyntheticTests
{
    private static readonly VolumeShape Shape = new(12, 10, 9);

    [Theory]
    [InlineData(0, 2, false)] // x = 2: inside the outer 3 planes
    [InlineData(0, 3, true)]  // x = 3: the first plane that is not
    [InlineData(0, 8, true)]  // x = X − 4
    [InlineData(0, 9, false)] // x = X − 3
    [InlineData(1, 2, false)]
    [InlineData(1, 6, true)]  // y = Y − 4
    [InlineData(1, 7, false)]
    [InlineData(2, 3, true)]
    [InlineData(2, 5, true)]  // z = Z − 4
    [InlineData(2, 6, false)] // z = Z − 3
    public void A_mask_within_three_voxels_of_any_face_reports_zero_unless_incomplete_masks_are_included(int axis, int position, bool complete)
    {
        var image = Ramp(Shape, Affine.FromSpacing(0.8, 1.2, 2.5));
        var labels = Volume<byte>.Zeros(Shape, image.Affine);
        int[] at = [5, 5, 4];
        labels[5, 5, 4] = 2;
        at[axis] = position;
        labels[at[0], at[1], at[2]] = 2;
        var names = new Dictionary<int, string> { [2] = "organ" };

        var strict = LabelStatistics.Compute(image, labels, names).Single();
        Assert.Equal(!complete, strict.TouchesBorder);
        Assert.Equal(!complete, strict.Excluded);
        Assert.Equal(2, strict.VoxelCount);
        double voxel = (float)((float)0.8 * (float)1.2) * (float)2.5;
        double mean = (image[5, 5, 4] + image[at[0], at[1], at[2]]) / 2.0;
        Assert.Equal(complete ? 2 * voxel : 0, strict.Volume);
        Assert.Equal(complete ? mean : 0, strict.Intensity);

        var all = LabelStatistics.Compute(image, labels, names, new StatisticsOptions { IncludeIncomplete = true }).Single();
        Assert.False(all.Excluded);
        Assert.Equal(2 * voxel, all.Volume);
        Assert.Equal(mean, all.Intensity);
    }

    [Fact]
    public void Absent_classes_are_listed_in_label_order_with_zeros()
    {
        var image = Ramp(Shape, Affine.Identity);
        var labels = Volume<short>.Zeros(Shape, Affine.Identity);
        labels[5, 5, 4] = 3;
        var names = new Dictionary<int, string> { [40] = "late", [3] = "here", [1] = "never" };
        var stats = LabelStatistics.Compute(image, labels, names, new StatisticsOptions { Extra = true });
        Assert.Equal(["never", "here", "late"], stats.Select(s => s.Name));
        foreach (var s in new[] { stats[0], stats[2] })
        {
            Assert.Equal((0L, 0.0, 0.0, false), (s.VoxelCount, s.Volume, s.Intensity, s.TouchesBorder));
            Assert.Equal(new ExtraStatistics(0, 0, 0, 0, null, null), s.Extra);
        }

        Assert.Equal(image[5, 5, 4], stats[1].Intensity);
        Assert.Equal(new ExtraStatistics(1, 0, image[5, 5, 4], image[5, 5, 4], (5, 5, 4), new ComponentBox(5, 5, 4, 5, 5, 4)), stats[1].Extra);
        Assert.Throws<ArgumentException>(() => LabelStatistics.Compute(image, labels, new Dictionary<int, string> { [0] = "bg" }));
    }

    [Fact]
    public void Median_of_an_even_count_is_the_mean_of_the_two_middle_values()
    {
        var image = Volume<short>.Zeros(Shape, Affine.Identity);
        var mask = Volume<byte>.Zeros(Shape, Affine.Identity);
        short[] values = [7, -3, 100, 2, 7, 7, -40, 5]; // sorted: -40 -3 2 5 7 7 7 100
        for (int i = 0; i < values.Length; i++)
        {
            image[3 + (i % 4), 4 + (i / 4), 4] = values[i];
            mask[3 + (i % 4), 4 + (i / 4), 4] = 255;
        }

        var sorted = values.Order().ToArray();
        var median = LabelStatistics.ComputeMask(image, mask, "m", new StatisticsOptions { Metric = IntensityMetric.Median });
        Assert.Equal((sorted[3] + sorted[4]) / 2.0, median.Intensity);
        var mean = LabelStatistics.ComputeMask(image, mask, "m");
        Assert.Equal(LabelStatistics.RoundLikeNumpy(values.Sum(v => (double)v) / values.Length), mean.Intensity);

        mask[3, 4, 4] = 0; // odd count: the middle value
        var odd = values.Skip(1).Order().ToArray();
        Assert.Equal(odd[odd.Length / 2], LabelStatistics.ComputeMask(image, mask, "m", new StatisticsOptions { Metric = IntensityMetric.Median }).Intensity);
    }

    [Fact]
    public void Median_by_selection_and_by_counting_agree_with_sorting_on_many_repeated_values()
    {
        var rng = new Random(3);
        foreach (int n in new[] { 1, 2, 3, 10, 1001, 5000 })
        {
            var values = Enumerable.Range(0, n).Select(_ => (double)(rng.Next(2) == 0 ? rng.Next(-5, 6) : rng.Next(-32768, 32768))).ToArray();
            var sorted = values.Order().ToArray();
            double expected = n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
            Assert.Equal(expected, Median.Of(values.Select(v => (short)v).ToArray())); // counting, for int16 intensities
            Assert.Equal(expected, Median.Of(values)); // selection, for real values
        }
    }

    [Fact]
    public void Intensities_are_cast_to_int16_like_numpy_unless_asked_for_real_values()
    {
        // Real values −0.75, 1.75 and 40 000.5 (beyond int16): numpy's astype(int16) gives 0, 1 and −25 536.
        var image = new Volume<float>(Shape, Affine.Identity, new float[Shape.VoxelCount], slope: 0.5, intercept: 0.25);
        var mask = Volume<byte>.Zeros(Shape, Affine.Identity);
        float[] stored = [-2f, 3f, 80000.5f];
        for (int i = 0; i < stored.Length; i++)
        {
            image[4 + i, 5, 4] = stored[i];
            mask[4 + i, 5, 4] = 1;
        }

        double[] real = stored.Select(s => (s * 0.5) + 0.25).ToArray();
        double[] cast = real.Select(r => (double)(short)(int)Math.Truncate(r)).ToArray(); // wraps in the unchecked int → short
        var extra = new StatisticsOptions { Extra = true };
        var asInt16 = LabelStatistics.ComputeMask(image, mask, "m", extra);
        Assert.Equal(LabelStatistics.RoundLikeNumpy(cast.Sum() / 3), asInt16.Intensity);
        Assert.Equal(cast.Min(), asInt16.Extra!.IntensityMin);
        var asReal = LabelStatistics.ComputeMask(image, mask, "m", extra with { IntensityAsInt16 = false });
        Assert.Equal(LabelStatistics.RoundLikeNumpy(real.Sum() / 3), asReal.Intensity);
        Assert.Equal(real.Max(), asReal.Extra!.IntensityMax);
        Assert.Equal(0, IntensitySource.CastLikeNumpyInt16(double.NaN));
        Assert.Equal(0, IntensitySource.CastLikeNumpyInt16(3e9));
    }

    [Fact]
    public void Volume_uses_the_float32_product_of_the_voxel_sizes_of_an_oblique_grid()
    {
        var affine = RandomVolumes.ObliqueAnisotropic(); // 0.7 × 1.3 × 2.5 mm, rotated and flipped
        var image = Ramp(Shape, affine);
        var labels = Volume<byte>.Zeros(Shape, affine);
        for (int x = 4; x < 7; x++)
        {
            labels[x, 5, 4] = 1;
        }

        var s = LabelStatistics.Compute(image, labels, new Dictionary<int, string> { [1] = "a" }).Single();
        float voxel = 0.7f * 1.3f;
        voxel *= 2.5f;
        Assert.Equal(3 * (double)voxel, s.Volume);
        Assert.NotEqual(3 * 0.7 * 1.3 * 2.5, s.Volume); // the float32 product is what TotalSegmentator reports

        var header = LabelStatistics.Compute(image, labels, new Dictionary<int, string> { [1] = "a" },
            new StatisticsOptions { VoxelSpacing = (2, 2, 3) }).Single();
        Assert.Equal(36, header.Volume);
    }

    [Fact]
    public void Labels_on_another_grid_are_refused_naming_both()
    {
        var image = Ramp(Shape, Affine.FromSpacing(1, 1, 2));
        var shifted = Volume<byte>.Zeros(Shape, Affine.FromSpacing(1, 1, 2, ox: 0.5));
        var e = Assert.Throws<GridMismatchException>(() => LabelStatistics.RequireSameGrid(image, "ct.nii.gz", shifted, "seg.nii.gz"));
        Assert.Contains("ct.nii.gz", e.Message, StringComparison.Ordinal);
        Assert.Contains("seg.nii.gz", e.Message, StringComparison.Ordinal);
        var other = Volume<byte>.Zeros(new VolumeShape(12, 10, 8), image.Affine);
        Assert.Throws<GridMismatchException>(() => LabelStatistics.ComputeMask(image, other, "m"));
        Assert.IsAssignableFrom<SegWebException>(e);
    }

    [Fact]
    public void Table_and_csv_show_present_structures_and_mark_incomplete_ones()
    {
        var image = Ramp(Shape, Affine.Identity);
        var labels = Volume<byte>.Zeros(Shape, Affine.Identity);
        labels[5, 5, 4] = 1;
        labels[0, 5, 4] = 2;
        var names = new Dictionary<int, string> { [1] = "inner", [2] = "edge, left", [3] = "absent" };
        var report = StatisticsReport.Compute(image, labels, names);
        var table = report.ToTable().Split('\n');
        Assert.StartsWith("structure", table[0], StringComparison.Ordinal);
        Assert.Contains(table, l => l.StartsWith("inner", StringComparison.Ordinal) && l.Contains("1.0", StringComparison.Ordinal));
        Assert.Contains(table, l => l.StartsWith("edge, left", StringComparison.Ordinal) && l.Contains("excluded", StringComparison.Ordinal));
        Assert.DoesNotContain(table, l => l.StartsWith("absent", StringComparison.Ordinal));
        Assert.Contains("2 of 3 structures present, 1 touching the border", report.ToTable(), StringComparison.Ordinal);

        var csv = report.ToCsv().Split('\n');
        Assert.Equal("structure,volume_ml,intensity", csv[0]);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"inner,0.001,{image[5, 5, 4]:0.0}"), csv[1]);
        Assert.StartsWith("\"edge, left\",0.0,0.0", csv[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_with_a_median_report_adds_the_median_beside_the_mean()
    {
        // Four voxels of one structure with HU 10, 20, 30 and 1000: mean 265, median (20 + 30) / 2 = 25.
        var image = Volume<short>.Zeros(Shape, Affine.Identity);
        var labels = Volume<byte>.Zeros(Shape, Affine.Identity);
        short[] hu = [10, 20, 30, 1000];
        for (int i = 0; i < hu.Length; i++)
        {
            image[3 + i, 5, 4] = hu[i];
            labels[3 + i, 5, 4] = 1;
        }

        var names = new Dictionary<int, string> { [1] = "inner" };
        var mean = StatisticsReport.Compute(image, labels, names);
        var median = StatisticsReport.Compute(image, labels, names, StatisticsOptions.Default with { Metric = IntensityMetric.Median });
        var csv = StatisticsCsv.ToCsv(mean.Structures, median.Structures).Split('\n');
        Assert.Equal("structure,volume_ml,intensity,intensity_median", csv[0]);
        Assert.Equal("inner,0.004,265.0,25.0", csv[1]);
        Assert.Throws<ArgumentException>(() => StatisticsCsv.ToCsv(mean.Structures, []));
    }

    /// <summary>An int16 image whose every voxel has a distinct value, so a wrong voxel changes the mean.</summary>
    private static Volume<short> Ramp(VolumeShape shape, Affine affine)
    {
        var data = new short[shape.VoxelCount];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (short)((i * 7) - 3000);
        }

        return new Volume<short>(shape, affine, data);
    }
}
