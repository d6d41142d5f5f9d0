using System.Diagnostics;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Resampling;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference;
using SegWeb.Inference.Layout;
using SegWeb.Inference.Normalization;
using SegWeb.Inference.Pipeline;
using SegWeb.Inference.Runtime;
using SegWeb.Inference.SlidingWindow;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Bench.Segment;

/// <summary>The child-process side of the segment benchmark's cases: run one case, print its figures as JSON.</summary>
internal static class ChildCases
{
    /// <summary>
    /// The whole `segweb segment` work on one scan through <see cref="SegmentationPipeline"/>, then the multilabel
    /// output written as the command writes it. Every forward pass runs.
    /// </summary>
    public static void Pipeline(TextWriter output, ChildRequest request)
    {
        var package = ModelPackage.Load(Single(request.Packages));
        var forwardBefore = ForwardPassStatistics.Snapshot();
        using var pipeline = new SegmentationPipeline(new PipelineOptions());
        var result = pipeline.Segment(request.Input!, package);
        var clock = Stopwatch.StartNew();
        SegmentationOutput.Write(result, Path.Combine(request.Output!, "segmentation.nii.gz"), new SegmentationOutputOptions { Multilabel = true });
        double write = clock.Elapsed.TotalSeconds;
        var forward = ForwardPassStatistics.Snapshot().Since(forwardBefore);
        double Stage(params string[] names) => result.Timings.Where(t => names.Contains(t.Stage)).Sum(t => t.Elapsed.TotalSeconds);
        ChildProcess.WriteResult(output, new
        {
            read = Stage(PipelineStages.Read),
            preprocess = Stage(PipelineStages.Reorient, PipelineStages.Normalize, PipelineStages.Resample),
            inference = Stage(PipelineStages.Predict),
            export = Stage(PipelineStages.Export),
            write,
            forwardMeasured = forward.Elapsed.TotalSeconds,
            forwardTotal = forward.Elapsed.TotalSeconds,
            passes = forward.Tiles,
            passesRun = forward.Tiles,
            sinceStart = SinceProcessStart(),
            peakRss = ProcessFigures.PeakRssMegabytes(),
        });
    }

    /// <summary>
    /// The same stages with every part of every package run one after another and merged (TotalSegmentator's five
    /// part models of `total`), with <see cref="SampledTileNetwork"/> so only a sample of forward passes runs. The
    /// stage code mirrors <see cref="SegmentationPipeline"/> through the public API (which has no way to sample
    /// forward passes); nothing else is skipped.
    /// </summary>
    public static void Parts(TextWriter output, ChildRequest request)
    {
        var packages = (request.Packages ?? []).Select(ModelPackage.Load).ToList();
        var manifest = packages[0].Manifest;
        if (packages.Any(p => !p.Manifest.TargetSpacing.SequenceEqual(manifest.TargetSpacing) || !p.Manifest.TransposeForward.SequenceEqual(manifest.TransposeForward)))
        {
            throw new InferenceException("the packages of one parts case must share spacing and axis order");
        }

        var clock = Stopwatch.StartNew();
        var image = NiftiReader.Read(request.Input!);
        double read = Lap(clock);

        ReorientedVolume? canonical = Reorientation.ToClosestCanonical(image.Volume);
        var layout = new NetworkLayout(manifest.TransposeForward);
        var xyz = new double[3];
        for (int i = 0; i < 3; i++)
        {
            xyz[layout.VolumeAxisOfNetworkAxis[i]] = manifest.TargetSpacing[i];
        }

        var floats = canonical.Volume.ToFloat32();

        // As the pipeline does: only the canonical grid's geometry is needed after this, not a reoriented copy's voxels.
        var canonicalShape = canonical.Volume.Shape;
        var canonicalSpacing = canonical.Volume.Spacing;
        var reorientationUndo = canonical.Undo;
        canonical = null;
        ChannelNormalizer.NormalizeChannels(floats.Data, manifest.Normalization);
        var resampled = NnUNetResampling.ResampleData(floats, (xyz[0], xyz[1], xyz[2]), order: 3);
        floats = null;
        double preprocess = Lap(clock);

        float[] input = layout.ToNetwork([resampled]);
        int[] size = layout.NetworkSize(resampled.Shape);
        var merged = new byte[resampled.Shape.VoxelCount];
        var forwardBefore = ForwardPassStatistics.Snapshot();
        long passes = 0;
        double forwardTotal = 0;
        using var cache = new ModelSessionCache(new InferenceRuntimeOptions());
        foreach (var package in packages)
        {
            foreach (var part in package.Manifest.Parts)
            {
                var folds = package.FoldFiles(part)
                    .Select(file => new SampledTileNetwork(cache.Runner(file, part.Network.InputName, part.Network.OutputName), request.SampledForwardPasses > 0 ? request.SampledForwardPasses : int.MaxValue))
                    .ToList();
                var predictor = new SlidingWindowPredictor([.. folds], PackagePrediction.OptionsFor(package.Manifest));
                var result = predictor.Predict(input, size);
                passes += folds.Sum(f => f.Calls);
                forwardTotal += folds.Sum(f => f.MeanPassSeconds * f.Calls);
                var local = layout.LabelsToVolume(result.Labels, resampled.Shape, resampled.Affine).Data;
                var kept = part.LabelMap.Where(l => l.Value != 0).ToDictionary(l => l.Key, l => l.Value);
                // Labels a manifest maps to 0 are dropped to background first, as the pipeline does.
                for (int i = 0; i < local.Length; i++)
                {
                    if (local[i] != 0 && !kept.ContainsKey(local[i]))
                    {
                        local[i] = 0;
                    }
                }

                PartLabelMerger.Merge(merged, local, kept);
                if (request.ReleaseSessions)
                {
                    foreach (var file in package.FoldFiles(part))
                    {
                        cache.Release(file);
                    }
                }
            }
        }

        var forward = ForwardPassStatistics.Snapshot().Since(forwardBefore);
        double inference = Lap(clock);

        var labelsCanonical = NnUNetResampling.ResampleSegmentationToShape(
            new Volume<byte>(resampled.Shape, resampled.Affine, merged), canonicalShape, resampled.Spacing, canonicalSpacing, order: 0);
        var labels = (Volume<byte>)reorientationUndo.Apply(labelsCanonical);
        double export = Lap(clock);

        var names = packages.SelectMany(p => p.Manifest.Classes).GroupBy(c => c.Key).ToDictionary(g => g.Key, g => g.First().Value.Name);
        Directory.CreateDirectory(request.Output!);
        MultilabelNifti.Write(Path.Combine(request.Output!, "segmentation.nii.gz"), labels, names, image.Header);
        double write = Lap(clock);
        ChildProcess.WriteResult(output, new
        {
            read,
            preprocess,
            inference,
            export,
            write,
            forwardMeasured = forward.Elapsed.TotalSeconds,
            forwardTotal = request.SampledForwardPasses > 0 ? forwardTotal : forward.Elapsed.TotalSeconds,
            passes,
            passesRun = forward.Tiles,
            sinceStart = SinceProcessStart(),
            peakRss = ProcessFigures.PeakRssMegabytes(),
        });
    }

    private static string Single(string[]? packages) =>
        packages is [var only] ? only : throw new InvalidOperationException("the pipeline case takes one package");

    private static double Lap(Stopwatch clock)
    {
        double seconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return seconds;
    }

    private static double SinceProcessStart()
    {
        using var self = Process.GetCurrentProcess();
        return (DateTime.Now - self.StartTime).TotalSeconds;
    }
}
