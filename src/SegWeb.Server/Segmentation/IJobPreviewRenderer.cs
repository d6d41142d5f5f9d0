using SegWeb.Inference.Pipeline;

namespace SegWeb.Server.Segmentation;

/// <summary>
/// The hook for <c>preview.png</c>: register one implementation in DI (<c>services.AddSingleton&lt;IJobPreviewRenderer, …&gt;()</c>)
/// and <see cref="PipelineSegmentationRunner"/> calls it for jobs that want a preview. The server registers
/// <see cref="SkiaJobPreviewRenderer"/> with the pipeline (TryAdd: a test may register its own first); without any
/// renderer a request for preview.png is refused with 400.
/// </summary>
public interface IJobPreviewRenderer
{
    /// <summary>Writes a PNG of <paramref name="result"/> (labels over the image) to <paramref name="pngPath"/>.</summary>
    void Render(SegmentationResult result, string pngPath, CancellationToken cancellationToken);
}
