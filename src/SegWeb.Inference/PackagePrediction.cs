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

    /// <summary>
    /// A predictor over every fold of <paramref name="part"/>, with sessions from <paramref name="cache"/> (loaded once,
    /// reused); <paramref name="wrap"/>, when given, wraps each fold's network (benchmarks sample forward passes with it).
    /// </summary>
    public static SlidingWindowPredictor Create(ModelSessionCache cache, ModelPackage package, ModelPart part, SlidingWindowOptions options,
        Func<ITileNetwork, ITileNetwork>? wrap = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(part);
        var folds = Networks(cache, package, part);
        if (wrap is not null)
        {
            folds = [.. folds.Select(wrap)];
        }

        if (folds.Any(f => f.InputChannels != part.InputChannels || (f.Head?.Classes ?? f.OutputChannels) != part.OutputChannels))
        {
            throw new InferenceException($"{package.Directory}: part '{part.Name}' declares {part.InputChannels} input and {part.OutputChannels} output channels, its ONNX files differ");
        }

        return new SlidingWindowPredictor(folds, options);
    }

    /// <summary>
    /// One runner per fold of <paramref name="part"/>. A single-fold part (every TotalSegmentator model) may run without
    /// its classifier (see <see cref="ClassifierHead"/>); with several folds each keeps its own.
    /// </summary>
    public static List<ITileNetwork> Networks(ModelSessionCache cache, ModelPackage package, ModelPart part)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(part);
        var files = package.FoldFiles(part);
        return files.Count == 1
            ? [cache.SingleFoldRunner(files[0], part.Network.InputName, part.Network.OutputName, package.Manifest.PatchSize)]
            : [.. files.Select(file => (ITileNetwork)cache.Runner(file, part.Network.InputName, part.Network.OutputName, package.Manifest.PatchSize))];
    }
}
