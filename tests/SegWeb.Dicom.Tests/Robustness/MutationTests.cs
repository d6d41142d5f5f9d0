using System.Buffers.Binary;
using System.Diagnostics;
using SegWeb.Dicom.Pixels;
using SegWeb.Dicom.Series;
using SegWeb.Dicom.Tests.Support;

namespace SegWeb.Dicom.Tests.Robustness;

/// <summary>
/// 10,000+ seeded corruptions of real files (byte flips biased to the header, truncations, overwritten length
/// fields of elements and items, and combinations) each either read — parse, pixel decode, series load — or fail
/// with a <see cref="DicomFormatException"/>; nothing else, in bounded time and allocation per case.
/// </summary>
public sealed class MutationTests
{
    private const int VariantsPerSeed = 1000;
    private static readonly TimeSpan MaxPerCase = TimeSpan.FromSeconds(2);
    private const long MaxAllocatedPerCase = 256L << 20;

    /// <summary>Seeds: every uncompressed encoding, deflate, RLE (single and multi-frame), enhanced multi-frame, no meta header, private and UN sequences.</summary>
    private static readonly string[] SharedSeeds = ["dicom/pydicom/CT_small.dcm", "dicom/pydicom/eCT_Supplemental.dcm", "dicom/pydicom/liver_deflate.dcm"];
    private static readonly string[] PydicomSeeds = ["MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm", "MR_small_RLE.dcm", "image_dfl.dcm", "rtdose_rle.dcm", "ExplVR_LitEndNoMeta.dcm", "priv_SQ.dcm", "UN_sequence.dcm", "MR_small_jp2klossless.dcm"];

    [SkippableFact]
    public void Corrupted_real_files_read_or_fail_with_DicomFormatException_only()
    {
        var corpus = DicomCorpus.RequirePydicomTestFiles();
        var seeds = SharedSeeds.Select(TestData.Require).Concat(PydicomSeeds.Select(n => Path.Combine(corpus, n))).Where(File.Exists).ToList();
        Assert.True(seeds.Count >= 10, $"only {seeds.Count} seed files found");
        var failures = new List<string>();
        int cases = 0, accepted = 0, refused = 0;
        var slowest = TimeSpan.Zero;
        long mostAllocated = 0;
        var total = Stopwatch.StartNew();
        using var tmp = new TempDirectory("dicom-mutation");
        var onDisk = tmp.File("variant.dcm");
        foreach (var seedPath in seeds)
        {
            var seedWatch = Stopwatch.StartNew();
            var original = File.ReadAllBytes(seedPath);
            var lengthFields = LengthFieldOffsets(original);
            var random = new Random(HashCode(Path.GetFileName(seedPath)));
            // The 1 MB enhanced multi-frame object (~15 ms a case) and the deflated SEG (~7 ms: its variants often
            // claim large frames that inflate up to the ratio cap) get fewer variants, to keep the test short.
            int variants = original.Length > 256 << 10 ? VariantsPerSeed / 10
                : Path.GetFileName(seedPath) == "liver_deflate.dcm" ? VariantsPerSeed * 2 / 5 : VariantsPerSeed;
            for (int v = 0; v < variants; v++)
            {
                var (bytes, how) = Mutate(original, lengthFields, random);
                string name = $"{Path.GetFileName(seedPath)}#{v}";
                long before = GC.GetAllocatedBytesForCurrentThread();
                var watch = Stopwatch.StartNew();
                try
                {
                    // One variant in eight also goes through a file on disk: the loader's by-offset fast path.
                    Exercise(bytes, name, v % 8 == 0 ? onDisk : null);
                    accepted++;
                }
                catch (DicomFormatException e)
                {
                    refused++;
                    if (!e.Message.StartsWith(name, StringComparison.Ordinal) && !e.Message.Contains(name, StringComparison.Ordinal))
                    {
                        failures.Add($"{name} ({how}): the message does not name the file: {e.Message}");
                    }
                }
#pragma warning disable CA1031 // The point of the test: any other exception type is a failure to report.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failures.Add($"{name} ({how}): {e.GetType().Name}: {e.Message}\n{e.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("SegWeb.Dicom.", StringComparison.Ordinal))}");
                }

                watch.Stop();
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                cases++;
                slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
                mostAllocated = Math.Max(mostAllocated, allocated);
                if (watch.Elapsed > MaxPerCase)
                {
                    failures.Add($"{name} ({how}): took {watch.Elapsed.TotalMilliseconds:0} ms");
                }

                if (allocated > MaxAllocatedPerCase)
                {
                    failures.Add($"{name} ({how}): allocated {allocated >> 20} MiB");
                }
            }

            Console.WriteLine($"{Path.GetFileName(seedPath)} ({original.Length} bytes, {lengthFields.Count} length fields): {variants} variants in {seedWatch.Elapsed.TotalSeconds:0.0} s");
        }

