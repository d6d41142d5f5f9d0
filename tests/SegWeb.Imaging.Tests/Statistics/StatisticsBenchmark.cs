using System.Diagnostics;
using System.Globalization;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Labels;
using SegWeb.Imaging.Statistics;
using SegWeb.Imaging.Volumes;
using Xunit.Abstractions;

namespace SegWeb.Imaging.Tests.Statistics;

/// <summary>
/// Speed figures for statistics and label clean-up on a whole-body-sized map (512×512×800, 117 classes). A benchmark,
/// not a test: it asserts nothing about time and runs only with SEGWEB_BENCH=1
/// (<c>SEGWEB_BENCH=1 dotnet test tests/SegWeb.Imaging.Tests --filter StatisticsBenchmark --logger "console;verbosity=detailed"</c>).
/// </summary>
public class StatisticsBenchmark(ITestOutputHelper output)
{
    [SkippableFact]
    public void Statistics_for_117_classes_on_512x512x800()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("SEGWEB_BENCH") == "1", "benchmark: set SEGWEB_BENCH=1 to run it (needs ~1 GB of memory)");
        var shape = new VolumeShape(512, 512, 800);
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
        var names = Enumerable.Range(1, 117).ToDictionary(i => i, i => $"s{i}");

        Measure("statistics, mean (117 classes)", () => LabelStatistics.Compute(image, labels, names));
        Measure("statistics, median + extra", () => LabelStatistics.Compute(image, labels, names, new StatisticsOptions { Metric = IntensityMetric.Median, Extra = true }));
        Measure("present label values", () => LabelValues.Present(labels));
        Measure("remove components <= 200 mm³ (6-conn, all labels)", () => LabelCleanup.RemoveSmallComponents(labels, 200));
    }

    private void Measure(string what, Action action)
    {
        action(); // JIT and page in
        var times = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        var line = string.Create(CultureInfo.InvariantCulture,
            $"{what}: best {times.Min():F0} ms, median {times.Order().ElementAt(1):F0} ms ({Environment.ProcessorCount} cores)");
        output.WriteLine(line);
        Console.WriteLine(line);
    }
}
