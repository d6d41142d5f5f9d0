using System.Buffers.Binary;
using System.IO.Compression;
using SegWeb.Dicom.Pixels;
using SegWeb.Dicom.Series;
using SegWeb.Dicom.Tests.Support;

namespace SegWeb.Dicom.Tests.Robustness;

/// <summary>
/// Hand-made hostile inputs: each is refused with a <see cref="DicomFormatException"/> that names the file (or
/// archive) and the problem, before anything large is allocated.
/// </summary>
public sealed class HostileInputTests
{
    private static byte[] Write(DicomDataset ds, DicomWriteOptions? options = null)
    {
        using var stream = new MemoryStream();
        DicomWriter.Write(stream, ds, options);
        return stream.ToArray();
    }

    private static DicomFormatException Refused(byte[] bytes, string name = "hostile.dcm", DicomReadOptions? options = null)
    {
        var e = Assert.Throws<DicomFormatException>(() =>
        {
            var file = DicomFile.Read(bytes, name, options);
            var pixels = DicomPixelData.Open(file);
            for (int f = 0; f < pixels.FrameCount; f++)
            {
                pixels.DecodeFrame(f);
            }
        });
        Assert.StartsWith(name + ": ", e.Message, StringComparison.Ordinal);
        Console.WriteLine(e.Message);
        return e;
    }

    [Fact]
    public void Truncated_files_are_refused_at_every_cut()
    {
        var bytes = Write(SyntheticDataset.Build());
        for (int cut = 0; cut < bytes.Length - 1; cut += 7)
        {
            Refused(bytes[..cut]);
        }
    }

