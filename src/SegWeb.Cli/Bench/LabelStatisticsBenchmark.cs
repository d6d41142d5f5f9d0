using System.Diagnostics;
using System.Globalization;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Labels;
using SegWeb.Imaging.Statistics;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Cli.Bench;

/// <summary>
/// `segweb bench labels`: statistics (TotalSegmentator's --statistics) and label clean-up on a whole-body-sized map
/// (512×512×800, 117 classes as blobs on a lattice over a noisy body), best of 3. TotalSegmentator computes these per
/// class with NumPy over the whole volume; SegWeb does one parallel pass for all classes.
/// </summary>
public static class LabelStatisticsBenchmark
{
    private const int Repeats = 3;

    /// <summary>Prints one line per operation; returns 0 (the figures are the result).</summary>
    public static int Run(TextWriter output, string workDir, bool quick)
    {
        ArgumentNullException.ThrowIfNull(output);
        var shape = quick ? new VolumeShape(96, 96, 60) : new VolumeShape(512, 512, 800);
        var (image, labels) = Synthetic(shape);
        var names = Enumerable.Range(1, 117).ToDictionary(i => i, i => $"s{i}");
        output.WriteLine($"Label statistics benchmark: {shape} int16 image and uint8 map with 117 classes, best of {Repeats}, {Environment.ProcessorCount} cores");
        output.WriteLine();
        output.WriteLine("| operation                                         | best ms | median ms |");
        output.WriteLine("|---------------------------------------------------|---------|-----------|");
        Measure(output, "statistics, mean (117 classes)", () => LabelStatistics.Compute(image, labels, names));
        Measure(output, "statistics, median + extra fields", () => LabelStatistics.Compute(image, labels, names, new StatisticsOptions { Metric = IntensityMetric.Median, Extra = true }));
        Measure(output, "present label values", () => LabelValues.Present(labels));
        Measure(output, "remove components <= 200 mm³ (6-conn, all labels)", () => LabelCleanup.RemoveSmallComponents(labels, 200));
        return 0;
    }

    private static (Volume<short> Image, Volume<byte> Labels) Synthetic(VolumeShape shape)
    {
        var affine = Affine.FromSpacing(0.8, 0.8, 1.5);
        var image = new Volume<short>(shape, affine, new short[shape.VoxelCount]);
        var labels = new Volume<byte>(shape, affine, new byte[shape.VoxelCount]);

        // Organ-like content: 117 labels as ellipsoid-ish blobs on a 5 × 5 × 5 lattice over a noisy body.
        Parallel.For(0, shape.Z, z =>
        {
            var rng = new Random(z);
            var img = image.Slice(z);
            var lab = labels.Slice(z);
            for (int y = 0; y < shape.Y; y++)
            {
                for (int x = 0; x < shape.X; x++)
                {
                    int i = x + (y * shape.X);
                    img[i] = (short)rng.Next(-1000, 1500);
                    int cx = x * 5 / shape.X, cy = y * 5 / shape.Y, cz = z * 5 / shape.Z;
                    int label = 1 + cx + (5 * cy) + (25 * cz);
                    double dx = ((x * 5.0 / shape.X) - cx) - 0.5, dy = ((y * 5.0 / shape.Y) - cy) - 0.5, dz = ((z * 5.0 / shape.Z) - cz) - 0.5;
                    if (label <= 117 && (dx * dx) + (dy * dy) + (dz * dz) < 0.2)
                    {
                        lab[i] = (byte)label;
                    }
                }
            }
        });
        return (image, labels);
    }

    private static void Measure(TextWriter output, string what, Action action)
    {
        action(); // JIT and page in
        var times = new List<double>();
        for (int i = 0; i < Repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {what,-49} | {times.Min(),7:F0} | {times.Order().ElementAt(Repeats / 2),9:F0} |"));
    }
}
