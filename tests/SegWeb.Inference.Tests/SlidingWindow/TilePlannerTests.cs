using System.Text.Json;
using SegWeb.Inference.SlidingWindow;

namespace SegWeb.Inference.Tests.SlidingWindow;

public sealed class TilePlannerTests
{
    private static readonly (int Image, int Patch, double Step)[] Cases =
    [
        (110, 64, 0.5), (128, 128, 0.5), (129, 128, 0.5), (300, 96, 0.8), (50, 7, 0.33), (64, 64, 1.0), (200, 40, 0.25),
        (97, 28, 0.5), (512, 128, 0.8), (31, 30, 0.5), (1000, 112, 0.5), (45, 10, 0.7),
    ];

    [SkippableFact]
    public void Tile_starts_match_the_numpy_reference()
    {
        ReferencePython.Require("numpy");
        var json = JsonSerializer.Serialize(Cases.Select(c => new object[] { c.Image, c.Patch, c.Step }));
        var expected = JsonSerializer.Deserialize<int[][]>(ReferenceScript.Run("steps", json))!;
        for (int i = 0; i < Cases.Length; i++)
        {
            var (image, patch, step) = Cases[i];
            Assert.Equal(expected[i], TilePlanner.Steps(image, patch, step));
        }
    }

    [Fact]
    public void Tiles_cover_the_image_from_edge_to_edge_with_at_most_the_step_between_them()
    {
        foreach (var (image, patch, step) in Cases)
        {
            var s = TilePlanner.Steps(image, patch, step);
            Assert.Equal(0, s[0]);
            Assert.Equal(image - patch, s[^1]);
            Assert.All(s.Zip(s.Skip(1)), p => Assert.InRange(p.Second - p.First, 1, (int)Math.Ceiling(patch * step)));
        }
    }

    [Fact]
    public void Tiles_come_depth_major_so_depth_starts_never_decrease()
    {
        var tiles = TilePlanner.Tiles([40, 30, 20], [16, 12, 8], 0.5);
        Assert.Equal(TilePlanner.Steps(40, 16, 0.5).Length * TilePlanner.Steps(30, 12, 0.5).Length * TilePlanner.Steps(20, 8, 0.5).Length, tiles.Count);
        Assert.True(tiles.Zip(tiles.Skip(1)).All(p => p.Second.D >= p.First.D));
        Assert.Equal(new TileOrigin(24, 18, 12), tiles[^1]);
    }

    [Fact]
    public void An_image_smaller_than_the_patch_must_be_padded_first()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TilePlanner.Steps(20, 32, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => TilePlanner.Steps(64, 32, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TilePlanner.Steps(64, 32, 1.5));
    }

    [SkippableFact]
    public void Padding_matches_nnunets_pad_nd_image()
    {
        ReferencePython.Require("numpy");
        int[][][] cases =
        [
            [[6, 20, 10], [8, 16, 12]], [[8, 16, 12], [8, 16, 12]], [[3, 5, 7], [128, 112, 160]], [[200, 9, 11], [64, 64, 64]],
        ];
        var expected = JsonSerializer.Deserialize<int[][][]>(ReferenceScript.Run("padding", JsonSerializer.Serialize(cases)))!;
        for (int i = 0; i < cases.Length; i++)
        {
            var region = PaddingRegion.For(cases[i][0], cases[i][1]);
            Assert.Equal(expected[i][0], region.Offset);
            Assert.Equal(expected[i][1], region.PaddedSize);
            Assert.Equal(cases[i][0], region.Size);
        }
    }
}
