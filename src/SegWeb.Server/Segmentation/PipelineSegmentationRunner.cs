using System.IO.Compression;
using Microsoft.Extensions.Options;
using SegWeb.Imaging;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Statistics;
using SegWeb.Inference.Pipeline;
using SegWeb.Inference.Runtime;
using SegWeb.Models.Packages;
using SegWeb.Server.Jobs;

namespace SegWeb.Server.Segmentation;

/// <summary>
/// The real <see cref="ISegmentationRunner"/>: segments the job's input with the configured model package through one
/// process-wide <see cref="SegmentationPipeline"/> (its ONNX sessions load on the first job and are reused), and writes
/// the outputs the request selects (<see cref="JobOutputSelection"/>) into the job's output folder: always the viewer's
/// volume.nii.gz and multilabel.nii.gz, then masks, statistics, seg.dcm, preview.png, and report.json last.
/// </summary>
/// <remarks>
/// The pipeline is synchronous and not thread-safe, so jobs run one at a time on a worker thread: further Hangfire
/// workers wait for the pipeline (cancellable) instead of loading a second copy of the networks.
/// </remarks>
public sealed class PipelineSegmentationRunner : ISegmentationRunner, IDisposable
{
    /// <summary>The multilabel NIfTI with the label table (TotalSegmentator's --ml file).</summary>
    public const string MultilabelFile = JobOutputSelection.Multilabel;

    /// <summary>One &lt;class&gt;.nii.gz mask per class of the model, zipped.</summary>
    public const string MasksZip = JobOutputSelection.Masks;

    /// <summary>TotalSegmentator's statistics.json (volume in mm³ and mean intensity per class).</summary>
    public const string StatisticsJson = JobOutputSelection.StatisticsJson;

    /// <summary>The same statistics as CSV.</summary>
    public const string StatisticsCsvFile = JobOutputSelection.StatisticsCsv;

    private readonly SegmentationPipeline _pipeline;
    private readonly ModelPackage _package;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly ILogger<PipelineSegmentationRunner> _log;
    private readonly IJobPreviewRenderer? _preview;
    private int _disposed;

    /// <summary>Loads the configured package (validated at start) and creates the pipeline.</summary>
    /// <param name="options">The segmentation settings.</param>
    /// <param name="log">Where pipeline warnings go too.</param>
    /// <param name="preview">The preview.png renderer, when one is registered.</param>
    public PipelineSegmentationRunner(IOptions<SegmentationOptions> options, ILogger<PipelineSegmentationRunner> log, IJobPreviewRenderer? preview = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _log = log;
        _preview = preview;
        _package = ModelPackage.Load(o.ModelPath ?? throw new SegWebException($"{SegmentationOptions.Section}:ModelPath is not set"));
        _pipeline = new SegmentationPipeline(new PipelineOptions
        {
            Provider = InferenceRuntimeOptions.ParseProvider(o.Device),
            DeviceId = o.DeviceId,
            Threads = o.Threads,
            Mirroring = o.Mirroring,
            StepSize = o.StepSize,

            // Pipeline warnings also come back in SegmentationResult.Warnings (kept with the job); log them too.
            Warning = message => _log.LogWarning("Segmentation: {Warning}", message),
        });
    }