        Console.WriteLine($"{cases} variants of {seeds.Count} files in {total.Elapsed.TotalSeconds:0.0} s: {accepted} read, {refused} refused with DicomFormatException; slowest {slowest.TotalMilliseconds:0} ms, most allocated {mostAllocated >> 10} KiB");
        Assert.True(failures.Count == 0, $"{failures.Count} failures:\n{string.Join("\n", failures.Take(20))}");
        Assert.True(cases >= 10_000);
        Assert.True(refused > cases / 10 && accepted > cases / 10, "the mutations should produce both readable and refused files");
    }

    /// <summary>Everything a caller does with one object: parse (header-only and full), decode every frame, scan and load as a series.</summary>
    private static void Exercise(byte[] bytes, string name, string? diskPath)
    {
        DicomFile.Read(bytes, name, DicomReadOptions.HeaderOnly);
        var file = DicomFile.Read(bytes, name);
        if (file.TransferSyntax.NeedsGdcm)
        {
            return; // GDCM is native code: corrupt codestreams are GDCM's robustness, not SegWeb's; parsing is covered
        }

        if (file.Dataset.Contains(DicomTags.PixelData))
        {
            var pixels = DicomPixelData.Open(file);
            var buffer = new double[pixels.Description.ValuesPerFrame];
            for (int f = 0; f < Math.Min(pixels.FrameCount, 64); f++)
            {
                pixels.DecodeFrame(f, buffer);
            }
        }

        SegWeb.Imaging.Volumes.Volume? fromDisk = null;
        if (diskPath is not null)
        {
            File.WriteAllBytes(diskPath, bytes);
            try
            {
                fromDisk = DicomSeriesLoader.Load(diskPath).Volume;
            }
            catch (DicomFormatException e) when (e.Message.Contains(diskPath, StringComparison.Ordinal))
            {
                // refused, naming the file
            }
        }

        var fromMemory = DicomSeriesLoader.Load(DicomInput.FromMemory([new(name, bytes)])).Volume;
        if (fromDisk is not null && (fromDisk.VoxelType != fromMemory.VoxelType || !fromDisk.Affine.Equals(fromMemory.Affine)
            || !(fromDisk.RawData is short[] s ? s.AsSpan().SequenceEqual((short[])fromMemory.RawData) : ((float[])fromDisk.RawData).AsSpan().SequenceEqual((float[])fromMemory.RawData))))
        {
            throw new InvalidOperationException("the by-offset fast path from disk and the general path from memory loaded different volumes");
        }
    }

    private static (byte[] Bytes, string How) Mutate(byte[] original, List<int> lengthFields, Random random)
    {
        var bytes = (byte[])original.Clone();
        int kind = random.Next(5);
        switch (kind)
        {
            case 0:
                return (Flip(bytes, random), "byte flips");
            case 1:
                int cut = random.Next(bytes.Length);
                return (bytes[..cut], $"truncated at {cut}");
            case 2:
            case 3:
                var how = OverwriteLength(bytes, lengthFields, random);
                return (bytes, how);
            default:
                var how2 = OverwriteLength(bytes, lengthFields, random);
                Flip(bytes, random);
                int cut2 = bytes.Length - random.Next(Math.Min(bytes.Length, 512));
                return (bytes[..cut2], $"{how2}, byte flips, truncated at {cut2}");
        }
    }

    /// <summary>1–8 bytes set at random, three times in four within the first 4 KiB (the header, where structure lives).</summary>
    private static byte[] Flip(byte[] bytes, Random random)
    {
        int n = random.Next(1, 9);
        for (int i = 0; i < n; i++)
        {
            int at = random.Next(4) > 0 ? random.Next(Math.Min(bytes.Length, 4096)) : random.Next(bytes.Length);
            bytes[at] = (byte)random.Next(256);
        }

        return bytes;
    }

    private static readonly uint[] HostileLengths = [0xFFFFFFFF, 0, 1, 3, 0x7FFFFFFF, 0xFFFFFFFE, 0x10000, 0x1000_0000];

    private static string OverwriteLength(byte[] bytes, List<int> lengthFields, Random random)
    {
        if (lengthFields.Count == 0)
        {
            return "no length field";
        }

        int at = lengthFields[random.Next(lengthFields.Count)];
        uint value = random.Next(3) == 0 ? (uint)random.Next() : HostileLengths[random.Next(HostileLengths.Length)];
        bool bigEndian = random.Next(4) == 0;
        int width = random.Next(2) == 0 ? 2 : 4;
        if (at + width > bytes.Length)
        {
            return "length field at the end";
        }

        if (width == 2)
        {
            if (bigEndian) { BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), (ushort)value); } else { BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), (ushort)value); }
        }
        else if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
        }

        return $"length at {at} := 0x{value:X} ({width} bytes)";
    }

    /// <summary>
    /// Where length fields are: after every occurrence of a tag the original parse found (top level and inside
    /// sequences) or an item/delimiter tag, in both byte orders — offsets +4 (implicit VR, or explicit VR's VR code),
    /// +6 (explicit short length) and +8 (explicit long length).
    /// </summary>
    private static List<int> LengthFieldOffsets(byte[] bytes)
    {
        var tags = new HashSet<uint> { 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD };
        try
        {
            var file = DicomFile.Read(bytes, "seed");
            Collect(file.FileMetaInformation, tags);
            Collect(file.Dataset, tags);
        }
        catch (DicomFormatException)
        {
            // a seed that does not parse still gets the item tags
        }

        var offsets = new SortedSet<int>();
        Span<byte> le = stackalloc byte[4], be = stackalloc byte[4];
        foreach (var tag in tags)
        {
            ushort group = (ushort)(tag >> 16), element = (ushort)tag;
            BinaryPrimitives.WriteUInt16LittleEndian(le, group);
            BinaryPrimitives.WriteUInt16LittleEndian(le[2..], element);
            BinaryPrimitives.WriteUInt16BigEndian(be, group);
            BinaryPrimitives.WriteUInt16BigEndian(be[2..], element);
            for (int p = 0; p + 8 <= bytes.Length && offsets.Count < 20000; p++)
            {
                if (bytes.AsSpan(p, 4).SequenceEqual(le) || bytes.AsSpan(p, 4).SequenceEqual(be))
                {
                    offsets.Add(p + 4);
                    offsets.Add(p + 6);
                    offsets.Add(p + 8);
                }
            }
        }

        return [.. offsets];
    }

    private static void Collect(DicomDataset ds, HashSet<uint> tags)
    {
        foreach (var e in ds.Elements)
        {
            tags.Add(e.Tag.Value);
            if (e is DicomSequence s)
            {
                foreach (var item in s.Items)
                {
                    Collect(item, tags);
                }
            }
        }
    }

    private static int HashCode(string s) => s.Aggregate(17, (h, c) => unchecked((h * 31) + c));
}
