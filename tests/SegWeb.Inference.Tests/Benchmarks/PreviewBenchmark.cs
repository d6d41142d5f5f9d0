using System.Diagnostics;
using System.Globalization;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Preview;
using Xunit.Abstractions;

namespace SegWeb.Inference.Tests.Benchmarks;

/// <summary>
/// Prints how long the preview of a whole-body-sized scan takes (projection, then drawing and PNG encoding) and the
/// memory it allocates. Not a test of speed. Run with
/// <c>SEGWEB_BENCH=1 dotnet test tests/SegWeb.Inference.Tests -c Release --filter PreviewBenchmark --logger "console;verbosity=detailed"</c>;
/// SEGWEB_BENCH_PREVIEW_SIZE=X,Y,Z (default 512,512,400, int16, 0.8×0.8×1.5 mm, LPS as DICOM-derived scans are).
/// </summary>
public sealed class PreviewBenchmark(ITestOutputHelper output)
{
    [SkippableFact]
    public void Preview_time_and_memory()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("SEGWEB_BENCH") == "1", "benchmark: set SEGWEB_BENCH=1 to run it");
        int[] size = [.. (Environment.GetEnvironmentVariable("SEGWEB_BENCH_PREVIEW_SIZE") ?? "512,512,400").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
        var shape = new VolumeShape(size[0], size[1], size[2]);
        var ras = Affine.FromSpacing(0.8, 0.8, 1.5);
        var image = new short[shape.VoxelCount];
        var labels = new byte[shape.VoxelCount];
        var random = new Random(1);
        for (long i = 0; i < image.Length; i++)
        {
            image[i] = (short)random.Next(-1000, 1000);
            labels[i] = (byte)((i / 9973) % 118);
        }

        var lps = Reorientation.ToOrientation(new Volume<short>(shape, ras, image), "LPS").Volume;
        var lpsLabels = (Volume<byte>)Reorientation.ToOrientation(new Volume<byte>(shape, ras, labels), "LPS").Volume;
        var colors = PreviewPalette.For(Enumerable.Range(1, 117));
        for (int run = 0; run < 3; run++)
        {
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            PreviewProjection.Compute(lps, lpsLabels);
            var projection = clock.Elapsed;
            var (png, layout) = SegmentationPreview.Render(lps, lpsLabels, colors);
            var total = clock.Elapsed;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {run}: {shape} int16 LPS, {Environment.ProcessorCount} cores: projection alone {projection.TotalMilliseconds:F0} ms; whole preview (projection, drawing, PNG) {(total - projection).TotalMilliseconds:F0} ms, " +
                $"PNG {layout.Width}×{layout.Height} {png.Length / 1024} KiB, allocated by both {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / (1 << 20)} MiB"));
            Assert.True(png.Length > 0);
        }
    }
}
