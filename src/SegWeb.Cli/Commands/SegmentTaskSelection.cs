using SegWeb.Imaging;
using SegWeb.Inference;
using SegWeb.Inference.Cropping;
using SegWeb.Inference.Pipeline;
using SegWeb.Inference.Postprocessing;
using SegWeb.Inference.Tasks;
using SegWeb.Models.Catalog;
using SegWeb.Models.Download;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Commands;

/// <summary>What `segweb segment`'s model and task flags ask for, as parsed.</summary>
/// <param name="Model">--model: a package folder or an installed package name.</param>
/// <param name="Task">--task: an installed package of that name, or a TotalSegmentator task resolved to installed packages.</param>
/// <param name="ModelsDir">--models-dir.</param>
/// <param name="Fast">--fast: TotalSegmentator's 3 mm variant of the task.</param>
/// <param name="Fastest">--fastest: its 6 mm variant.</param>
/// <param name="RoiSubset">--roi_subset class names (null or empty: all).</param>
/// <param name="BodySeg">--body_seg: crop to TotalSegmentator's body model first.</param>
/// <param name="ForceSplit">--force_split.</param>
/// <param name="RemoveSmallBlobs">--remove_small_blobs.</param>
/// <param name="RobustCrop">--robust_crop (or --roi_subset_robust): the crop pass of --roi_subset and of a task's crop uses the 3 mm model, not the 6 mm one.</param>
/// <param name="HigherOrderResampling">--higher_order_resampling: nnU-Net's export, logits resampled back before the argmax.</param>
internal sealed record SegmentTaskRequest(
    string? Model, string? Task, string? ModelsDir, bool Fast, bool Fastest, IReadOnlyList<string>? RoiSubset, bool BodySeg, bool ForceSplit, bool RemoveSmallBlobs,
    bool RobustCrop = false, bool HigherOrderResampling = false);

/// <summary>
/// Turns TotalSegmentator's model flags into what the pipeline runs: the model (one package or a task's installed
/// packages), the crop pass (--roi_subset: the 6 mm <c>total</c> model, 3 mm for <c>total_mr</c>, box of the requested
/// classes + 20 mm; --body_seg: the 6 mm <c>body</c> model, box + 3 mm), and the pipeline options for the rest.
/// </summary>
/// <param name="Model">The model to segment with.</param>
/// <param name="Package">Its first package (named in DICOM-SEG output).</param>
/// <param name="Crop">The crop pass, or null.</param>
/// <param name="RoiSubset">Classes to keep, or null.</param>
/// <param name="Notes">Lines to print (flags TotalSegmentator ignores in this combination).</param>
internal sealed record SegmentTaskSelection(SegmentationModel Model, ModelPackage Package, MaskCrop? Crop, IReadOnlyList<string>? RoiSubset, IReadOnlyList<string> Notes)
{
    /// <summary>Resolves <paramref name="request"/> against the models folder and <paramref name="catalog"/> (default: the embedded one).</summary>
    public static SegmentTaskSelection Resolve(SegmentTaskRequest request, TaskCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Not parsed before it is needed: a package given by --model is read without it (the command parses it meanwhile).
        TaskCatalog Catalog() => catalog ??= TaskCatalog.LoadEmbedded();
        if (request.Fast && request.Fastest)
        {
            throw new SegWebException("--fast and --fastest cannot be used together");
        }

        var modelsDir = ModelsDirectory.Resolve(request.ModelsDir);
        var model = MainModel(request, Catalog, modelsDir);
        var notes = new List<string>();
        MaskCrop? crop = null;
        var roi = request.RoiSubset is { Count: > 0 } r ? r : null;
        if (roi is not null)
        {
            // TotalSegmentator: roi_subset only works with total / total_mr; its crop pass is the 6 mm model (3 mm for MR,
            // "because 6 mm gives too bad results", and with --robust_crop), cropped to the requested classes + 20 mm.
            if (model.Task is not ("total" or "total_mr"))
            {
                throw new SegWebException($"--roi_subset works with TotalSegmentator's total and total_mr tasks; {model.Name} is task '{model.Task ?? "(none)"}'");
            }

            model.IdsOf(roi.ToList()); // unknown names fail here, before any work
            bool threeMm = model.Task == "total_mr" || request.RobustCrop;
            var cropModel = InstalledTaskModels.Resolve(modelsDir, Catalog(), model.Task, fast: threeMm, fastest: !threeMm);
            crop = new MaskCrop(cropModel, roi, MaskCrop.RoiMarginMm);
            if (request.BodySeg)
            {
                notes.Add("--body_seg is ignored with --roi_subset (TotalSegmentator crops to the ROI instead)");
            }
        }
        else if (TaskCrop(model, request, Catalog(), modelsDir) is { } taskCrop)
        {
            crop = taskCrop;
            if (request.BodySeg)
            {
                notes.Add($"--body_seg is ignored: task {model.Task} crops to {string.Join(", ", taskCrop.Classes ?? [])} instead (as TotalSegmentator)");
            }
        }
        else if (request.BodySeg)
        {
            if (model.Task is { } t && t.EndsWith("_mr", StringComparison.Ordinal))
            {
                notes.Add("--body_seg is not supported for MR tasks and is ignored (as TotalSegmentator)");
            }
            else
            {
                crop = new MaskCrop(BodyModel(Catalog(), modelsDir), null, MaskCrop.BodyMarginMm);
            }
        }

        return new SegmentTaskSelection(model, model.Steps[0].Package, crop, roi, notes);
    }

