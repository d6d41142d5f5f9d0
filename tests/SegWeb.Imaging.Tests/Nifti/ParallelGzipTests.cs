using System.IO.Compression;
using Microsoft.Win32.SafeHandles;
using SegWeb.Imaging.Compression;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.Nifti;

/// <summary>The multi-member gzip SegWeb writes: valid gzip for every reader, indexed for SegWeb's parallel reader.</summary>
public sealed class ParallelGzipTests
{
    [Fact]
    public void Members_are_indexed_and_their_concatenation_is_the_input()
    {
        using var dir = new TempDirectory("pgz");
        var data = new short[300_000];
        var rng = new Random(7);
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (short)(i % 1000 < 500 ? -1000 : rng.Next(-200, 200));
        }

        var prefix = "prefix bytes"u8.ToArray();
        var path = dir.File("x.gz");
        using (var f = File.Create(path))
        {
            ParallelGzipWriter.Write(f, prefix, data, data.Length * 2L, blockSize: 64 << 10, maxDegreeOfParallelism: 3);
        }

        using (var handle = File.OpenHandle(path))
        {
            var index = GzipMemberIndex.TryBuild(handle, RandomAccess.GetLength(handle), 1 << 20);
            Assert.NotNull(index);
            Assert.Equal(1 + ((600_000 + (64 << 10) - 1) / (64 << 10)), index.Members.Count);
            Assert.Equal(prefix.Length + 600_000L, index.TotalUncompressed);

            // Parallel range read, deliberately not aligned to members (partial first and last members).
            var part = new byte[250_001];
            ParallelGzipReader.ReadRange(handle, index, prefix.Length + 12_345, part, part.Length, 4);
            Assert.Equal(ParallelGzipWriter.BytesOf(data, 12_345, part.Length).ToArray(), part);
        }

        // Any gzip reader (here .NET's, which follows members) sees prefix + data.
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var all = new MemoryStream();
        gz.CopyTo(all);
        Assert.Equal([.. prefix, .. ParallelGzipWriter.BytesOf(data, 0, 600_000).ToArray()], all.ToArray());
        NiftiWriteAgainstNibabelTests.AssertGzipToolsAccept([path]);
    }

    [Fact]
    public void Single_member_gzip_from_another_tool_has_no_index_and_reads_sequentially()
    {
        using var dir = new TempDirectory("pgz1");
        var volume = new Volume<float>(new VolumeShape(33, 20, 7), Affine.FromSpacing(1, 2, 3), [.. Enumerable.Range(0, 33 * 20 * 7).Select(i => i * 0.5f)]);
        var nii = dir.File("a.nii");
        NiftiWriter.Write(nii, volume);
        var gzPath = dir.File("a.nii.gz");
        using (var output = File.Create(gzPath))
        using (var gz = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gz.Write(File.ReadAllBytes(nii));
        }

        using (var handle = File.OpenHandle(gzPath))
        {
            Assert.Null(GzipMemberIndex.TryBuild(handle, RandomAccess.GetLength(handle), 1 << 20));
        }

        var back = (Volume<float>)NiftiReader.Read(gzPath).Volume;
        Assert.Equal(volume.Data, back.Data);
    }

    [Fact]
    public void A_member_whose_data_is_corrupted_is_a_format_error_not_a_crash()
    {
        using var dir = new TempDirectory("pgz2");
        var volume = new Volume<int>(new VolumeShape(64, 64, 16), Affine.Identity, [.. Enumerable.Range(0, 64 * 64 * 16)]);
        var path = dir.File("c.nii.gz");
        NiftiWriter.Write(path, volume, null, new NiftiWriteOptions { BlockSize = 16 << 10 });
        var bytes = File.ReadAllBytes(path);
        for (int i = bytes.Length / 2; i < (bytes.Length / 2) + 40; i++)
        {
            bytes[i] ^= 0x5a;
        }

        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ImageFormatException>(() => NiftiReader.Read(path));
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Many_blocks_in_flight_come_out_in_order_and_a_failing_destination_stops_the_write()
    {
        // 37 small blocks through the sliding window: gzip (one stream over all members) must give back the input.
        var data = new byte[37 * 4096 + 123];
        new Random(7).NextBytes(data.AsSpan(0, data.Length / 2));
        using var packed = new MemoryStream();
        ParallelGzipWriter.Write(packed, [], data, data.Length, blockSize: 4096, maxDegreeOfParallelism: 3);
        packed.Position = 0;
        using var unpacked = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionMode.Decompress))
        {
            gz.CopyTo(unpacked);
        }

        Assert.Equal(data, unpacked.ToArray());

        // A destination that fails part-way: the error reaches the caller (no hang, no swallowed exception).
        var failing = new FailingStream(failAfterBytes: 20_000);
        Assert.Throws<IOException>(() => ParallelGzipWriter.Write(failing, [], data, data.Length, blockSize: 4096, maxDegreeOfParallelism: 2));
    }

    private sealed class FailingStream(long failAfterBytes) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written;

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > failAfterBytes)
            {
                throw new IOException("disk full (test)");
            }

            _written += buffer.Length;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
