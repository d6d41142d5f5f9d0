using System.Globalization;
using SegWeb.Imaging;
using SegWeb.Imaging.Statistics;
using SegWeb.Inference.Pipeline;
using SegWeb.Inference.Preview;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Commands;

/// <summary>What one `segweb segment` call was asked to do, after its flags were parsed and checked.</summary>
internal sealed record SegmentRequest
{
    public required IReadOnlyList<string> Inputs { get; init; }

    /// <summary>-o: with one input the folder (or with --ml the file); with several the folder of per-input folders.</summary>
    public required string Output { get; init; }

    public required ModelPackage Package { get; init; }

    /// <summary>What runs: the package alone, or a task's packages with its crop pass (from <see cref="SegmentTaskSelection"/>).</summary>
    public required SegmentationModel Model { get; init; }

    public bool Multilabel { get; init; }
    public bool DicomSeg { get; init; }
    public bool Statistics { get; init; }

    /// <summary>--skip_saving: no segmentation files, only statistics.json and the preview.</summary>
    public bool SkipSaving { get; init; }

    /// <summary>Statistics options for one result (the voxel spacing comes from its header).</summary>
    public required Func<SegmentationResult, StatisticsOptions> StatisticsFor { get; init; }

    public bool Preview { get; init; }

    /// <summary>--task as given (names the preview); null: the package's task or name.</summary>
    public string? TaskName { get; init; }

    public string? ReportPath { get; init; }
    public bool Quiet { get; init; }

    /// <summary>The options as the report records them.</summary>
    public IReadOnlyDictionary<string, object?> ReportOptions { get; init; } = new Dictionary<string, object?>();
}

/// <summary>
/// Runs a <see cref="SegmentRequest"/>: checks every input's header first, then segments them one after the other with
/// ONE <see cref="SegmentationPipeline"/> (ONNX sessions load once for the whole call), writes each input's outputs
/// (NIfTI or DICOM-SEG, statistics, preview) all or nothing, and finally the --report.
/// </summary>
internal static class SegmentRun
{
    public static int Execute(SegmentRequest request, PipelineOptions options, List<string> warnings, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(warnings);
        ArgumentNullException.ThrowIfNull(error);
        var started = DateTimeOffset.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Everything that can be refused from names and headers is refused before the model loads.
        bool several = request.Inputs.Count > 1;
        if (several && InputFiles.IsNifti(request.Output))
        {
            throw new SegWebException($"-o {request.Output}: with several inputs -o is a folder (one subfolder per input), not a .nii/.nii.gz file");
        }

        var names = several ? SegmentBatchFolder.Names(request.Inputs) : [];
        foreach (var input in request.Inputs)
        {
            SegmentInputCheck.Check(input, options.MemoryLimitBytes);
        }

        if (request.ReportPath is { } reportPath)
        {
            CheckReportPath(reportPath);
        }

        var reportInputs = new List<ReportInput>();
        // One scan: nothing reuses a part's session once it has run, so each is released after its part (peak memory).
        using var pipeline = new SegmentationPipeline(several ? options : options with { ReleaseSessionsAfterUse = true });
        using var batch = several ? new SegmentBatchFolder(request.Output) : null;
        // Per input only what the summary and the report need: a result holds the scan and its labels, and keeping every
        // result until the end made a run over many scans hold all of them at once.
        var perInput = new List<(string Input, ReportInput Entry, string Timings, IReadOnlyList<string> Written)>();
        for (int i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            string? label = several ? $"[{i + 1}/{request.Inputs.Count} {names[i]}]" : null;
            var progress = request.Quiet ? null : SegmentProgress.Create(error, label);
            SegmentationResult result;
            try
            {
                result = pipeline.Segment(input, request.Model, progress);
            }
            finally
            {
                progress?.Finish();
            }

            var writeClock = System.Diagnostics.Stopwatch.StartNew();
            string target = batch is null ? request.Output
                : request.Multilabel ? Path.Combine(batch.StagingFor(names[i]), SegmentBatchFolder.MultilabelFileName)
                : batch.StagingFor(names[i]);
            var written = Write(request, result, input, target);
            var entry = ReportInput.From(input, result, written);
            entry = entry with { Timings = [.. entry.Timings, new ReportTiming("write", writeClock.Elapsed.TotalSeconds)] };
            var timings = string.Join(", ", result.Timings.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Stage} {t.Elapsed.TotalSeconds:F2} s")));
            perInput.Add((input, entry, timings, written));
        }

        batch?.Publish();
        foreach (var (input, entry, timings, written) in perInput)
        {
            var final = batch is null ? written : [.. written.Select(batch.FinalPath)];
            if (!request.Quiet)
            {
                error.WriteLine(several ? $"segweb: {Path.GetFileName(Path.TrimEndingDirectorySeparator(input))}: {timings}" : $"segweb: {timings}");
                error.WriteLine($"segweb: wrote {final.Count} file(s) to {Path.GetDirectoryName(final[0])}");
            }

            reportInputs.Add(entry with { Outputs = final });
        }

        if (request.ReportPath is { } path)
        {
            new SegmentReport
            {
                SegwebVersion = SegmentReport.SegWebVersion,
                OnnxruntimeVersion = SegmentReport.OnnxRuntimeVersion,
                StartedAt = started,
                FinishedAt = DateTimeOffset.UtcNow,
                TotalSeconds = clock.Elapsed.TotalSeconds,
                Model = ReportModel.From(request.Package),
                Options = request.ReportOptions,
                ExecutionProvider = pipeline.ResolvedProvider?.ToString(),
                OnnxSessionsCreated = pipeline.SessionsCreated,
                PeakWorkingSetBytes = SegmentReport.PeakWorkingSet(),
                Inputs = reportInputs,
                Warnings = [.. warnings],
            }.Write(path);
            if (!request.Quiet)
            {
                error.WriteLine($"segweb: report written to {path}");
            }
        }

        return CommandRunner.ExitOk;
    }

