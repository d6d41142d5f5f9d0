using SegWeb.Inference.Pipeline;
using SegWeb.Inference.Preview;
using SegWeb.Server.Components.Viewer;

namespace SegWeb.Server.Segmentation;

/// <summary>
/// The real <c>preview.png</c>: the CLI's <c>--preview</c> renderer (<see cref="SegmentationPreview"/>, SkiaSharp: coronal
/// and sagittal projections with each structure in its colour), coloured with the viewer's palette so the preview,
/// the viewer and <c>/labels</c> agree on every structure's colour.
/// </summary>
public sealed class SkiaJobPreviewRenderer : IJobPreviewRenderer
{
    /// <inheritdoc />
    public void Render(SegmentationResult result, string pngPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        cancellationToken.ThrowIfCancellationRequested();
        var colors = result.ClassNames.ToDictionary(c => c.Key, c =>
        {
            var (r, g, b) = StructurePalette.ColorOf(c.Value);
            return new PreviewColor(r, g, b);
        });
        SegmentationPreview.Write(pngPath, result.Image, result.Labels, colors);
    }
}