    /// <summary>The pipeline options for this selection, on top of <paramref name="options"/>.</summary>
    public PipelineOptions Apply(PipelineOptions options, SegmentTaskRequest request)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(request);
        return options with
        {
            Crop = Crop,
            RoiSubset = RoiSubset,
            ForceSplit = request.ForceSplit,
            RemoveSmallBlobsMm3 = request.RemoveSmallBlobs ? TaskPostprocessing.SmallBlobMm3 : null,
            ResampleLogits = request.HigherOrderResampling,
        };
    }

    private static SegmentationModel MainModel(SegmentTaskRequest request, Func<TaskCatalog> catalog, string modelsDir)
    {
        bool variant = request.Fast || request.Fastest;
        if (request.Model is { } model)
        {
            if (variant)
            {
                throw new SegWebException("--fast/--fastest pick TotalSegmentator's 3/6 mm model of a task: give --task (e.g. --task total --fast) instead of --model");
            }

            if (Directory.Exists(model))
            {
                return SegmentationModel.FromPackage(ModelPackage.Load(model));
            }

            var installed = Path.Combine(modelsDir, model);
            return Directory.Exists(installed)
                ? SegmentationModel.FromPackage(ModelPackage.Load(installed))
                : throw new SegWebException($"--model {model}: no such package folder, and no installed package of that name in {modelsDir}");
        }

        if (request.Task is { } task)
        {
            var named = Path.Combine(modelsDir, task);
            if (!variant && File.Exists(Path.Combine(named, ModelManifest.FileName)))
            {
                return SegmentationModel.FromPackage(ModelPackage.Load(named));
            }

            if (catalog().Find(task) is null)
            {
                throw new SegWebException($"--task {task}: no installed package of that name in {modelsDir}, and no TotalSegmentator task of that name (see `segweb tasks`)");
            }

            return InstalledTaskModels.Resolve(modelsDir, catalog(), task, request.Fast, request.Fastest);
        }

        throw new SegWebException("no model: give --task <task> (installed with `segweb models install`) or --model <package folder or name>");
    }

    /// <summary>
    /// TotalSegmentator's crop for tasks that segment inside one region (`liver_vessels` inside the liver, `lung_nodules`
    /// inside the lungs, …: the variant's <c>crop</c> classes with <c>crop_addon</c> mm). The rough segmentation comes
    /// from the task's own crop model when it names one, TotalSegmentator's 6 mm body model for body_trunc/extremities,
    /// the 3 mm `total` (or `total_mr`) model with robust_crop (the task's or --robust_crop) or for MR, else the 6 mm
    /// `total` model; null when the task
    /// has no crop.
    /// </summary>
    private static MaskCrop? TaskCrop(SegmentationModel model, SegmentTaskRequest request, TaskCatalog catalog, string modelsDir)
    {
        string variantName = request.Fastest ? "fastest" : request.Fast ? "fast" : "default";
        if (model.Task is not { } task || catalog.Find(task)?.Variants.FirstOrDefault(v => v.Name == variantName) is not { Crop: { Count: > 0 } classes } variant)
        {
            return null;
        }

        bool mr = task.EndsWith("_mr", StringComparison.Ordinal);
        var (cropTask, fast, fastest) = variant.CropModel is { } named ? (named, false, false)
            : classes.Any(c => c is "body_trunc" or "body_extremities") ? ("body", true, false)
            : variant.RobustCrop || request.RobustCrop || mr ? (mr ? "total_mr" : "total", true, false)
            : ("total", false, true);
        SegmentationModel cropModel;
        try
        {
            cropModel = InstalledTaskModels.Resolve(modelsDir, catalog, cropTask, fast, fastest);
        }
        catch (InferenceException ex)
        {
            string flag = fastest ? " --fastest" : fast ? " --fast" : string.Empty;
            throw new SegWebException(
                $"task {task} first crops the scan to {string.Join(", ", classes)} with TotalSegmentator's {cropTask}{flag} model, which is not installed in {modelsDir}: run `segweb models install {cropTask}{flag}` ({ex.Message})");
        }

        var missing = classes.Where(c => !cropModel.ClassNames.Values.Contains(c, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0)
        {
            throw new SegWebException($"task {task} crops to {string.Join(", ", missing)}, which the crop model {cropModel.Name} does not segment");
        }

        // crop_addon is in mm: TotalSegmentator's crop_to_mask divides it by the voxel size (hence MaskCrop's margin).
        return new MaskCrop(cropModel, classes, variant.CropAddonVoxels.Max());
    }

    /// <summary>TotalSegmentator's body model for --body_seg: its 6 mm variant (what TotalSegmentator runs), else the 1.5 mm one.</summary>
    private static SegmentationModel BodyModel(TaskCatalog catalog, string modelsDir)
    {
        try
        {
            return InstalledTaskModels.Resolve(modelsDir, catalog, "body", fast: true);
        }
        catch (InferenceException)
        {
            try
            {
                return InstalledTaskModels.Resolve(modelsDir, catalog, "body");
            }
            catch (InferenceException)
            {
                throw new SegWebException(
                    $"--body_seg needs TotalSegmentator's body model, not installed in {modelsDir}: run `segweb models install body --fast` (the 6 mm model TotalSegmentator uses) or `segweb models install body`");
            }
        }
    }
}
