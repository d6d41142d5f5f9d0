using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.Nifti;

/// <summary>Truncated, hostile, absurd and wrong-format inputs: each a typed error naming the file and the problem, in bounded time and memory.</summary>
public sealed class NiftiBadInputTests : IDisposable
{
    private readonly TempDirectory _dir = new("nifti-bad");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Truncated_gzip_reports_truncation()
    {
        var path = WriteSample("t.nii.gz", 40, 30, 20);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        AssertRefused(path, "truncated");
    }

    [Fact]
    public void Truncated_single_member_gzip_reports_truncation()
    {
        var nii = WriteSample("s.nii", 40, 30, 20);
        var path = _dir.File("s1.nii.gz");
        File.WriteAllBytes(path, Gzip(File.ReadAllBytes(nii))[..3000]);
        AssertRefused(path, "");
    }

    [Fact]
    public void Plain_file_shorter_than_the_header_claims_names_both_sizes()
    {
        var path = WriteSample("p.nii", 10, 10, 10); // int16: 2000 bytes of voxels
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(352 + 1500)]);
        var e = AssertRefused(path, "truncated: header needs 2000 bytes of voxel data, file has 1500");
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Wrong_magic_and_non_nifti_files_are_refused()
    {
        var path = WriteSample("m.nii", 4, 4, 4);
        var bytes = File.ReadAllBytes(path);
        "xyz\0"u8.CopyTo(bytes.AsSpan(344));
        File.WriteAllBytes(path, bytes);
        AssertRefused(path, "bad NIfTI-1 magic");

        var text = _dir.File("text.nii");
        File.WriteAllText(text, "this is not an image, just some text that is long enough to look like a header ...");
        AssertRefused(text, "not a NIfTI file");
        var empty = _dir.File("empty.nii.gz");
        File.WriteAllBytes(empty, []);
        AssertRefused(empty, "not a NIfTI file");
        AssertRefused(_dir.File("missing.nii"), "cannot open");
    }

    [Theory]
    [InlineData(1, -5, "dim[1] = -5 is not a valid size")]
    [InlineData(2, 0, "dim[2] = 0 is not a valid size")]
    [InlineData(0, 9, "dim[0] = 9 is not a valid number of dimensions")]
    [InlineData(0, 0, "dim[0] = 0 is not a valid number of dimensions")]
    public void Negative_zero_and_absurd_dimensions_are_refused(int index, short value, string problem)
    {
        var path = WriteSample($"d{index}{value}.nii", 4, 5, 6);
        Patch(path, b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40 + (2 * index)), value));
        AssertRefused(path, problem);
    }

    [Fact]
    public void A_header_claiming_huge_dimensions_is_refused_before_allocating()
    {
        var path = WriteSample("huge.nii", 4, 5, 6, nifti2: true);
        Patch(path, b =>
        {
            BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16 + 8), 2_000_000_000);
            BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16 + 16), 2_000_000_000);
            BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16 + 24), 2_000_000_000);
        });
        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertRefused(path, "above the limit");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (8 << 20));

        var tooBig = _dir.File("nifti2-dim.nii");
        File.Copy(path, tooBig);
        Patch(tooBig, b => BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16 + 8), 1L << 40));
        AssertRefused(tooBig, "dim[1] = 1099511627776 is not a valid size");
    }

    [Fact]
    public void A_gzip_bomb_header_claiming_1000_cubed_float64_is_refused_without_inflating()
    {
        // A valid header claiming 1000^3 float64 (8 GB), then 50 MB of zeros that deflate to ~50 kB.
        var header = NiftiWriter.BuildHeader(new Volume<double>(new VolumeShape(1, 1, 1), Affine.Identity, [0.0]), null);
        header.Dim = [3, 1000, 1000, 1000, 1, 1, 1, 1];
        var path = _dir.File("bomb.nii.gz");
        using (var f = File.Create(path))
        using (var gz = new GZipStream(f, CompressionLevel.SmallestSize))
        {
            gz.Write(NiftiHeaderCodec.Serialize(header));
            gz.Write(new byte[4]);
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 50; i++)
            {
                gz.Write(zeros);
            }
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        AssertRefused(path, "header needs 8000000000 bytes of voxel data");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (8 << 20), "allocated too much");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10));

        // With a limit below the claim, the limit speaks first.
        var e = Assert.Throws<ImageFormatException>(() => NiftiReader.Read(path, new NiftiReadOptions { MaxVoxelBytes = 1 << 30 }));
        Assert.Contains("MaxVoxelBytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_small_header_followed_by_far_more_data_inflates_only_what_it_needs()
    {
        // Valid 8×8×8 uint8 header, then 200 MB of compressible data: only 512 bytes of voxels are inflated.
        var volume = new Volume<byte>(new VolumeShape(8, 8, 8), Affine.Identity, [.. Enumerable.Range(0, 512).Select(i => (byte)i)]);
        var nii = _dir.File("small.nii");
        NiftiWriter.Write(nii, volume);
        var path = _dir.File("tail.nii.gz");
        using (var f = File.Create(path))
        using (var gz = new GZipStream(f, CompressionLevel.Fastest))
        {
            gz.Write(File.ReadAllBytes(nii));
            var junk = new byte[1 << 20];
            for (int i = 0; i < 200; i++)
            {
                gz.Write(junk);
            }
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        var back = (Volume<byte>)NiftiReader.Read(path).Volume;
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"took {sw.Elapsed}: inflated more than needed?");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (4 << 20));
        Assert.Equal(volume.Data, back.Data);
    }

    [Fact]
    public void Four_dimensional_images_are_refused_but_their_header_reads()
    {
        var path = WriteSample("4d.nii", 4, 5, 6);
        Patch(path, b =>
        {
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40), 4);
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(48), 3);
        });
        AssertRefused(path, "4D images are not supported (dim[4]=3)");
        var header = NiftiReader.ReadHeader(path);
        Assert.Equal(4, header.Rank);
        Assert.Equal(3, header.SizeOf(3));
    }

    [Theory]
    [InlineData(128, 24, "Rgb24 (code 128) is not supported")]
    [InlineData(32, 64, "Complex64 (code 32) is not supported")]
    [InlineData(1792, 128, "Complex128 (code 1792) is not supported")]
    [InlineData(77, 8, "unknown datatype code 77 is not supported")]
    [InlineData(4, 8, "bitpix = 8 does not match datatype Int16")]
    public void Unsupported_datatypes_and_bitpix_mismatches_are_named(short datatype, short bitpix, string problem)
    {
        var path = WriteSample($"dt{datatype}_{bitpix}.nii", 4, 4, 4);
        Patch(path, b =>
        {
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(70), datatype);
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(72), bitpix);
        });
        AssertRefused(path, problem);
    }

    [Theory]
    [InlineData(100f, "vox_offset = 100 is too small")]
    [InlineData(float.NaN, "vox_offset is not a valid byte offset")]
    [InlineData(352.5f, "vox_offset is not a valid byte offset")]
    [InlineData(1e9f, "MaxExtensionBytes")]
    [InlineData(10000f, "truncated")]
    public void Bad_vox_offsets_are_refused(float offset, string problem)
    {
        var path = WriteSample($"vo{offset}.nii", 4, 4, 4);
        Patch(path, b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(108), offset));
        AssertRefused(path, problem);
    }

    [Fact]
    public void Bad_extension_sizes_and_bad_quaternions_are_refused()
    {
        var header = new NiftiHeader { Extensions = [new NiftiExtension(6, "hello"u8.ToArray())] };
        var path = _dir.File("ext.nii");
        NiftiWriter.Write(path, new Volume<byte>(new VolumeShape(2, 2, 2), Affine.Identity, new byte[8]), header);
        Patch(path, b => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(352), 4000));
        AssertRefused(path, "header extension 0 has size 4000");

        var q = WriteSample("q.nii", 3, 3, 3);
        Patch(q, b =>
        {
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(252), 1); // qform code 1
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(254), 0); // sform code 0
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(256), 0.9f);
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(260), 0.9f);
        });
        AssertRefused(q, "not a unit quaternion");

        var slope = WriteSample("slope.nii", 3, 3, 3);
        Patch(slope, b =>
        {
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(112), 2f);
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(116), float.PositiveInfinity);
        });
        AssertRefused(slope, "invalid scl_inter");
    }

    [Fact]
    public void A_failed_write_leaves_no_file_behind()
    {
        var target = _dir.File("never.nii.gz");
        var singular = new Volume<byte>(new VolumeShape(2, 2, 2), new Affine([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), new byte[8]);
        Assert.Throws<ArgumentException>(() => NiftiWriter.Write(target, singular));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    internal static ImageFormatException AssertRefused(string path, string problem)
    {
        var e = Assert.Throws<ImageFormatException>(() => NiftiReader.Read(path));
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    private string WriteSample(string name, int x, int y, int z, bool nifti2 = false)
    {
        var path = _dir.File(name);
        var data = new short[x * y * z];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (short)((i * 37) % 2000);
        }

        var options = new NiftiWriteOptions { Version = nifti2 ? NiftiVersion.Nifti2 : NiftiVersion.Nifti1, BlockSize = 4096 };
        NiftiWriter.Write(path, new Volume<short>(new VolumeShape(x, y, z), Affine.FromSpacing(1, 1, 2), data), null, options);
        return path;
    }

    private static void Patch(string path, Action<byte[]> change)
    {
        var bytes = File.ReadAllBytes(path);
        change(bytes);
        File.WriteAllBytes(path, bytes);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }
}
