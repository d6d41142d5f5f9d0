using System.Diagnostics;
using SegWeb.Inference.Pipeline;
using SegWeb.Inference.Runtime;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Bench.Segment;

/// <summary>The child-process side of the segment benchmark's cases: run one case, print its figures as JSON.</summary>
internal static class ChildCases
{
    /// <summary>
    /// The whole `segweb segment` work on one scan through <see cref="SegmentationPipeline"/> (every part of every
    /// package, merged: TotalSegmentator's five part models of `total`), then the multilabel output written as the
    /// command writes it. With <see cref="ChildRequest.SampledForwardPasses"/>, each network runs only that many real
    /// forward passes (<see cref="SampledTileNetwork"/>); everything else is the pipeline's own code, in full.
    /// </summary>
    public static void Pipeline(TextWriter output, ChildRequest request)
    {
        var packages = (request.Packages ?? []).Select(ModelPackage.Load).ToList();
        var model = packages.Count == 1 ? SegmentationModel.FromPackage(packages[0]) : SegmentationModel.FromPackages(packages);
        var sampled = new List<SampledTileNetwork>();
        int budget = request.SampledForwardPasses > 0 ? request.SampledForwardPasses : int.MaxValue;
        var options = new PipelineOptions
        {
            SplitClassifierHead = request.SplitClassifierHead,
            DirectKernels = request.DirectKernels,
            ReleaseSessionsAfterUse = request.ReleaseSessions,
            NetworkWrapper = network =>
            {
                var wrapped = new SampledTileNetwork(network, budget);
                sampled.Add(wrapped);
                return wrapped;
            },
        };
        var forwardBefore = ForwardPassStatistics.Snapshot();
        SegmentationResult result;
        using (var pipeline = new SegmentationPipeline(options))
        {
            result = pipeline.Segment(request.Input!, model);
        }

        var clock = Stopwatch.StartNew();
        SegmentationOutput.Write(result, Path.Combine(request.Output!, "segmentation.nii.gz"), new SegmentationOutputOptions { Multilabel = true });
        double write = clock.Elapsed.TotalSeconds;
        var forward = ForwardPassStatistics.Snapshot().Since(forwardBefore);
        double Stage(params string[] names) => result.Timings.Where(t => names.Contains(t.Stage)).Sum(t => t.Elapsed.TotalSeconds);
        ChildProcess.WriteResult(output, new
        {
            read = Stage(PipelineStages.Read),
            preprocess = Stage(PipelineStages.Reorient, PipelineStages.Crop, PipelineStages.Normalize, PipelineStages.Resample),
            inference = Stage(PipelineStages.Predict),
            export = Stage(PipelineStages.Postprocess, PipelineStages.Export),
            write,
            forwardMeasured = forward.Elapsed.TotalSeconds,
            forwardTotal = request.SampledForwardPasses > 0 ? sampled.Sum(f => f.MeanPassSeconds * f.Calls) : forward.Elapsed.TotalSeconds,
            passes = sampled.Sum(f => (long)f.Calls),
            passesRun = forward.Tiles,
            sinceStart = SinceProcessStart(),
            peakRss = ProcessFigures.PeakRssMegabytes(),
        });
    }

    private static double SinceProcessStart()
    {
        using var self = Process.GetCurrentProcess();
        return (DateTime.Now - self.StartTime).TotalSeconds;
    }
}
