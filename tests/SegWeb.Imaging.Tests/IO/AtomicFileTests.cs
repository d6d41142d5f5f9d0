using SegWeb.Imaging.IO;

namespace SegWeb.Imaging.Tests.IO;

public sealed class AtomicFileTests
{
    [Fact]
    public void A_writer_that_fails_part_way_leaves_the_old_file_and_no_temporary()
    {
        using var dir = new TempDirectory("atomic");
        var path = dir.File("out.nii.gz");
        File.WriteAllText(path, "old");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half of the new content"u8);
            throw new IOException("disk full (test)");
        }));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Empty(Directory.GetFiles(dir.Path, AtomicFile.TemporaryPattern));
    }

    [Fact]
    public void The_temporary_path_keeps_the_suffix_and_the_result_replaces_the_target()
    {
        using var dir = new TempDirectory("atomic");
        var path = dir.File("labels.nii.gz");
        string? seen = null;

        AtomicFile.WriteToTemporaryPath(path, temporary =>
        {
            seen = temporary;
            File.WriteAllText(temporary, "new");
        });

        Assert.EndsWith(".partial.labels.nii.gz", seen, StringComparison.Ordinal);
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }
}
