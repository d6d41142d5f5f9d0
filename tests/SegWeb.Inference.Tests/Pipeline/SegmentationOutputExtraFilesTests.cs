using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Pipeline;

namespace SegWeb.Inference.Tests.Pipeline;

/// <summary><see cref="SegmentationOutputOptions.ExtraFiles"/> (the CLI's preview) are published with the outputs, all or nothing.</summary>
public sealed class SegmentationOutputExtraFilesTests
{
    private static SegmentationResult Result()
    {
        var shape = new VolumeShape(6, 5, 4);
        var affine = Affine.FromSpacing(2, 2, 3);
        var labels = new byte[shape.VoxelCount];
        labels[7] = 1;
        labels[20] = 2;
        return new SegmentationResult(new Volume<byte>(shape, affine, labels), new Dictionary<int, string> { [1] = "a", [2] = "b" },
            Volume<short>.Zeros(shape, affine), null, [], []);
    }

    [Fact]
    public void Extra_files_land_beside_the_masks()
    {
        using var tmp = new TempDirectory("output-extra");
        var output = tmp.File("out");

        var written = SegmentationOutput.Write(Result(), output, new SegmentationOutputOptions
        {
            ExtraFiles = [("note.txt", path => File.WriteAllText(path, "hello"))],
        });

        Assert.Equal(["a.nii.gz", "b.nii.gz", "note.txt"], written.Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("hello", File.ReadAllText(Path.Combine(output, "note.txt")));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_failing_extra_file_publishes_nothing()
    {
        using var tmp = new TempDirectory("output-extra");
        var output = tmp.File("out");

        Assert.Throws<IOException>(() => SegmentationOutput.Write(Result(), output, new SegmentationOutputOptions
        {
            Multilabel = false,
            ExtraFiles = [("preview.png", _ => throw new IOException("disk full"))],
        }));

        Assert.Empty(Directory.GetFileSystemEntries(tmp.Path));
    }
}
