using System.CommandLine;
using System.Globalization;
using SegWeb.Imaging;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Statistics;
using SegWeb.Inference.Pipeline;
using SegWeb.Inference.Runtime;
using SegWeb.Models.Catalog;
using SegWeb.Models.Download;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Commands;

/// <summary>
/// `segweb segment -i &lt;input&gt; [-i …] -o &lt;output&gt; --model &lt;package&gt; [--ml] [-s] [-se] [-sii] [-p] [--report run.json]
/// [--step-size F] [--tta] [--device cpu|gpu[:N]|auto] [--quiet]`: TotalSegmentator's command with its flag names and
/// output layout (one &lt;class&gt;.nii.gz per class in the output folder, or with --ml one multilabel file named by -o
/// with statistics.json beside it). TotalSegmentator flags SegWeb does not implement yet fail with a clear error
/// instead of doing nothing. This file parses the flags; <see cref="SegmentRun"/> runs the request (several inputs,
/// preview, report), <see cref="SegmentInputCheck"/> refuses bad headers first, <see cref="SegmentProgress"/> draws progress.
/// </summary>
public static class SegmentCommand
{
    /// <summary>The `segment` command.</summary>
    public static Command Create()
    {
        var input = new Option<string[]>("--input", "-i")
        {
            Description = "CT/MR image: .nii/.nii.gz, a DICOM folder or a DICOM .zip. Repeat -i to segment several scans with the model loaded once: "
                + "each input then gets its own folder -o/<name>/ (name = file name without .nii.gz/.nii/.zip, or the DICOM folder's name) holding what a "
                + "single run with -o -o/<name> writes; with --ml the file -o/<name>/segmentations.nii.gz. All inputs are checked first; if any fails, nothing is written.",
            Required = true,
        };
        var output = new Option<string>("--output", "-o") { Description = "Output folder (one <class>.nii.gz per class), or with --ml the multilabel .nii.gz file; with several -i the folder of per-input folders.", Required = true };
        var report = new Option<string?>("--report") { Description = "Write a JSON run report there (versions, model and checksums, options, inputs, per-stage timings, warnings, peak memory, outputs; schema in docs/inference.md)." };
        var model = new Option<string?>("--model") { Description = "A model package folder (segweb models import/install), or the name of an installed package." };
        var modelsDir = new Option<string?>("--models-dir") { Description = "Models folder for package names (default: $SEGWEB_MODELS_DIR or ~/.segweb/models)." };
        var ml = new Option<bool>("--ml") { Description = "Write one multilabel file with the label table instead of one file per class." };
        var statistics = new Option<bool>("--statistics", "-s") { Description = "Write statistics.json (volume in mm³ and mean intensity per class)." };
        var includeIncomplete = new Option<bool>("--stats_include_incomplete", "-sii") { Description = "Measure structures touching the image border too (otherwise reported as 0, as TotalSegmentator)." };
        var stepSize = new Option<double?>("--step-size") { Description = "Sliding-window tile step as a fraction of the patch (default: the model's, 0.5 or 0.8 for total)." };
        var tta = new Option<bool>("--tta") { Description = "Mirroring test-time augmentation over the axes the model allows (off by default, as TotalSegmentator)." };
        var device = new Option<string>("--device") { Description = "cpu, gpu, gpu:N or auto (GPU if it starts, else CPU with a warning).", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads (0: one per physical core)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress lines on stderr." };
        var nrThrResamp = new Option<int?>("--nr_thr_resamp", "-nr") { Description = "Accepted for TotalSegmentator compatibility; SegWeb's resampling uses all cores." };
        var nrThrSaving = new Option<int?>("--nr_thr_saving", "-ns") { Description = "Accepted for TotalSegmentator compatibility; SegWeb's writers use all cores." };

        // TotalSegmentator's task flags (--fast, --roi_subset, …); -ot dicom_rtstruct is refused below with a clear message.
        var fast = new Option<bool>("--fast", "-f") { Description = "TotalSegmentator's 3 mm model of --task (segweb models install <task> --fast)." };
        var fastest = new Option<bool>("--fastest", "-ff") { Description = "TotalSegmentator's 6 mm model of --task (segweb models install <task> --fastest)." };
        var roiSubset = new Option<string[]>("--roi_subset", "-rs") { Description = "Only these classes (total, total_mr): crops to them with the 6 mm model first (3 mm with --robust_crop) and runs only the parts that hold them.", AllowMultipleArgumentsPerToken = true };
        var preview = new Option<bool>("--preview", "-p") { Description = "Write preview_<task>.png beside the outputs: coronal and sagittal projections of the scan with each structure in its colour." };
        var outputType = new Option<string>("--output_type", "-ot") { Description = "nifti, or dicom_seg (segmentations.dcm in the -o folder, for DICOM input); dicom_rtstruct is not implemented yet.", DefaultValueFactory = _ => "nifti" };
        var task = new Option<string?>("--task", "-ta") { Description = "An installed package of that name; TotalSegmentator's task download is not implemented yet." };
        var bodySeg = new Option<bool>("--body_seg", "-bs") { Description = "Crop to TotalSegmentator's body model first (segweb models install body --fast)." };
        var forceSplit = new Option<bool>("--force_split", "-fs") { Description = "Predict in three overlapping chunks along z to bound memory (TotalSegmentator's rule)." };
        var statisticsExtra = new Option<bool>("--statistics_extra", "-se") { Description = "Statistics with extra fields per structure (n_voxels, intensity_std/min/max, centroid_vox, bbox_vox), as `segweb stats --extra`; implies -s." };
        var removeSmallBlobs = new Option<bool>("--remove_small_blobs", "-rsb") { Description = "Remove connected components of at most 200 mm³ from every class (TotalSegmentator)." };
        var robustCrop = new Option<bool>("--robust_crop", "-rc") { Description = "Crop passes (--roi_subset, a task's crop) use the 3 mm total model instead of the 6 mm one: slower, more robust." };
        var roiSubsetRobust = new Option<string[]>("--roi_subset_robust", "-rsr") { Description = "TotalSegmentator's older spelling of --roi_subset with --robust_crop.", AllowMultipleArgumentsPerToken = true };
        var skipSaving = new Option<bool>("--skip_saving", "-ss") { Description = "Write no segmentation, only statistics.json (-s) and the preview (-p)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Accepted for TotalSegmentator compatibility; SegWeb always prints its stages and timings unless --quiet." };
        var noDerivedMasks = new Option<bool>("--no_derived_masks", "-ndm") { Description = "Accepted for TotalSegmentator compatibility: segment writes no derived masks (they come from `segweb combine-masks`)." };
        var higherOrder = new Option<bool>("--higher_order_resampling", "-ho") { Description = "nnU-Net's export: logits resampled back to the scan's spacing (linear) before the argmax, instead of the label map by nearest neighbour. Smoother on fine grids; not with --force_split." };

        var command = new Command("segment", "Segment a CT/MR scan with a model package (TotalSegmentator's flags and output layout).")
        {
            input, output, report, model, modelsDir, ml, statistics, includeIncomplete, stepSize, tta, device, threads, quiet, nrThrResamp, nrThrSaving,
            fast, fastest, roiSubset, preview, outputType, task, bodySeg, forceSplit, statisticsExtra, removeSmallBlobs,
            robustCrop, roiSubsetRobust, higherOrder, skipSaving, verbose, noDerivedMasks,
        };
        command.SetAction(parse =>
        {
            // While this thread reads the package's manifest and checks the inputs, another parses the task catalogue
            // (TaskCatalog.LoadEmbedded is lazy: the selection below waits for this parse instead of starting its own)
            // and starts ONNX Runtime: 0.1 s of every run's start, taken off the way to the first forward pass.
            _ = Task.Run(() =>
            {
                TaskCatalog.LoadEmbedded();
                ModelSessionCache.WarmUpRuntime();
            });
            var error = parse.InvocationConfiguration.Error;
            var type = parse.GetValue(outputType)!;
            bool dicomSeg = type.Equals("dicom_seg", StringComparison.OrdinalIgnoreCase);
            if (!dicomSeg && !type.Equals("nifti", StringComparison.OrdinalIgnoreCase))
            {
                throw new SegWebException(type is "dicom_rtstruct"
                    ? $"--output_type {type} is not implemented yet (nifti, dicom_seg)"
                    : $"--output_type {type}: unknown output type (nifti, dicom_seg, dicom_rtstruct)");
            }

            var inputs = parse.GetValue(input)!;
            if (dicomSeg && parse.GetValue(skipSaving))
            {
                throw new SegWebException("--skip_saving writes no segmentation, so -ot dicom_seg has nothing to write: use one or the other");
            }

            if (dicomSeg)
            {
                foreach (var each in inputs)
                {
                    SegmentDicomSegOutput.CheckRequest(each, parse.GetValue(ml));
                }
            }

            bool isQuiet = parse.GetValue(quiet);
            if (!isQuiet && parse.GetValue(skipSaving) && !parse.GetValue(statistics) && !parse.GetValue(statisticsExtra) && !parse.GetValue(preview))
            {
                error.WriteLine("segweb: note: --skip_saving without --statistics or --preview writes no file");
            }

            if (!isQuiet && (parse.GetValue(nrThrResamp) is not null || parse.GetValue(nrThrSaving) is not null))
            {
                error.WriteLine("segweb: note: --nr_thr_resamp/--nr_thr_saving are accepted for compatibility and ignored (SegWeb uses all cores)");
            }

            var warnings = new List<string>();
            var (provider, deviceId) = ParseDevice(parse.GetValue(device)!);
            // TotalSegmentator: --roi_subset_robust replaces --roi_subset and implies --robust_crop.
            var robustRoi = parse.GetValue(roiSubsetRobust) is { Length: > 0 } rsr ? rsr : null;
            var taskRequest = new SegmentTaskRequest(parse.GetValue(model), parse.GetValue(task), parse.GetValue(modelsDir), parse.GetValue(fast),
                parse.GetValue(fastest), robustRoi ?? parse.GetValue(roiSubset), parse.GetValue(bodySeg), parse.GetValue(forceSplit), parse.GetValue(removeSmallBlobs),
                RobustCrop: parse.GetValue(robustCrop) || robustRoi is not null, HigherOrderResampling: parse.GetValue(higherOrder));
            var selection = SegmentTaskSelection.Resolve(taskRequest);
            var package = selection.Package;
            var outputPath = parse.GetValue(output)!;
            bool multilabel = parse.GetValue(ml);
            if (multilabel && inputs.Length == 1 && !InputFiles.IsNifti(outputPath))
            {
                // TotalSegmentator's --ml writes the file -o names; give it the suffix the writers need.
                outputPath += ".nii.gz";
                if (!isQuiet)
                {
                    error.WriteLine($"segweb: note: --ml writes one file; writing {outputPath}");
                }
            }

            var options = new PipelineOptions
            {
                StepSize = parse.GetValue(stepSize),
                Mirroring = parse.GetValue(tta),
                Threads = parse.GetValue(threads),
                Provider = provider,
                DeviceId = deviceId,
                Warning = message =>
                {
                    warnings.Add(message);
                    SegmentProgress.InterruptLine();
                    error.WriteLine($"segweb: warning: {message}");
                },
            };
            options = selection.Apply(options, taskRequest);
            foreach (var note in isQuiet ? [] : selection.Notes)
            {
                error.WriteLine($"segweb: note: {note}");
            }

            var request = new SegmentRequest
            {
                Inputs = inputs,
                Output = outputPath,
                Package = package,
                Model = selection.Model,
                Multilabel = multilabel,
                DicomSeg = dicomSeg,
                Statistics = parse.GetValue(statistics) || parse.GetValue(statisticsExtra),
                SkipSaving = parse.GetValue(skipSaving),
                StatisticsFor = result => new StatisticsOptions
                {
                    IncludeIncomplete = parse.GetValue(includeIncomplete),
                    Extra = parse.GetValue(statisticsExtra),
                    VoxelSpacing = Zooms(result.Header),
                },
                Preview = parse.GetValue(preview),
                TaskName = parse.GetValue(task),
                ReportPath = parse.GetValue(report),
                Quiet = isQuiet,
                ReportOptions = SegmentReportOptions.From(parse, command),
            };
            return SegmentRun.Execute(request, options, warnings, error);
        });
        return command;
    }

    /// <summary>TotalSegmentator's --device words: cpu, gpu, gpu:N (and auto, SegWeb's: GPU if it starts, else CPU).</summary>
    internal static (ExecutionProviderKind Provider, int DeviceId) ParseDevice(string text)
    {
        var word = text.Trim().ToLowerInvariant();
        if (word == "gpu")
        {
            return (ExecutionProviderKind.Cuda, 0);
        }

        if (word.StartsWith("gpu:", StringComparison.Ordinal))
        {
            return int.TryParse(word[4..], NumberStyles.None, CultureInfo.InvariantCulture, out int id)
                ? (ExecutionProviderKind.Cuda, id)
                : throw new SegWebException($"--device {text}: expected gpu:N with N a GPU number");
        }

        if (word == "mps")
        {
            throw new SegWebException("--device mps: Apple's Metal is not supported (cpu, gpu, gpu:N, auto)");
        }

        return (InferenceRuntimeOptions.ParseProvider(word), 0);
    }

    /// <summary>nibabel's get_zooms() as TotalSegmentator's statistics use them; the affine's voxel sizes for DICOM input.</summary>
    private static (double, double, double)? Zooms(NiftiHeader? header)
    {
        if (header is null)
        {
            return null;
        }

        double x = header.Pixdim[1], y = header.Pixdim[2], z = header.Pixdim[3];
        return double.IsFinite(x) && double.IsFinite(y) && double.IsFinite(z) && x > 0 && y > 0 && z > 0 ? (x, y, z) : null;
    }
}
