using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.Nifti;

/// <summary>SegWeb reads files nibabel wrote and gets what nibabel gets: stored and scaled values, affine, codes, extensions.</summary>
public sealed class NiftiReadAgainstNibabelTests(NibabelCasesFixture fixture) : IClassFixture<NibabelCasesFixture>
{
    [SkippableFact]
    public void Every_synthetic_case_reads_like_nibabel()
    {
        var cases = fixture.Cases;
        Assert.True(cases.Count >= 48, $"only {cases.Count} cases");
        var failures = new List<string>();
        for (int k = 0; k < cases.Count; k++)
        {
            try
            {
                CompareWithNibabel(cases[k], k);
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException or ImageFormatException)
            {
                failures.Add($"{Path.GetFileName(cases[k].Path)}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [SkippableFact]
    public void The_cases_cover_the_required_variety()
    {
        var cases = fixture.Cases;
        Assert.Contains(cases, c => c.BigEndian);
        Assert.Contains(cases, c => c.Version == 2);
        Assert.Contains(cases, c => c.Path.EndsWith(".nii", StringComparison.Ordinal));
        Assert.Contains(cases, c => c.Path.EndsWith(".nii.gz", StringComparison.Ordinal));
        Assert.Contains(cases, c => c.Slope != 1 && c.Inter != 0);
        Assert.Contains(cases, c => c.Affine[0][1] != 0); // oblique
        Assert.Contains(cases, c => c.ExtensionList.Any());
        foreach (var dtype in new[] { "|u1", "|i1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f4", "<f8" })
        {
            Assert.Contains(cases, c => c.Dtype == dtype);
        }
    }

    [SkippableFact]
    public void Real_example_ct_reads_like_nibabel()
    {
        var path = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        var (c, k) = FindCase(path);
        var image = CompareWithNibabel(c, k);
        Assert.IsType<Volume<short>>(image.Volume);
        Assert.Equal(new VolumeShape(122, 101, 30), image.Volume.Shape);
        Assert.Equal(0, image.Header.QformCode);
        Assert.True(image.Header.SformCode > 0);
    }

    [SkippableFact]
    public void Real_example_segmentation_reads_like_nibabel()
    {
        var path = TestData.Require("totalsegmentator/example_seg.nii.gz");
        var (c, k) = FindCase(path);
        var image = CompareWithNibabel(c, k);
        Assert.IsType<Volume<byte>>(image.Volume);
        Assert.Single(image.Header.Extensions);
    }

    [SkippableFact]
    public void Real_example_mr_with_lps_like_affine_reads_like_nibabel()
    {
        var path = TestData.Require("totalsegmentator/example_mr_sm.nii.gz");
        var (c, k) = FindCase(path);
        CompareWithNibabel(c, k);
    }

    [SkippableFact]
    public void Stream_overload_reads_the_same_as_the_path_overload()
    {
        foreach (var c in fixture.Cases.Take(8))
        {
            var fromPath = NiftiReader.Read(c.Path);
            using var nonSeekable = new NonSeekableStream(File.ReadAllBytes(c.Path));
            var fromStream = NiftiReader.Read(nonSeekable, c.Path);
            Assert.Equal(NibabelReference.Sha256Of(fromPath.Volume), NibabelReference.Sha256Of(fromStream.Volume));
            Assert.Equal(fromPath.Volume.Affine, fromStream.Volume.Affine);
            Assert.Equal(fromPath.Header.Extensions.Count, fromStream.Header.Extensions.Count);
        }
    }

    private (NibabelCase Case, int Index) FindCase(string path)
    {
        var cases = fixture.Cases;
        int k = cases.FindIndex(c => Path.GetFullPath(c.Path) == Path.GetFullPath(path));
        Assert.True(k >= 0, $"{path} was not dumped by nibabel");
        return (cases[k], k);
    }

    private NiftiImage CompareWithNibabel(NibabelCase c, int k)
    {
        var image = NiftiReader.Read(c.Path);
        var volume = image.Volume;
        Assert.Equal(c.Version, (int)image.Header.Version);
        Assert.Equal(c.BigEndian, image.Header.IsBigEndian);
        Assert.Equal(c.Dtype, NpyDescr(volume.VoxelType));
        Assert.Equal(c.Shape, new[] { volume.Shape.X, volume.Shape.Y, volume.Shape.Z });
        AssertAffine(c.Affine, volume.Affine);
        Assert.Equal(c.Slope, volume.Slope, 12);
        Assert.Equal(c.Inter, volume.Intercept, 12);
        Assert.Equal(c.Descrip, image.Header.Descrip);
        Assert.Equal(c.XyztUnits, image.Header.XyztUnits);
        Assert.Equal(c.ExtensionList.Select(e => (e.Code, Convert.ToHexString(e.Content))),
            image.Header.Extensions.Select(e => (e.Code, Convert.ToHexString(e.Content))));

        // Stored values: bit-exact against nibabel's unscaled array.
        Assert.Equal(c.Sha256, NibabelReference.Sha256Of(volume));
        var raw = Npy.Read(Path.Combine(fixture.Directory.Path, $"{k}_raw.npy"));
        Assert.True(raw.FortranOrder);
        Assert.Equal(raw.Data, ParallelGzipBytes(volume));

        // Scaled values: nibabel's np.asanyarray(img.dataobj), as float64.
        var scaled = Npy.ReadVolume<double>(Path.Combine(fixture.Directory.Path, $"{k}_scaled.npy"));
        for (long i = 0; i < volume.Shape.VoxelCount; i++)
        {
            double expected = scaled.Data[i], actual = volume.GetValue(i);
            if (Math.Abs(expected - actual) > 1e-6 * Math.Max(1, Math.Abs(expected)))
            {
                Assert.Fail($"scaled voxel {i}: nibabel {expected}, SegWeb {actual}");
            }
        }

        return image;
    }

    private static byte[] ParallelGzipBytes(Volume v) =>
        SegWeb.Imaging.Compression.ParallelGzipWriter.BytesOf(v.RawData, 0, (int)(v.Shape.VoxelCount * v.VoxelType.SizeInBytes())).ToArray();

    internal static void AssertAffine(double[][] expected, Affine actual)
    {
        for (int r = 0; r < 4; r++)
        {
            for (int col = 0; col < 4; col++)
            {
                Assert.True(Math.Abs(expected[r][col] - actual[r, col]) <= 1e-6,
                    $"affine[{r},{col}]: nibabel {expected[r][col]}, SegWeb {actual[r, col]}\n{actual}");
            }
        }
    }

    internal static string NpyDescr(VoxelType t) => t switch
    {
        VoxelType.UInt8 => "|u1",
        VoxelType.Int8 => "|i1",
        VoxelType.Int16 => "<i2",
        VoxelType.UInt16 => "<u2",
        VoxelType.Int32 => "<i4",
        VoxelType.UInt32 => "<u4",
        VoxelType.Int64 => "<i8",
        VoxelType.UInt64 => "<u8",
        VoxelType.Float32 => "<f4",
        _ => "<f8",
    };
}

/// <summary>A read-only, unseekable stream over bytes (what a network or pipe gives).</summary>
internal sealed class NonSeekableStream(byte[] bytes) : Stream
{
    private readonly MemoryStream _inner = new(bytes, writable: false);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _inner.Dispose();
        base.Dispose(disposing);
    }
}
