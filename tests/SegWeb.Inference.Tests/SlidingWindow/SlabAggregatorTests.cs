using SegWeb.Inference.SlidingWindow;

namespace SegWeb.Inference.Tests.SlidingWindow;

public sealed class SlabAggregatorTests
{
    [Theory]
    [InlineData(1, 3, AccumulatorPrecision.Single, false)]
    [InlineData(2, 5, AccumulatorPrecision.Single, false)]
    [InlineData(3, 2, AccumulatorPrecision.Single, false)]
    [InlineData(4, 7, AccumulatorPrecision.Single, false)]
    [InlineData(5, 4, AccumulatorPrecision.Half, false)]
    [InlineData(6, 6, AccumulatorPrecision.Half, false)]
    [InlineData(7, 3, AccumulatorPrecision.Single, true)]
    [InlineData(8, 5, AccumulatorPrecision.Single, true)]
    [InlineData(9, 4, AccumulatorPrecision.Half, true)]
    [InlineData(10, 6, AccumulatorPrecision.Single, true)]
    public void Slab_aggregation_equals_whole_volume_aggregation_on_random_tiles(int seed, int classes, AccumulatorPrecision precision, bool padded)
    {
        // Half sums keep 11 significant bits; each of the few additions per voxel rounds once.
        double tolerance = precision == AccumulatorPrecision.Half ? 4e-3 : 1e-5;
        var random = new Random(seed);
        int[] patch = [random.Next(2, 7), random.Next(2, 7), random.Next(2, 7)];
        int[] size = [patch[0] + random.Next(0, 15), patch[1] + random.Next(0, 9), patch[2] + random.Next(0, 9)];
        // Random tile origins (covering every plane, so every voxel has weight), sorted by depth as the contract asks.
        var tiles = new List<TileOrigin>();
        foreach (var d in TilePlanner.Steps(size[0], patch[0], 0.6))
        {
            foreach (var h in TilePlanner.Steps(size[1], patch[1], 0.6))
            {
                foreach (var w in TilePlanner.Steps(size[2], patch[2], 0.6))
                {
                    tiles.Add(new TileOrigin(d, h, w));
                }
            }
        }

        for (int extra = 0; extra < 20; extra++)
        {
            tiles.Add(new TileOrigin(random.Next(0, size[0] - patch[0] + 1), random.Next(0, size[1] - patch[1] + 1), random.Next(0, size[2] - patch[2] + 1)));
        }

        tiles = [.. tiles.OrderBy(t => t.D).ThenBy(_ => random.Next())];
        int pv = patch[0] * patch[1] * patch[2];
        var gaussian = Enumerable.Range(0, pv).Select(_ => (float)(0.1 + random.NextDouble())).ToArray();
        var logits = tiles.Select(_ => Enumerable.Range(0, classes * pv).Select(_ => (float)((random.NextDouble() * 8) - 4)).ToArray()).ToList();

        // Whole-volume reference in double.
        long voxels = (long)size[0] * size[1] * size[2];
        var sums = new double[classes * voxels];
        var weights = new double[voxels];
        for (int t = 0; t < tiles.Count; t++)
        {
            for (int z = 0; z < patch[0]; z++)
            {
                for (int y = 0; y < patch[1]; y++)
                {
                    for (int x = 0; x < patch[2]; x++)
                    {
                        int p = (((z * patch[1]) + y) * patch[2]) + x;
                        long v = ((((long)(tiles[t].D + z) * size[1]) + tiles[t].H + y) * size[2]) + tiles[t].W + x;
                        weights[v] += gaussian[p];
                        for (int c = 0; c < classes; c++)
                        {
                            sums[(c * voxels) + v] += (double)logits[t][(c * pv) + p] * gaussian[p];
                        }
                    }
                }
            }
        }

        // With padding, only a random inner box (the unpadded image) is kept: the aggregator stores just that box and
        // must give exactly the whole padded volume's result cropped to it.
        var crop = PaddingRegion.For(size, size);
        if (padded)
        {
            var offset = size.Select(s => random.Next(0, Math.Min(3, s))).ToArray();
            var inner = size.Select((s, a) => Math.Max(1, s - offset[a] - random.Next(0, 3))).ToArray();
            crop = new PaddingRegion(offset, inner, size);
        }

        var received = new float[classes * voxels];
        var planesSeen = new List<int>();
        var aggregator = new SlabAggregator(classes, size, patch, crop, (plane, values) =>
        {
            planesSeen.Add(plane);
            int planeVoxels = crop.Size[1] * crop.Size[2];
            Assert.Equal(classes * planeVoxels, values.Length);
            for (int c = 0; c < classes; c++)
            {
                for (int y = 0; y < crop.Size[1]; y++)
                {
                    // Back into the padded volume's coordinates, where the reference lives.
                    long target = (c * voxels) + ((((long)(plane + crop.Offset[0]) * size[1]) + crop.Offset[1] + y) * size[2]) + crop.Offset[2];
                    values.Slice((c * planeVoxels) + (y * crop.Size[2]), crop.Size[2]).CopyTo(received.AsSpan((int)target, crop.Size[2]));
                }
            }
        }, precision);
        for (int t = 0; t < tiles.Count; t++)
        {
            aggregator.Add(tiles[t], logits[t], gaussian);
            // Everything below the current tile's start is already final: the window never exceeds one patch depth.
            Assert.Equal(tiles[t].D, aggregator.FinalizedPlanes);
        }

        aggregator.Complete();
        Assert.Equal(Enumerable.Range(0, crop.Size[0]), planesSeen);
        Assert.Equal(crop.Size[0] * crop.Size[1] * crop.Size[2], aggregator.Labels.Length);
        int nearTies = 0, compared = 0;
        for (long v = 0; v < voxels; v++)
        {
            int vz = (int)(v / ((long)size[1] * size[2])), vy = (int)(v / size[2] % size[1]), vx = (int)(v % size[2]);
            int oz = vz - crop.Offset[0], oy = vy - crop.Offset[1], ox = vx - crop.Offset[2];
            if (oz < 0 || oy < 0 || ox < 0 || oz >= crop.Size[0] || oy >= crop.Size[1] || ox >= crop.Size[2])
            {
                continue;
            }

            long labelIndex = ((((long)oz * crop.Size[1]) + oy) * crop.Size[2]) + ox;
            compared++;
            int best = 0;
            var expected = new double[classes];
            for (int c = 0; c < classes; c++)
            {
                expected[c] = sums[(c * voxels) + v] / weights[v];
                Assert.True(Math.Abs(received[(c * voxels) + v] - expected[c]) <= tolerance * Math.Max(1, Math.Abs(expected[c])), $"voxel {v} class {c}: {received[(c * voxels) + v]} vs {expected[c]}");
                if (expected[c] > expected[best])
                {
                    best = c;
                }
            }

            // The label is the argmax of what the aggregator computed; it equals the exact argmax unless two classes
            // are closer than the storage precision can tell apart.
            double runnerUp = expected.Where((_, c) => c != best).DefaultIfEmpty(double.NegativeInfinity).Max();
            if (expected[best] - runnerUp > 2 * tolerance * Math.Max(1, Math.Abs(expected[best])))
            {
                Assert.Equal(best, aggregator.Labels[labelIndex]);
            }
            else
            {
                nearTies++;
            }
        }

        Assert.Equal(crop.Size[0] * crop.Size[1] * crop.Size[2], compared);
        Assert.True(nearTies < Math.Max(1, compared / 50), $"{nearTies} near ties of {compared}");
    }

