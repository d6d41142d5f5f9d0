using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SegWeb.Dicom;
using SegWeb.Dicom.Series;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Cli.Bench;

/// <summary>
/// `segweb bench dicom`: loading an uncompressed CT series into a volume, SegWeb against dcm2niix (-z n) and against
/// pydicom + numpy stacking, on the same synthetic 512×512×400 series (quick: 96×96×24) that SegWeb's writer
/// produces, best of 3 wall times (quick: 1). Also SegWeb's peak memory growth during the load against the volume's
/// own size (target: at most 10 % beyond the volume), and the sum of the values each reader produced (they must agree).
/// The references run in Debian's /usr/bin/python3 (SEGWEB_PYTHON overrides) through the embedded
/// Bench/Python/dicom_read_bench.py.
/// </summary>
public static class DicomReadBenchmark
{
    /// <summary>Runs the benchmark and prints the table; returns 0, or 1 when SegWeb's load is wrong (shape or values).</summary>
    /// <param name="output">Where the table goes.</param>
    /// <param name="workDir">A folder for the series (created if needed; everything written is removed afterwards).</param>
    /// <param name="quick">A small series (for tests) and one repeat.</param>
    public static int Run(TextWriter output, string workDir, bool quick)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(workDir);
        var shape = quick ? new VolumeShape(96, 96, 24) : new VolumeShape(512, 512, 400);
        int repeats = quick ? 1 : 3;
        var series = Path.Combine(workDir, "dicom-bench-series");
        Directory.CreateDirectory(series);
        try
        {
            var ct = NiftiIoBenchmark.SyntheticCt(shape);
            var write = Stopwatch.StartNew();
            WriteSeries(series, ct);
            write.Stop();
            long expectedSum = ct.Data.Sum(v => (long)v);
            long volumeBytes = shape.VoxelCount * sizeof(short);
            ct = null;

            var (seconds, peakHeap, peakRss, loaded) = MeasureSegWeb(series, repeats);
            double scanSeconds = double.MaxValue;
            for (int r = 0; r < repeats; r++)
            {
                var scanWatch = Stopwatch.StartNew();
                DicomSeriesScanner.Scan(series);
                scanSeconds = Math.Min(scanSeconds, scanWatch.Elapsed.TotalSeconds);
            }

            if (loaded.Volume is not Volume<short> volume || volume.Shape != shape)
            {
                output.WriteLine($"FAILED: SegWeb loaded {loaded.Volume.Shape} {loaded.Volume.VoxelType}, expected {shape} int16");
                return 1;
            }

            long segwebSum = volume.Data.Sum(v => (long)v);
            if (segwebSum != expectedSum)
            {
                output.WriteLine($"FAILED: SegWeb's values sum to {segwebSum}, the written series to {expectedSum}");
                return 1;
            }

            loaded = null!;
            var references = RunReferences(series, workDir, repeats, out string? problem);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"DICOM read benchmark: synthetic CT series {shape.X}×{shape.Y}×{shape.Z}, explicit VR LE, 16-bit (12 stored), {volumeBytes / 1e6:F1} MB as int16; written by SegWeb in {write.Elapsed.TotalSeconds:F2} s; best of {repeats}, {Environment.ProcessorCount} cores"));
            output.WriteLine();
            output.WriteLine("| reader                       | seconds | ratio (other/SegWeb) | peak extra memory            | values sum   |");
            output.WriteLine("|------------------------------|---------|----------------------|------------------------------|--------------|");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| SegWeb DicomSeriesLoader     | {seconds,7:F3} | {"1.00x",20} | heap +{peakHeap / 1e6,6:F1} MB, RSS +{peakRss / 1e6,6:F1} MB | {segwebSum,12} |"));
            if (references is not null)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| dcm2niix -z n                | {references.Dcm2niixS,7:F3} | {references.Dcm2niixS / seconds,19:F2}x | process peak RSS {references.Dcm2niixPeakRss / 1e6,7:F1} MB   | {references.Dcm2niixSum?.ToString(CultureInfo.InvariantCulture) ?? "n/a",12} |"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| pydicom + numpy stack        | {references.PydicomS,7:F3} | {references.PydicomS / seconds,19:F2}x | RSS +{references.PydicomExtraRss / 1e6,6:F1} MB               | {references.PydicomSum,12} |"));
            }

            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"SegWeb's load = header scan of every file (alone: {scanSeconds:F3} s) + pixel read into the volume"));
            double overhead = (double)peakHeap / volumeBytes;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"SegWeb memory: peak managed heap growth {peakHeap / 1e6:F1} MB = {overhead:F2}× the volume ({volumeBytes / 1e6:F1} MB); target ≤ 1.10× → {(overhead <= 1.10 ? "met" : "NOT met")}"));
            if (references is null)
            {
                output.WriteLine($"references unavailable ({problem}); no ratios");
            }
            else
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"ratios: dcm2niix {references.Dcm2niixS / seconds:F2}x, pydicom {references.PydicomS / seconds:F2}x ({references.Dcm2niixVersion}; pydicom {references.PydicomVersion}, numpy {references.NumpyVersion})"));
                if (references.PydicomSum != segwebSum || (references.Dcm2niixSum is long d && d != segwebSum))
                {
                    output.WriteLine("WARNING: the readers' value sums differ");
                }
            }

            return 0;
        }
        finally
        {
            Directory.Delete(series, recursive: true);
        }
    }

    /// <summary>Loads the series <paramref name="repeats"/> times: best wall time, and the largest heap and RSS growth seen while loading.</summary>
    private static (double Seconds, long PeakHeap, long PeakRss, DicomSeriesVolume Loaded) MeasureSegWeb(string series, int repeats)
    {
        double best = double.MaxValue;
        long peakHeap = 0, peakRss = 0;
        DicomSeriesVolume? loaded = null;
        using var process = Process.GetCurrentProcess();
        for (int r = 0; r < repeats; r++)
        {
            loaded = null;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            long heap0 = GC.GetTotalMemory(forceFullCollection: true);
            process.Refresh();
            long rss0 = process.WorkingSet64;
            long maxHeap = heap0, maxRss = rss0;
            using var stop = new CancellationTokenSource();

            // Sampling, not a hook: the figure is what the heap and the process really reached while loading.
            var sampler = Task.Run(() =>
            {
                using var self = Process.GetCurrentProcess();
                while (!stop.IsCancellationRequested)
                {
                    maxHeap = Math.Max(maxHeap, GC.GetTotalMemory(false));
                    self.Refresh();
                    maxRss = Math.Max(maxRss, self.WorkingSet64);
                    Thread.Sleep(2);
                }
            });
            var sw = Stopwatch.StartNew();
            loaded = DicomSeriesLoader.Load(series);
            sw.Stop();
            maxHeap = Math.Max(maxHeap, GC.GetTotalMemory(false));
            stop.Cancel();
            sampler.Wait();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            peakHeap = Math.Max(peakHeap, maxHeap - heap0);
            peakRss = Math.Max(peakRss, maxRss - rss0);
        }

        return (best, peakHeap, peakRss, loaded!);
    }

    /// <summary>Writes the volume as one CT file per slice: stored = HU + 1024 in 12 of 16 bits, RescaleIntercept −1024, axial, 0.78 × 0.78 × 1 mm.</summary>
    internal static void WriteSeries(string folder, Volume<short> ct)
    {
        int nx = ct.Shape.X, ny = ct.Shape.Y, nz = ct.Shape.Z;
        const string Root = "2.25.3304410123466830125730412351045237";
        string study = Root + "1", seriesUid = Root + "2", frame = Root + "3";
        Parallel.For(0, nz, new ParallelOptions { MaxDegreeOfParallelism = 2 }, z =>
        {
            var ds = new DicomDataset("bench");
            ds.SetString(DicomTags.SopClassUid, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2");
            ds.SetString(DicomTags.SopInstanceUid, DicomVR.UI, $"{Root}4.{z + 1}");
            ds.SetString(DicomTags.StudyInstanceUid, DicomVR.UI, study);
            ds.SetString(DicomTags.SeriesInstanceUid, DicomVR.UI, seriesUid);
            ds.SetString(DicomTags.FrameOfReferenceUid, DicomVR.UI, frame);
            ds.SetString(DicomTags.Modality, DicomVR.CS, "CT");
            ds.SetString(DicomTags.PatientName, DicomVR.PN, "Bench^Synthetic");
            ds.SetString(DicomTags.SeriesNumber, DicomVR.IS, "1");
            ds.SetString(DicomTags.InstanceNumber, DicomVR.IS, (z + 1).ToString(CultureInfo.InvariantCulture));
            ds.SetString(DicomTags.ImagePositionPatient, DicomVR.DS, string.Create(CultureInfo.InvariantCulture, $"-200\\-180\\{-400 + z}"));
            ds.SetString(DicomTags.ImageOrientationPatient, DicomVR.DS, "1\\0\\0\\0\\1\\0");
            ds.SetString(DicomTags.PixelSpacing, DicomVR.DS, "0.78\\0.78");
            ds.SetString(DicomTags.SliceThickness, DicomVR.DS, "1");
            ds.SetString(DicomTags.RescaleIntercept, DicomVR.DS, "-1024");
            ds.SetString(DicomTags.RescaleSlope, DicomVR.DS, "1");
            ds.SetString(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2");
            ds.Set(UShort(DicomTags.SamplesPerPixel, 1));
            ds.Set(UShort(DicomTags.Rows, (ushort)ny));
            ds.Set(UShort(DicomTags.Columns, (ushort)nx));
            ds.Set(UShort(DicomTags.BitsAllocated, 16));
            ds.Set(UShort(DicomTags.BitsStored, 12));
            ds.Set(UShort(DicomTags.HighBit, 11));
            ds.Set(UShort(DicomTags.PixelRepresentation, 0));

            // DICOM rows run top to bottom; SegWeb (like dcm2niix) flips them, so write volume row ny-1-r as image row r.
            var pixels = new byte[nx * ny * 2];
            for (int r = 0; r < ny; r++)
            {
                for (int c = 0; c < nx; c++)
                {
                    int hu = ct.Data[c + (nx * ((ny - 1 - r) + (ny * z)))];
                    BinaryPrimitives.WriteUInt16LittleEndian(pixels.AsSpan(2 * ((r * nx) + c)), (ushort)Math.Clamp(hu + 1024, 0, 4095));
                }
            }

            ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, pixels));
            DicomWriter.Write(Path.Combine(folder, $"slice{z + 1:D4}.dcm"), ds);
        });
    }

    private static DicomElement UShort(DicomTag tag, ushort value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        return new DicomElement(tag, DicomVR.US, b);
    }

    private sealed record ReferenceFigures(string Dcm2niixVersion, string PydicomVersion, string NumpyVersion, double Dcm2niixS, long Dcm2niixPeakRss, long? Dcm2niixSum, double PydicomS, long PydicomExtraRss, long PydicomSum);

    private static ReferenceFigures? RunReferences(string series, string workDir, int repeats, out string? problem)
    {
        using var doc = ReferenceScript.Run("dicom_read_bench.py", workDir, [series, workDir, repeats.ToString(CultureInfo.InvariantCulture)], out problem);
        if (doc is null)
        {
            return null;
        }

        var root = doc.RootElement;
            return new ReferenceFigures(root.GetProperty("dcm2niix_version").GetString()!, root.GetProperty("pydicom_version").GetString()!,
                root.GetProperty("numpy_version").GetString()!, root.GetProperty("dcm2niix_s").GetDouble(), root.GetProperty("dcm2niix_peak_rss_bytes").GetInt64(),
                root.TryGetProperty("dcm2niix_sum", out var d) ? d.GetInt64() : null, root.GetProperty("pydicom_s").GetDouble(),
                root.GetProperty("pydicom_extra_rss_bytes").GetInt64(), root.GetProperty("pydicom_sum").GetInt64());
    }
}
