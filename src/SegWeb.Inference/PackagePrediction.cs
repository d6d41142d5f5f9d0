using SegWeb.Inference.Runtime;
using SegWeb.Inference.SlidingWindow;
using SegWeb.Models.Packages;

namespace SegWeb.Inference;

/// <summary>Builds sliding-window predictors for the parts of an installed model package.</summary>
public static class PackagePrediction
{
    /// <summary>
    /// The sliding-window options a manifest implies: its patch size, tile step (0.5, or 0.8 for TotalSegmentator's
    /// <c>total</c> as recorded at import) and mirroring axes (empty for NoMirroring trainers), with mirroring
    /// switchable off as TotalSegmentator does for speed.
    /// </summary>
    public static SlidingWindowOptions OptionsFor(ModelManifest manifest, bool mirroring = true, int batchSize = 1)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return new SlidingWindowOptions
        {
            PatchSize = [.. manifest.PatchSize],
            StepSize = manifest.TileStepSize,
            MirrorAxes = mirroring ? [.. manifest.MirroringAxes] : [],
            BatchSize = batchSize,
        };
    }

    /// <summary>A predictor over every fold of <paramref name="part"/>, with sessions from <paramref name="cache"/> (loaded once, reused).</summary>
    public static SlidingWindowPredictor Create(ModelSessionCache cache, ModelPackage package, ModelPart part, SlidingWindowOptions options)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(part);
        var folds = package.FoldFiles(part)
            .Select(file => (ITileNetwork)cache.Runner(file, part.Network.InputName, part.Network.OutputName))
            .ToList();
        if (folds.Any(f => f.InputChannels != part.InputChannels || f.OutputChannels != part.OutputChannels))
        {
            throw new InferenceException($"{package.Directory}: part '{part.Name}' declares {part.InputChannels} input and {part.OutputChannels} output channels, its ONNX files differ");
        }

        return new SlidingWindowPredictor(folds, options);
    }
}