    [Fact]
    public void Padding_is_cropped_from_labels_and_logits()
    {
        int[] size = [3, 4, 2];
        var region = PaddingRegion.For(size, [6, 4, 5]);
        Assert.Equal(new[] { 1, 0, 1 }, region.Offset);
        var aggregator = new SlabAggregator(2, region.PaddedSize, [6, 4, 5], region, (plane, values) => Assert.Equal(2 * 4 * 2, values.Length));
        // Class 1 wins exactly on the unpadded voxels whose padded width index is 1.
        var logits = new float[2 * 6 * 4 * 5];
        for (int i = 0; i < 6 * 4 * 5; i++)
        {
            logits[(6 * 4 * 5) + i] = i % 5 == 1 ? 1 : -1;
        }

        aggregator.Add(new TileOrigin(0, 0, 0), logits, Enumerable.Repeat(1f, 6 * 4 * 5).ToArray());
        aggregator.Complete();
        Assert.Equal(3 * 4 * 2, aggregator.Labels.Length);
        Assert.All(Enumerable.Range(0, aggregator.Labels.Length), i => Assert.Equal(i % 2 == 0 ? 1 : 0, aggregator.Labels[i]));
    }

    [Fact]
    public void The_ring_holds_only_the_unpadded_image()
    {
        // example_ct_sm at 3 mm is 30 × 101 × 122 in network order; the 112³ patch pads it to 112 × 112 × 122.
        var region = PaddingRegion.For([30, 101, 122], [112, 112, 112]);
        long bytes = SlabAggregator.EstimateBytes(118, region.PaddedSize, [112, 112, 112], region.Size);
        long ring = 30L * 101 * 122;
        Assert.Equal((119 * 4 * ring) + ring + (118L * 101 * 122 * 4), bytes);
        long paddedRing = 112L * 112 * 122;
        Assert.True(bytes < 119 * 4 * paddedRing / 3, $"{bytes} bytes: the padding is still stored");
    }

    [Fact]
    public void Tiles_out_of_depth_order_are_refused()
    {
        int[] size = [20, 4, 4];
        var aggregator = new SlabAggregator(2, size, [4, 4, 4], PaddingRegion.For(size, size));
        var ones = Enumerable.Repeat(1f, 64).ToArray();
        aggregator.Add(new TileOrigin(0, 0, 0), new float[128], ones);
        aggregator.Add(new TileOrigin(2, 0, 0), new float[128], ones);
        aggregator.Add(new TileOrigin(4, 0, 0), new float[128], ones);
        Assert.Throws<InvalidOperationException>(() => aggregator.Add(new TileOrigin(1, 0, 0), new float[128], ones));
        // A gap no tile covered cannot be finalised silently.
        Assert.Throws<InvalidOperationException>(() => aggregator.Add(new TileOrigin(12, 0, 0), new float[128], ones));
    }

    [Fact]
    public void Memory_estimate_grows_with_patch_depth_and_plane_not_with_volume_depth()
    {
        long half = SlabAggregator.EstimateBytes(118, [200, 512, 512], [128, 128, 128], [200, 512, 512], AccumulatorPrecision.Half);
        Assert.Equal(((118L * 2) + 4) * 128 * 512 * 512, half - (200L * 512 * 512) - (118L * 512 * 512 * 4));
        long shallow = SlabAggregator.EstimateBytes(118, [200, 512, 512], [128, 128, 128], [200, 512, 512]);
        long deep = SlabAggregator.EstimateBytes(118, [2000, 512, 512], [128, 128, 128], [2000, 512, 512]);
        // Only the byte labels of the extra planes differ: 1800 planes × 512 × 512 bytes.
        Assert.Equal(1800L * 512 * 512, deep - shallow);
        Assert.Equal((119L * 128 * 512 * 512 * 4) + (200L * 512 * 512) + (118L * 512 * 512 * 4), shallow);
    }
}