    /// <inheritdoc />
    public async Task<JobOutputs> RunAsync(JobContext context, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(progress);
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => Run(context, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private JobOutputs Run(JobContext context, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        var warnings = CheckRequest(context.Request);
        string? format = context.Input?.Format;
        var wanted = JobOutputSelection.Resolve(context.Request.Outputs, format, _preview is not null);
        var mapper = new JobProgressMapper(progress);
        using var input = JobInput.Prepare(context);
        var result = _pipeline.Segment(input.Path, _package, mapper, cancellationToken);

        // Each output is one step of the writing stage; its wall time goes into report.json.
        string folder = context.OutputFolder;
        var timings = result.Timings.Select(t => new JobStageTiming(t.Stage, Math.Round(t.Elapsed.TotalSeconds, 3))).ToList();
        var written = new List<string>();
        int steps = wanted.Count, done = 0;
        void Step(string file, Action write)
        {
            cancellationToken.ThrowIfCancellationRequested();
            mapper.Report(JobProgressMapper.WritingStage, (double)done / steps);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            write();
            timings.Add(new JobStageTiming($"write {file}", Math.Round(clock.Elapsed.TotalSeconds, 3)));
            written.Add(file);
            done++;
        }

        Step(MultilabelFile, () => SegmentationOutput.Write(result, Path.Combine(folder, MultilabelFile), new SegmentationOutputOptions { Multilabel = true }, cancellationToken));
        Step(JobOutputSelection.Volume, () => ViewerVolume.Write(input.Path, result, Path.Combine(folder, JobOutputSelection.Volume), cancellationToken));
        if (wanted.Contains(MasksZip))
        {
            Step(MasksZip, () => WriteMasksZip(result, folder, cancellationToken));
        }

        if (wanted.Contains(StatisticsJson) || wanted.Contains(StatisticsCsvFile))
        {
            var report = StatisticsReport.Compute(result.Image, result.Labels, result.ClassNames, StatisticsOptionsFor(result.Header));
            if (wanted.Contains(StatisticsJson))
            {
                Step(StatisticsJson, () => report.WriteJson(Path.Combine(folder, StatisticsJson)));
            }

            if (wanted.Contains(StatisticsCsvFile))
            {
                // The CSV adds the median HU beside the mean (a second, linear-time pass for int16 CT).
                var medians = StatisticsReport.Compute(result.Image, result.Labels, result.ClassNames,
                    StatisticsOptionsFor(result.Header) with { Metric = IntensityMetric.Median });
                Step(StatisticsCsvFile, () => StatisticsCsv.Write(Path.Combine(folder, StatisticsCsvFile), report.Structures, medians.Structures));
            }
        }

        if (wanted.Contains(JobOutputSelection.DicomSeg))
        {
            Step(JobOutputSelection.DicomSeg, () => JobDicomSeg.Write(result, _package, input.Path, Path.Combine(folder, JobOutputSelection.DicomSeg)));
        }

        if (wanted.Contains(JobOutputSelection.Preview) && _preview is not null)
        {
            Step(JobOutputSelection.Preview, () => _preview.Render(result, Path.Combine(folder, JobOutputSelection.Preview), cancellationToken));
        }

        List<string> allWarnings = [.. warnings, .. result.Warnings];
        if (wanted.Contains(JobOutputSelection.Report))
        {
            var m = _package.Manifest;
            var report = new JobReport(
                JobReport.ServerVersion,
                new JobReport.ModelInfo(m.Name, m.Version, m.Task, m.Modality, m.Classes.Count),
                context.JobId,
                context.Attempt,
                context.Request,
                JobReport.Describe(context.Input, result.Image),
                timings,
                allWarnings,
                [.. written, JobOutputSelection.Report],
                DateTime.UtcNow);
            report.Write(Path.Combine(folder, JobOutputSelection.Report));
            written.Add(JobOutputSelection.Report);
        }

        mapper.Report(JobProgressMapper.WritingStage, 1);
        return new JobOutputs(written, allWarnings);
    }

    /// <summary>
    /// The server runs one configured model: options it cannot honour fail the job rather than being silently ignored;
    /// a task name other than the model's is run with the model, and says so.
    /// </summary>
    private List<string> CheckRequest(JobRequest request)
    {
        if (request.Fast || request.Fastest)
        {
            throw new SegWebException($"{(request.Fast ? "fast" : "fastest")} is not available: this server runs one model, {_package.Manifest.Name}");
        }

        if (request.RoiSubset is { Count: > 0 })
        {
            throw new SegWebException("roiSubset is not implemented yet: every class of the model is segmented");
        }

        var warnings = new List<string>();
        if (request.Task is { } task && !task.Equals(_package.Manifest.Name, StringComparison.OrdinalIgnoreCase))
        {
            warnings.Add($"task '{task}' requested; this server runs the model {_package.Manifest.Name}");
        }

        return warnings;
    }

    /// <summary>
    /// TotalSegmentator's statistics defaults (structures touching the border reported as 0), measured with the NIfTI
    /// header's zooms as nibabel's get_zooms() gives them (as `segweb segment` does); the affine's voxel sizes for DICOM.
    /// </summary>
    public static StatisticsOptions StatisticsOptionsFor(NiftiHeader? header)
    {
        if (header is null)
        {
            return StatisticsOptions.Default;
        }

        double x = header.Pixdim[1], y = header.Pixdim[2], z = header.Pixdim[3];
        bool valid = double.IsFinite(x) && double.IsFinite(y) && double.IsFinite(z) && x > 0 && y > 0 && z > 0;
        return valid ? StatisticsOptions.Default with { VoxelSpacing = (x, y, z) } : StatisticsOptions.Default;
    }

    /// <summary>
    /// One mask per class, written by the same writer as `segweb segment` into a scratch folder beside the output
    /// folder (outside it, so a failure leaves nothing in the results), then zipped.
    /// </summary>
    private static void WriteMasksZip(SegmentationResult result, string folder, CancellationToken cancellationToken)
    {
        string scratch = folder.TrimEnd(Path.DirectorySeparatorChar) + ".masks";
        try
        {
            SegmentationOutput.Write(result, scratch, new SegmentationOutputOptions(), cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();

            // The masks are gzip-compressed already: store them rather than deflate them a second time.
            ZipFile.CreateFromDirectory(scratch, Path.Combine(folder, MasksZip), CompressionLevel.NoCompression, includeBaseDirectory: false);
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>
    /// Releases the model. The container disposes this singleton at shutdown, possibly while a job still runs on a
    /// Hangfire thread: the pipeline's sessions stop the forward pass in flight and wait for it (see
    /// <see cref="Inference.Runtime.GuardedSession"/>), and the gate is disposed only once that job has let go of it
    /// (bounded), so that the job ends with its own exception rather than an ObjectDisposedException from its finally.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _pipeline.Dispose();
        if (_oneAtATime.Wait(TimeSpan.FromSeconds(30)))
        {
            _oneAtATime.Dispose();
        }
    }
}
