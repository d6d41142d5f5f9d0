using SegWeb.Imaging.IO;
using SegWeb.Imaging.Volumes;
using SkiaSharp;

namespace SegWeb.Inference.Preview;

/// <summary>Size of the preview (TotalSegmentator's <c>--preview</c>).</summary>
public sealed record PreviewOptions
{
    /// <summary>Target height in pixels; the picture is smaller when <see cref="MaxWidth"/> binds first.</summary>
    public int Height { get; init; } = 512;

    /// <summary>Largest width in pixels (both views and the gap).</summary>
    public int MaxWidth { get; init; } = 1536;

    /// <summary>Black gap between the two views, in pixels.</summary>
    public int Gap { get; init; } = 8;
}

/// <summary>A rectangle of the preview image in pixels.</summary>
public readonly record struct PreviewRect(int Left, int Top, int Width, int Height);

/// <summary>Where the views lie in the preview image: both share one scale (pixels per mm), so anatomy keeps its proportions.</summary>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Coronal">The coronal view's rectangle (left).</param>
/// <param name="Sagittal">The sagittal view's rectangle (right).</param>
/// <param name="PixelsPerMm">The common scale.</param>
public sealed record PreviewLayout(int Width, int Height, PreviewRect Coronal, PreviewRect Sagittal, double PixelsPerMm)
{
    /// <summary>
    /// The layout for two views: scale s = min(Height / height mm, (MaxWidth − Gap) / (coronal + sagittal width mm));
    /// each view is round(mm × s) pixels (at least 1), the sagittal view starts Gap pixels right of the coronal one.
    /// </summary>
    public static PreviewLayout For(PreviewView coronal, PreviewView sagittal, PreviewOptions options)
    {
        ArgumentNullException.ThrowIfNull(coronal);
        ArgumentNullException.ThrowIfNull(sagittal);
        ArgumentNullException.ThrowIfNull(options);
        double heightMm = coronal.Height * coronal.PixelHeightMm;
        double corMm = coronal.Width * coronal.PixelWidthMm, sagMm = sagittal.Width * sagittal.PixelWidthMm;
        double scale = Math.Min(options.Height / heightMm, (options.MaxWidth - options.Gap) / (corMm + sagMm));
        int height = Pixels(heightMm * scale), cw = Pixels(corMm * scale), sw = Pixels(sagMm * scale);
        return new PreviewLayout(cw + options.Gap + sw, height, new PreviewRect(0, 0, cw, height), new PreviewRect(cw + options.Gap, 0, sw, height), scale);
    }

    private static int Pixels(double value) => Math.Max(1, (int)Math.Round(value, MidpointRounding.AwayFromZero));
}

/// <summary>
/// TotalSegmentator's <c>--preview</c> for SegWeb: a PNG overview of a segmentation drawn with SkiaSharp. Two views
/// side by side (<see cref="PreviewProjection"/>): the scan as a mean-intensity projection in grey, windowed to its own
/// 1st–99th percentiles, and over it, opaque, the colour (<see cref="PreviewPalette"/>) of the structure the viewer
/// sees first along each ray. Views are scaled to physical size with nearest-neighbour sampling, so every pixel
/// is exactly a class colour or a grey.
/// </summary>
public static class SegmentationPreview
{
    /// <summary>Renders the preview and writes it to <paramref name="path"/> atomically (a failure leaves nothing there).</summary>
    /// <returns>The layout drawn.</returns>
    /// <exception cref="InferenceException">SkiaSharp's native library cannot be loaded, or the label map is not on the image's grid.</exception>
    public static PreviewLayout Write(string path, Volume image, Volume<byte> labels, IReadOnlyDictionary<int, PreviewColor> colors, PreviewOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var (png, layout) = Render(image, labels, colors, options);
        AtomicFile.WriteAllBytes(path, png);
        return layout;
    }

    /// <summary>Renders the preview as PNG bytes.</summary>
    public static (byte[] Png, PreviewLayout Layout) Render(Volume image, Volume<byte> labels, IReadOnlyDictionary<int, PreviewColor> colors, PreviewOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(colors);
        options ??= new PreviewOptions();
        PreviewView coronal, sagittal;
        try
        {
            (coronal, sagittal) = PreviewProjection.Compute(image, labels);
        }
        catch (ArgumentException ex)
        {
            throw new InferenceException($"preview: {ex.Message}", ex);
        }

        var layout = PreviewLayout.For(coronal, sagittal, options);
        var (low, high) = Window(coronal.MeanIntensity, sagittal.MeanIntensity);
        try
        {
            return (Draw(layout, coronal, sagittal, colors, low, high), layout);
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new InferenceException($"preview: SkiaSharp's native library cannot be loaded on this system ({ex.GetBaseException().Message})", ex);
        }
    }

    private static byte[] Draw(PreviewLayout layout, PreviewView coronal, PreviewView sagittal, IReadOnlyDictionary<int, PreviewColor> colors, double low, double high)
    {
        using var surface = SKSurface.Create(new SKImageInfo(layout.Width, layout.Height, SKColorType.Rgba8888, SKAlphaType.Opaque))
            ?? throw new InferenceException($"preview: cannot create a {layout.Width}×{layout.Height} drawing surface");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Black);
        var sampling = new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None);
        foreach (var (view, rect) in new[] { (coronal, layout.Coronal), (sagittal, layout.Sagittal) })
        {
            using var picture = ViewImage(view, colors, low, high);
            canvas.DrawImage(picture, SKRect.Create(rect.Left, rect.Top, rect.Width, rect.Height), sampling);
        }

        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The view at voxel resolution: class colour where a label is seen, else the windowed grey.</summary>
    private static SKImage ViewImage(PreviewView view, IReadOnlyDictionary<int, PreviewColor> colors, double low, double high)
    {
        var lut = new PreviewColor[256];
        for (int id = 1; id < 256; id++)
        {
            lut[id] = colors.TryGetValue(id, out var c) ? c : PreviewPalette.ForId(id);
        }

        var pixels = new byte[view.Width * view.Height * 4];
        double scale = high > low ? 255 / (high - low) : 0;
        for (int i = 0; i < view.Labels.Length; i++)
        {
            byte label = view.Labels[i];
            int o = i * 4;
            if (label != 0)
            {
                var c = lut[label];
                (pixels[o], pixels[o + 1], pixels[o + 2]) = (c.R, c.G, c.B);
            }
            else
            {
                byte g = (byte)Math.Clamp((view.MeanIntensity[i] - low) * scale, 0, 255);
                (pixels[o], pixels[o + 1], pixels[o + 2]) = (g, g, g);
            }

            pixels[o + 3] = 255;
        }

        var info = new SKImageInfo(view.Width, view.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        return SKImage.FromPixelCopy(info, pixels)
            ?? throw new InferenceException($"preview: cannot create a {view.Width}×{view.Height} image");
    }

    /// <summary>The grey window: 1st and 99th percentile of both projections together (robust to metal and air).</summary>
    private static (double Low, double High) Window(double[] a, double[] b)
    {
        var all = new double[a.Length + b.Length];
        a.CopyTo(all, 0);
        b.CopyTo(all, a.Length);
        Array.Sort(all);
        return (all[(int)((all.Length - 1) * 0.01)], all[(int)((all.Length - 1) * 0.99)]);
    }
}
