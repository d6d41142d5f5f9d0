using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;
using Xunit.Abstractions;

namespace SegWeb.Imaging.Tests.Nifti;

/// <summary>
/// Seeded corruption of real and synthetic .nii/.nii.gz files: every case either reads into a consistent
/// volume or throws <see cref="ImageFormatException"/> — no other exception, no hang, bounded allocation.
/// </summary>
public sealed class NiftiMutationTests(ITestOutputHelper output)
{
    private const int CasesPerSeed = 170; // 7 seeds (6 without the shared data): ≥ 1,020 cases
    private static readonly TimeSpan PerCaseLimit = TimeSpan.FromSeconds(5);
    private const long AllocationCap = 64L << 20;

    // Header fields worth attacking (NIfTI-1 offsets, NIfTI-2 offsets) with their widths.
    private static readonly (int Offset, int Width)[] Nifti1Fields =
        [(0, 4), (40, 2), (42, 2), (44, 2), (46, 2), (48, 2), (70, 2), (72, 2), (76, 4), (80, 4), (88, 4), (108, 4), (112, 4), (116, 4), (252, 2), (254, 2), (256, 4), (260, 4), (264, 4), (280, 4), (344, 4), (348, 4), (352, 4), (356, 4)];

    private static readonly (int Offset, int Width)[] Nifti2Fields =
        [(0, 4), (4, 8), (12, 2), (14, 2), (16, 8), (24, 8), (32, 8), (40, 8), (48, 8), (104, 8), (112, 8), (168, 8), (176, 8), (184, 8), (344, 4), (348, 4), (352, 8), (400, 8), (540, 4), (544, 4)];

    [SkippableFact]
    public void A_thousand_corrupted_files_read_or_fail_cleanly()
    {
        using var dir = new TempDirectory("nifti-mut");
        var seeds = MakeSeeds(dir);
        if (seeds.Count < 7)
        {
            output.WriteLine($"shared test data not found under {TestData.Root}: the real-file seed is left out");
        }

        var rng = new Random(20261124);
        var options = new NiftiReadOptions { MaxVoxelBytes = 256L << 20, MaxDegreeOfParallelism = 2 };
        int ok = 0, refused = 0, total = 0;
        var failures = new List<string>();
        var sw = Stopwatch.StartNew();
        foreach (var (name, plain, gzipped) in seeds)
        {
            for (int n = 0; n < CasesPerSeed; n++)
            {
                var (bytes, what) = Mutate(plain, gzipped, rng);
                var path = dir.File($"m{total++}{(gzipped ? ".nii.gz" : ".nii")}");
                File.WriteAllBytes(path, bytes);
                var outcome = RunBounded(path, options);
                switch (outcome)
                {
                    case null: ok++; break;
                    case ImageFormatException: refused++; break;
                    default: failures.Add($"{name} / {what}: {outcome.GetType().Name}: {outcome.Message}"); break;
                }

                File.Delete(path);
            }
        }

        output.WriteLine($"{total} cases: {ok} read, {refused} refused, {failures.Count} failures, {sw.Elapsed.TotalSeconds:F1} s");
        Assert.True(total >= 1000, $"only {total} cases");
        Assert.True(refused > total / 10 && ok > 0, $"suspicious mix: {ok} read, {refused} refused");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    // Runs one read on its own thread, so a hang is caught and the allocation counter is that thread's.
    private static Exception? RunBounded(string path, NiftiReadOptions options)
    {
        Exception? error = null;
        long allocated = 0;
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var image = NiftiReader.Read(path, options);
                CheckConsistent(image);
            }
            catch (Exception e)
            {
                error = e;
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        thread.Start();
        if (!thread.Join(PerCaseLimit))
        {
            return new TimeoutException($"no result after {PerCaseLimit}");
        }

        return allocated > AllocationCap ? new InsufficientMemoryException($"allocated {allocated} bytes") : error;
    }

    private static void CheckConsistent(NiftiImage image)
    {
        var v = image.Volume;
        var h = image.Header;
        if (v.Shape.X != h.SizeOf(0) || v.Shape.Y != h.SizeOf(1) || v.Shape.Z != h.SizeOf(2) || v.RawData.LongLength != v.Shape.VoxelCount
            || !Array.TrueForAll(v.Affine.ToArray(), double.IsFinite) || !double.IsFinite(v.Slope) || !double.IsFinite(v.Intercept))
        {
            throw new InvalidOperationException($"inconsistent volume {v.Shape} from header dims [{string.Join(",", h.Dim)}]");
        }
    }

    private static (byte[] Bytes, string What) Mutate(byte[] plain, bool gzipped, Random rng)
    {
        bool nifti2 = BinaryPrimitives.ReadInt32LittleEndian(plain) == 540;
        switch (rng.Next(5))
        {
            case 0:
            {
                // Field overwrite in the uncompressed header, with a hostile value.
                var fields = nifti2 ? Nifti2Fields : Nifti1Fields;
                var (offset, width) = fields[rng.Next(fields.Length)];
                var b = (byte[])plain.Clone();
                WriteHostile(b.AsSpan(offset, width), rng);
                return (gzipped ? Recompress(b, rng) : b, $"field@{offset}");
            }

            case 1:
            {
                // Random byte flips in the uncompressed header region.
                var b = (byte[])plain.Clone();
                int flips = rng.Next(1, 9);
                for (int i = 0; i < flips; i++)
                {
                    b[rng.Next(Math.Min(b.Length, 600))] ^= (byte)rng.Next(1, 256);
                }

                return (gzipped ? Recompress(b, rng) : b, "header flips");
            }

            case 2:
            {
                // Random byte flips in the stored file (compressed bytes for .nii.gz).
                var stored = gzipped ? Recompress(plain, rng) : (byte[])plain.Clone();
                int flips = rng.Next(1, 17);
                for (int i = 0; i < flips; i++)
                {
                    stored[rng.Next(stored.Length)] ^= (byte)rng.Next(1, 256);
                }

                return (stored, "file flips");
            }

            case 3:
            {
                var stored = gzipped ? Recompress(plain, rng) : plain;
                int length = rng.Next(stored.Length);
                return (stored[..length], $"truncated to {length}");
            }

            default:
            {
                // Several fields at once plus a truncation or an extension: combined damage.
                var fields = nifti2 ? Nifti2Fields : Nifti1Fields;
                var b = (byte[])plain.Clone();
                for (int i = 0; i < 3; i++)
                {
                    var (offset, width) = fields[rng.Next(fields.Length)];
                    WriteHostile(b.AsSpan(offset, width), rng);
                }

                var stored = gzipped ? Recompress(b, rng) : b;
                return (rng.Next(2) == 0 ? stored : stored[..rng.Next(stored.Length)], "combined");
            }
        }
    }

    private static void WriteHostile(Span<byte> field, Random rng)
    {
        long[] ints = [0, -1, 1, 2, 3, 4, 7, 8, 16, 255, 256, 348, 352, 540, 1024, short.MaxValue, short.MinValue, int.MaxValue, int.MinValue, long.MaxValue, rng.NextInt64()];
        double[] reals = [0, -1, 1, 0.5, 1e9, -1e30, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 352, 1e-40];
        bool real = rng.Next(3) == 0;
        switch (field.Length)
        {
            case 2: BinaryPrimitives.WriteInt16LittleEndian(field, (short)ints[rng.Next(ints.Length)]); break;
            case 4 when real: BinaryPrimitives.WriteSingleLittleEndian(field, (float)reals[rng.Next(reals.Length)]); break;
            case 4: BinaryPrimitives.WriteInt32LittleEndian(field, (int)ints[rng.Next(ints.Length)]); break;
            case 8 when real: BinaryPrimitives.WriteDoubleLittleEndian(field, reals[rng.Next(reals.Length)]); break;
            default: BinaryPrimitives.WriteInt64LittleEndian(field, ints[rng.Next(ints.Length)]); break;
        }
    }

    // Half the time as SegWeb's indexed multi-member gzip (small members), half as one ordinary member.
    private static byte[] Recompress(byte[] plain, Random rng)
    {
        using var ms = new MemoryStream();
        if (rng.Next(2) == 0)
        {
            SegWeb.Imaging.Compression.ParallelGzipWriter.Write(ms, plain.AsSpan(0, Math.Min(plain.Length, 600)), plain[Math.Min(plain.Length, 600)..], Math.Max(0, plain.Length - 600), blockSize: 8192, maxDegreeOfParallelism: 1);
        }
        else
        {
            using var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true);
            gz.Write(plain);
        }

        return ms.ToArray();
    }