    /// <summary>The preview's file name: preview_&lt;task&gt;.png as TotalSegmentator names it.</summary>
    public static string PreviewFileName(string? taskName, ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var task = taskName ?? manifest.Task ?? manifest.Name;
        var invalid = Path.GetInvalidFileNameChars();
        var safe = new string([.. task.Select(c => invalid.Contains(c) || char.IsWhiteSpace(c) ? '_' : c)]);
        return $"preview_{safe}.png";
    }

    private static IReadOnlyList<string> Write(SegmentRequest request, SegmentationResult result, string input, string target)
    {
        var statistics = request.StatisticsFor(result);
        IReadOnlyList<(string, Action<string>)> extra = request.Preview
            ? [(PreviewFileName(request.TaskName, request.Package.Manifest), path => WritePreview(request.Package.Manifest, result, path))]
            : [];
        return request.DicomSeg
            ? SegmentDicomSegOutput.Write(result, request.Package, input, target, request.Statistics ? statistics : null, extra)
            : SegmentationOutput.Write(result, target, new SegmentationOutputOptions
            {
                Multilabel = request.Multilabel,
                Statistics = request.Statistics,
                SkipSegmentations = request.SkipSaving,
                StatisticsOptions = statistics,
                ExtraFiles = extra,
            });
    }

    private static void WritePreview(ModelManifest manifest, SegmentationResult result, string path)
    {
        var recorded = manifest.Classes.Where(c => c.Key != 0).ToDictionary(c => c.Key, c => c.Value.Color);
        var colors = PreviewPalette.For(result.ClassNames.Keys, recorded);
        SegmentationPreview.Write(path, result.Image, result.Labels, colors);
    }

    private static void CheckReportPath(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new SegWebException($"--report {path}: is a folder; give the report's file name (e.g. run.json)");
        }

        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
        {
            throw new SegWebException($"--report {path}: the folder {folder} does not exist");
        }
    }
}
