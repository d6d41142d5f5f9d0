using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Cli.Bench;

/// <summary>
/// `segweb bench imaging` (NIfTI part): SegWeb's .nii.gz write and read against nibabel's on the same
/// synthetic CT, in the same run, best of 3 wall times. nibabel runs in Debian's /usr/bin/python3
/// (SEGWEB_PYTHON overrides) through the embedded script Bench/Python/nifti_io_bench.py.
/// </summary>
public static class NiftiIoBenchmark
{
    private const int Repeats = 3;

    /// <summary>Runs the benchmark and prints a table with the ratios; returns 0, or 1 when SegWeb's own round trip fails.</summary>
    /// <param name="output">Where the table goes.</param>
    /// <param name="workDir">A folder for the files (created if needed; the files are removed afterwards).</param>
    /// <param name="quick">A small volume (for tests) instead of 512×512×458.</param>
    public static int Run(TextWriter output, string workDir, bool quick)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(workDir);
        Directory.CreateDirectory(workDir);
        var shape = quick ? new VolumeShape(96, 96, 40) : new VolumeShape(512, 512, 458);
        var ct = SyntheticCt(shape);
        string segwebGz = Path.Combine(workDir, "segweb.nii.gz");
        string plain = Path.Combine(workDir, "segweb_input.nii");
        string nibabelGz = Path.Combine(workDir, "nibabel.nii.gz");
        try
        {
            NiftiWriter.Write(plain, ct);
            double write = BestOf(() => NiftiWriter.Write(segwebGz, ct));
            double readOwn = BestOf(() => NiftiReader.Read(segwebGz));
            var back = (Volume<short>)NiftiReader.Read(segwebGz).Volume;
            if (!back.Data.AsSpan().SequenceEqual(ct.Data))
            {
                output.WriteLine("FAILED: SegWeb did not read back what it wrote");
                return 1;
            }

            long rawBytes = shape.VoxelCount * 2;
            long segwebBytes = new FileInfo(segwebGz).Length;
            output.WriteLine($"NIfTI I/O benchmark: synthetic CT {shape} int16 ({rawBytes / 1e6:F1} MB raw), best of {Repeats}, {Environment.ProcessorCount} cores");

            var nib = RunNibabel(workDir, out string? problem);
            double? readNibFile = File.Exists(nibabelGz) ? BestOf(() => NiftiReader.Read(nibabelGz)) : null;
            output.WriteLine();
            output.WriteLine("| operation                          | SegWeb s | nibabel s | ratio (nibabel/SegWeb) |");
            output.WriteLine("|------------------------------------|----------|-----------|------------------------|");
            Row(output, "write .nii.gz", write, nib?.WriteS);
            Row(output, "read own .nii.gz", readOwn, nib?.ReadOwnS);
            if (readNibFile is double r && nib is not null)
            {
                Row(output, "read nibabel's .nii.gz (1 member)", r, nib.ReadOwnS);
                Row(output, "read SegWeb's .nii.gz", readOwn, nib.ReadSegwebS);
            }

            output.WriteLine();
            string segwebSize = string.Create(CultureInfo.InvariantCulture,
                $"compressed size: SegWeb {segwebBytes / 1e6:F2} MB (ratio {(double)rawBytes / segwebBytes:F2}:1, zlib level {ParallelGzipLevel})");
            string nibSize = nib is null ? "" : string.Create(CultureInfo.InvariantCulture,
                $", nibabel {nib.FileBytes / 1e6:F2} MB (ratio {(double)rawBytes / nib.FileBytes:F2}:1, compresslevel {nib.Compresslevel}, nibabel {nib.NibabelVersion})");
            output.WriteLine(segwebSize + nibSize);
            if (nib is null)
            {
                output.WriteLine($"nibabel reference unavailable ({problem}); no ratios");
            }
            else
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"ratios: write {nib.WriteS / write:F2}x, read {nib.ReadOwnS / readOwn:F2}x, read nibabel's file {nib.ReadOwnS / readNibFile!.Value:F2}x (target >= 2x)"));
            }

            return 0;
        }
        finally
        {
            foreach (var f in new[] { segwebGz, plain, nibabelGz })
            {
                File.Delete(f);
            }
        }
    }

    private static int ParallelGzipLevel => NiftiWriteOptions.Default.CompressionLevel;

    private static void Row(TextWriter output, string name, double segweb, double? nibabel) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name,-34} | {segweb,8:F3} | {(nibabel is double n ? n.ToString("F3", CultureInfo.InvariantCulture) : "n/a"),9} | {(nibabel is double m ? (m / segweb).ToString("F2", CultureInfo.InvariantCulture) + "x" : "n/a"),22} |"));

    private static double BestOf(Action action)
    {
        double best = double.MaxValue;
        for (int i = 0; i < Repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }

        return best;
    }

    private sealed record NibabelFigures(string NibabelVersion, int Compresslevel, double WriteS, double ReadOwnS, double ReadSegwebS, long FileBytes);

    private static NibabelFigures? RunNibabel(string workDir, out string? problem)
    {
        using var doc = ReferenceScript.Run("nifti_io_bench.py", workDir, [workDir, Repeats.ToString(CultureInfo.InvariantCulture)], out problem);
        if (doc is null)
        {
            return null;
        }

        var root = doc.RootElement;
            return new NibabelFigures(root.GetProperty("nibabel_version").GetString()!, root.GetProperty("compresslevel").GetInt32(),
                root.GetProperty("write_s").GetDouble(), root.GetProperty("read_own_s").GetDouble(), root.GetProperty("read_segweb_s").GetDouble(),
                root.GetProperty("file_bytes").GetInt64());
    }

    /// <summary>
    /// A deterministic CT-like int16 volume: air −1000 outside a body ellipse, soft tissue 40 ± 20, two lungs
    /// around −800, a spine and a rib ring around 700 — so compression sees realistic structure and noise.
    /// </summary>
    internal static Volume<short> SyntheticCt(VolumeShape shape)
    {
        var data = new short[shape.VoxelCount];
        int nx = shape.X, ny = shape.Y, nz = shape.Z;
        Parallel.For(0, nz, z =>
        {
            ulong state = 0x9E3779B97F4A7C15UL ^ ((ulong)z * 0xBF58476D1CE4E5B9UL) ^ 12345;
            double lungs = z > nz * 0.45 ? 1 : 0; // lungs in the upper half
            for (int y = 0; y < ny; y++)
            {
                for (int x = 0; x < nx; x++)
                {
                    double u = ((x + 0.5) / nx * 2) - 1, v = ((y + 0.5) / ny * 2) - 1;
                    double body = (u * u / 0.81) + (v * v / 0.49);
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    double noise = ((state >> 11) * (1.0 / (1UL << 53)) - 0.5) * 2; // uniform −1..1
                    double hu;
                    if (body > 1)
                    {
                        hu = -1000 + (noise * 5);
                    }
                    else if (((u - 0.05) * (u - 0.05)) + ((v - 0.45) * (v - 0.45)) < 0.012 || (body > 0.82 && body < 0.9 && ((x / 6) + (z / 4)) % 3 == 0))
                    {
                        hu = 700 + (noise * 150); // spine and ribs
                    }
                    else if (lungs > 0 && (((u - 0.4) * (u - 0.4) / 0.09) + ((v + 0.05) * (v + 0.05) / 0.16) < 1 || ((u + 0.4) * (u + 0.4) / 0.09) + ((v + 0.05) * (v + 0.05) / 0.16) < 1))
                    {
                        hu = -800 + (noise * 60);
                    }
                    else
                    {
                        hu = 40 + (noise * 35);
                    }

                    data[x + (nx * (y + (ny * z)))] = (short)Math.Round(hu);
                }
            }
        });
        return new Volume<short>(shape, new Affine([-0.78, 0, 0, 200, 0, -0.78, 0, 180, 0, 0, 1.0, -400, 0, 0, 0, 1]), data);
    }
}