    private static List<(string Name, byte[] Plain, bool Gzipped)> MakeSeeds(TempDirectory dir)
    {
        var seeds = new List<(string, byte[], bool)>();
        var shape = new VolumeShape(13, 11, 7);
        var data = new short[shape.VoxelCount];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (short)((i * 131) % 3000 - 1000);
        }

        var oblique = new Affine([0.0, -0.9, 0.1, 10, 1.2, 0.0, 0.0, -3, 0.0, 0.2, 2.5, 4, 0, 0, 0, 1]);
        var volume = new Volume<short>(shape, oblique, data, 0.5, -100);
        var withExt = new NiftiHeader { QformCode = 1, SformCode = 1, Extensions = [new NiftiExtension(0, "<CaretExtension/>"u8.ToArray()), new NiftiExtension(6, "note"u8.ToArray())] };
        foreach (var (name, version, template) in new[] { ("v1", NiftiVersion.Nifti1, (NiftiHeader?)null), ("v2ext", NiftiVersion.Nifti2, withExt), ("v1ext", NiftiVersion.Nifti1, withExt) })
        {
            var p = dir.File($"seed-{name}.nii");
            NiftiWriter.Write(p, volume, template, new NiftiWriteOptions { Version = version });
            var bytes = File.ReadAllBytes(p);
            seeds.Add(($"{name}.nii", bytes, false));
            seeds.Add(($"{name}.nii.gz", bytes, true));
        }

        // A real TotalSegmentator output (uint8 label map with a 12 kB extension), when the shared data is there.
        var real = Path.Combine(TestData.Root, "totalsegmentator/example_seg_roi_subset.nii.gz");
        if (File.Exists(real))
        {
            using var gz = new GZipStream(File.OpenRead(real), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            gz.CopyTo(ms);
            seeds.Add(("example_seg_roi_subset.nii.gz", ms.ToArray(), true));
        }

        return seeds;
    }
}