    [Fact]
    public void A_length_past_the_end_is_refused_naming_the_element()
    {
        var ds = SyntheticDataset.Build();
        var bytes = Write(ds);
        // PatientName (0010,0010) PN: explicit VR LE header 10 00 10 00 'P' 'N' len16.
        int at = bytes.AsSpan().IndexOf((ReadOnlySpan<byte>)[0x10, 0x00, 0x10, 0x00, (byte)'P', (byte)'N']);
        Assert.True(at > 0);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at + 6), 0xFFF0);
        var e = Refused(bytes);
        Assert.Contains("(0010,0010)", e.Message, StringComparison.Ordinal);
        Assert.Contains("remain", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_undefined_length_item_that_never_closes_is_refused()
    {
        var bytes = Write(SyntheticDataset.Build(), new DicomWriteOptions { UndefinedLengthSequences = true });
        // Cut the file just before the last item/sequence delimiters and the pixel data: the open sequence never closes.
        int lastDelimiter = bytes.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0xFE, 0xFF, 0xDD, 0xE0]);
        Assert.True(lastDelimiter > 0);
        var e = Refused(bytes[..lastDelimiter]);
        Assert.Contains("never closes", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sequences_nested_deeper_than_64_are_refused(bool undefinedLengths)
    {
        var ds = SyntheticDataset.Build(nestingDepth: 70);
        var e = Refused(Write(ds, new DicomWriteOptions { UndefinedLengthSequences = undefinedLengths }));
        Assert.Contains("nested deeper than 64", e.Message, StringComparison.Ordinal);

        // 60 levels are fine.
        var ok = DicomFile.Read(Write(SyntheticDataset.Build(nestingDepth: 60), new DicomWriteOptions { UndefinedLengthSequences = undefinedLengths }), "deep.dcm");
        Assert.NotNull(ok.Dataset[SyntheticDataset.PrivateSequence]);
    }

    [Theory]
    [InlineData(65535, 65535, 1)]
    [InlineData(4096, 4096, 100000)]
    [InlineData(1, 1, 2000000000)]
    public void Absurd_rows_columns_or_frames_are_refused_before_allocating(int rows, int columns, int frames)
    {
        var ds = SyntheticDataset.Build();
        ds.Set(UShort(DicomTags.Rows, rows));
        ds.Set(UShort(DicomTags.Columns, columns));
        ds.SetString(DicomTags.NumberOfFrames, DicomVR.IS, frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Refused(Write(ds));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "refusing allocated more than 16 MiB");

        if (frames > 1)
        {
            return; // the loader refuses multi-frame objects without per-frame geometry anyway
        }

        // The series loader refuses it from the header too.
        before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DicomFormatException>(() => DicomSeriesLoader.Load(DicomInput.FromMemory([new("hostile.dcm", Write(ds))])));
        Console.WriteLine(e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "refusing allocated more than 16 MiB");
    }

    [Fact]
    public void Rle_header_claiming_a_huge_image_is_refused_before_allocating()
    {
        var ds = SyntheticDataset.Build();
        ds.Set(UShort(DicomTags.Rows, 40000));
        ds.Set(UShort(DicomTags.Columns, 40000));
        var frame = new byte[64 + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, 2);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), 64);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8), 66);
        frame[64] = 0x81; // repeat 128 times
        frame[66] = 0x81;
        ds.Set(new DicomFragments(DicomTags.PixelData, DicomVR.OB, [], [frame]));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Refused(Write(ds, new DicomWriteOptions { TransferSyntax = DicomTransferSyntax.RleLossless }));
        Assert.Contains("cannot hold", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
    }

    [Fact]
    public void Non_finite_or_absurd_geometry_is_not_stacked()
    {
        var good = SyntheticDataset.Build();
        var bad = SyntheticDataset.Build();
        bad.SetString(DicomTags.SopInstanceUid, DicomVR.UI, "1.2.3.4.5.6.8");
        bad.SetString(DicomTags.ImagePositionPatient, DicomVR.DS, "-125.5\\0\\1e300");
        var nan = SyntheticDataset.Build();
        nan.SetString(DicomTags.SopInstanceUid, DicomVR.UI, "1.2.3.4.5.6.9");
        nan.SetString(DicomTags.ImagePositionPatient, DicomVR.DS, "-125.5\\NaN\\40");
        var loaded = DicomSeriesLoader.Load(DicomInput.FromMemory([new("good.dcm", Write(good)), new("bad.dcm", Write(bad)), new("nan.dcm", Write(nan))]));
        Assert.Equal(1, loaded.Volume.Shape.Z);
        Console.WriteLine(string.Join("\n", loaded.Warnings));
        Assert.Contains(loaded.Warnings, w => w.Contains("bad.dcm", StringComparison.Ordinal) && w.Contains("absurd", StringComparison.Ordinal));
        Assert.Contains(loaded.Warnings, w => w.Contains("nan.dcm", StringComparison.Ordinal) && w.Contains("not a number", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../evil.dcm")]
    [InlineData("/etc/evil.dcm")]
    [InlineData("a/../../evil.dcm")]
    [InlineData("C:/evil.dcm")]
    public void Zip_entries_with_unsafe_names_are_refused(string entryName)
    {
        using var tmp = new TempDirectory("dicom-zip");
        var zip = tmp.File("input.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using var s = archive.CreateEntry("ok.dcm").Open();
            s.Write(Write(SyntheticDataset.Build()));
            s.Dispose();
            using var e = archive.CreateEntry(entryName).Open();
            e.Write(Write(SyntheticDataset.Build()));
        }

        var ex = Assert.Throws<DicomFormatException>(() => DicomSeriesScanner.Scan(zip));
        Assert.StartsWith(zip + ": ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unsafe name", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(tmp.Path, "evil*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_zip_bomb_is_refused_by_ratio_by_total_and_by_entry_count()
    {
        using var tmp = new TempDirectory("dicom-bomb");
        var bomb = tmp.File("bomb.zip");
        using (var archive = ZipFile.Open(bomb, ZipArchiveMode.Create))
        {
            using var s = archive.CreateEntry("zeros.dcm", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++)
            {
                s.Write(zeros); // 64 MiB of zeros, ~1000:1
            }
        }

        var ratio = Assert.Throws<DicomFormatException>(() => DicomSeriesScanner.Scan(bomb));
        Assert.Contains("zip bomb", ratio.Message, StringComparison.Ordinal);

        var many = tmp.File("many.zip");
        using (var archive = ZipFile.Open(many, ZipArchiveMode.Create))
        {
            for (int i = 0; i < 50; i++)
            {
                using var s = archive.CreateEntry($"f{i}.dcm").Open();
                s.Write(Write(SyntheticDataset.Build()));
            }
        }

        var count = Assert.Throws<DicomFormatException>(() => DicomSeriesScanner.Scan(DicomInput.FromPath(many, new DicomArchiveLimits { MaxEntries = 20 })));
        Assert.Contains("more than the limit of 20", count.Message, StringComparison.Ordinal);
        var total = Assert.Throws<DicomFormatException>(() => DicomSeriesScanner.Scan(DicomInput.FromPath(many, new DicomArchiveLimits { MaxTotalBytes = 10_000 })));
        Assert.Contains("inflates to more than", total.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_DICOM_entries_in_a_zip_are_skipped_and_listed()
    {
        using var tmp = new TempDirectory("dicom-mixed");
        var zip = tmp.File("mixed.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using (var s = archive.CreateEntry("series/slice1.dcm").Open())
            {
                s.Write(Write(SyntheticDataset.Build()));
            }

            using (var s = archive.CreateEntry("series/README.txt").Open())
            {
                s.Write("not an image"u8);
            }

            using (var s = archive.CreateEntry("series/broken.dcm").Open())
            {
                s.Write(Write(SyntheticDataset.Build())[..300]);
            }

            archive.CreateEntry("series/subfolder/");
        }

        var scan = DicomSeriesScanner.Scan(zip);
        Assert.Single(scan.Series);
        Assert.Equal(2, scan.Skipped.Count);
        Assert.Contains(scan.Skipped, s => s.Name == zip + "!series/README.txt" && s.Reason.Contains("not a DICOM file", StringComparison.Ordinal));
        Assert.Contains(scan.Skipped, s => s.Name == zip + "!series/broken.dcm" && s.Reason.Contains("truncated", StringComparison.Ordinal));
        var loaded = DicomSeriesLoader.Load(zip);
        Assert.Equal(1, loaded.Volume.Shape.Z);
    }

    [Fact]
    public void A_deflate_bomb_inside_a_DICOM_file_is_refused()
    {
        var ds = SyntheticDataset.Build();
        ds.Set(new DicomElement(new DicomTag(0x0009, 0x1003), DicomVR.OB, new byte[64 << 20]));
        var bytes = Write(ds, new DicomWriteOptions { TransferSyntax = DicomTransferSyntax.DeflatedExplicitVRLittleEndian });
        var e = Assert.Throws<DicomFormatException>(() => DicomFile.Read(bytes, "bomb.dcm", new DicomReadOptions { MaxInflatedBytes = 16 << 20 }));
        Assert.Contains("inflates past", e.Message, StringComparison.Ordinal);
    }

    private static DicomElement UShort(DicomTag tag, int value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)value);
        return new DicomElement(tag, DicomVR.US, b);
    }
}
