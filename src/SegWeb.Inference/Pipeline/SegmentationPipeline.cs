using System.Diagnostics;
using System.Runtime.CompilerServices;
using SegWeb.Imaging.Geometry;
using SegWeb.Inference.Cropping;
using SegWeb.Inference.Postprocessing;
using SegWeb.Imaging.Resampling;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Layout;
using SegWeb.Inference.Normalization;
using SegWeb.Inference.Progress;
using SegWeb.Inference.Runtime;
using SegWeb.Inference.SlidingWindow;
using SegWeb.Models.Packages;

namespace SegWeb.Inference.Pipeline;

/// <summary>
/// The end-to-end segmentation of one scan in nnU-Net's stage order, as TotalSegmentator drives it: read (NIfTI or a
/// DICOM folder/zip) → reorient to the closest canonical (RAS) orientation → crop (to a first segmentation's box for
/// --roi_subset/--body_seg, then nnU-Net's non-zero box) → normalise (nnU-Net normalises before it
/// resamples) → resample to the model spacing (order 3, nnU-Net's separate-z rule) → sliding window per model part,
/// parts merged into global class ids → post-processing at the model's spacing → labels back to the canonical grid (nearest, as TotalSegmentator resamples
/// label maps) → crops and reorientation undone, so the labels lie on the input's own grid with its affine.
/// </summary>
/// <remarks>
/// One instance holds one <see cref="ModelSessionCache"/>: ONNX sessions load on the first scan and are reused for
/// every later one, so a worker keeps its pipeline for its lifetime. Not thread-safe: one scan at a time.
/// Not done yet: multi-channel (MR multi-sequence) input.
/// </remarks>
public sealed class SegmentationPipeline : IDisposable
{
    private readonly PipelineOptions _options;
    private readonly ModelSessionCache _cache;

    /// <summary>Creates a pipeline whose networks run with <paramref name="options"/>' provider and threads.</summary>
    public SegmentationPipeline(PipelineOptions? options = null)
    {
        _options = options ?? new PipelineOptions();
        _cache = new ModelSessionCache(new InferenceRuntimeOptions
        {
            Provider = _options.Provider,
            IntraOpThreads = _options.Threads,
            DeviceId = _options.DeviceId,
            SplitClassifierHead = _options.SplitClassifierHead,
            DirectKernels = _options.DirectKernels,
            Warning = _options.Warning,
        });
    }

    /// <summary>Largest scan file (bytes) beside which any first network loads in parallel (see Segment).</summary>
    private const long PreloadScanBytes = 32L << 20;

    /// <summary>Largest network (ONNX bytes, all folds) that loads in parallel beside any scan (the 3 mm model is 66 MB, a 1.5 mm part 125 MB).</summary>
    private const long PreloadNetworkBytes = 96L << 20;

    /// <summary>The provider the sessions actually use (after <c>auto</c> resolved), once a model has loaded.</summary>
    public ExecutionProviderKind? ResolvedProvider => _cache.ResolvedProvider;

    /// <summary>ONNX Runtime sessions this pipeline has created so far (one per ONNX file, however many scans).</summary>
    public int SessionsCreated => _cache.SessionsCreated;

    /// <summary>Segments one scan with a fresh pipeline (sessions are not kept; use an instance to reuse them).</summary>
    public static SegmentationResult Run(string inputPath, ModelPackage package, PipelineOptions? options = null,
        IProgress<InferenceProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var pipeline = new SegmentationPipeline(options);
        return pipeline.Segment(inputPath, package, progress, cancellationToken);
    }

    /// <summary>Segments the scan at <paramref name="inputPath"/> (a .nii/.nii.gz file, a DICOM folder or a DICOM .zip).</summary>
    /// <exception cref="Imaging.ImageFormatException">The input cannot be read (missing, not an image, corrupt).</exception>
    /// <exception cref="InferenceException">The input or model cannot be segmented (2D, absurd spacing, multi-channel, too big).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public SegmentationResult Segment(string inputPath, ModelPackage package, IProgress<InferenceProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        return Segment(inputPath, SegmentationModel.FromPackage(package), progress, cancellationToken);
    }

    /// <summary>
    /// Segments the scan at <paramref name="inputPath"/> with every step of <paramref name="model"/> (one package's parts,
    /// or several packages merged), applying the options' crops, ROI subset, split and post-processing.
    /// </summary>
    /// <exception cref="Imaging.ImageFormatException">The input cannot be read (missing, not an image, corrupt).</exception>
    /// <exception cref="InferenceException">The input or model cannot be segmented (2D, absurd spacing, multi-channel, too big, unknown ROI class).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public SegmentationResult Segment(string inputPath, SegmentationModel model, IProgress<InferenceProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputPath);
        ArgumentNullException.ThrowIfNull(model);
        RequireSupported(model);
        if (_options.ResampleLogits && _options.ForceSplit)
        {
            throw new InferenceException("resampling logits on export (--higher_order_resampling) does not work with z chunks (--force_split): use one or the other");
        }

        if (_options.Crop is { } crop)
        {
            RequireSupported(crop.Model);
            if (crop.Classes is { } cropClasses)
            {
                crop.Model.IdsOf(cropClasses.ToList()); // an unknown class fails now, not after the first pass
            }
        }

        var run = model;
        HashSet<int>? keep = null;
        if (_options.RoiSubset is { Count: > 0 } subset)
        {
            run = model.Restrict(subset);
            keep = model.IdsOf(subset);
            if (run.Steps.Count == 0)
            {
                throw new InferenceException($"{model.Name}: no part of the model produces {string.Join(", ", subset)}");
            }
        }

        var timings = new List<StageTiming>();
        var warnings = new List<string>();
        var clock = Stopwatch.StartNew();

        // The first network loads on another thread while the scan is read and preprocessed (a third of a second for
        // the 3 mm model: more than reading and preprocessing example_ct_sm). Loading holds two or three transient
        // copies of the weights, so a big network does so only beside a small scan file: on top of a big scan's
        // preprocessing (the run's peak), a 1.5 mm part raised the 117-class run on the 512×512×824 CT from 2246–2254 to
        // 2305–2314 MB, to save a third of a second of an hour.
        // Later uses of the session cache wait for the load; its errors surface there.
        var first = _options.Crop is { } c ? c.Model.Steps[0] : run.Steps[0];
        long networkBytes = first.Package.FoldFiles(first.Part).Sum(f => File.Exists(f) ? new FileInfo(f).Length : 0);
        bool smallScan = File.Exists(inputPath) && new FileInfo(inputPath).Length <= PreloadScanBytes;
        var preload = smallScan || networkBytes <= PreloadNetworkBytes
            ? Task.Run(() => PackagePrediction.Networks(_cache, first.Package, first.Part), CancellationToken.None)
            : Task.CompletedTask;
        Volume<byte> labels;
        Volume image;
        Imaging.Nifti.NiftiHeader? header;
        try
        {
            // read
            var read = new StageProgress(progress, PipelineStages.Read, 1);
            (image, header, var readWarnings) = PipelineInput.Read(inputPath);
            warnings.AddRange(readWarnings);
            PipelineInput.Validate(inputPath, image);
            read.Complete();
            Lap(timings, PipelineStages.Read, clock);
            cancellationToken.ThrowIfCancellationRequested();

            labels = Predict(inputPath, image, run, _options.Crop, mainPass: true, timings, warnings, progress, cancellationToken);
        }
        finally
        {
            // Never leave the load running past this call (the pipeline may be disposed next); a failed preload is
            // reported by the use that needed it, or does not matter when the scan failed first.
            try
            {
                preload.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
            }
        }
        if (keep is not null)
        {
            // TotalSegmentator keeps only the requested classes (img_data *= np.isin(img_data, roi ids)).
            var table = new bool[256];
            foreach (int id in keep)
            {
                table[id] = true;
            }

            var data = labels.Data;
            for (int i = 0; i < data.Length; i++)
            {
                if (!table[data[i]])
                {
                    data[i] = 0;
                }
            }
        }

        return new SegmentationResult(labels, new Dictionary<int, string>(run.ClassNames), image, header, timings, warnings);
    }

    /// <summary>
    /// Everything after reading: reorient → crop (mask box, then nnU-Net's non-zero box) → per step normalise, resample,
    /// predict (in z chunks with --force_split) and merge → post-process at the model's spacing → labels back to the
    /// cropped canonical grid → crops undone → reorientation undone. Returns labels on <paramref name="image"/>'s grid.
    /// </summary>
    /// <remarks>
    /// Always compiled optimised (not tiered): the memory plan below relies on the JIT knowing when a local is dead. Quick
    /// (tier-0) code reports every local as live to the end of the method, and with it a 512×512×824 CT kept its float
    /// copies through all five parts of `total`: 3.5 GB peak instead of 2.2 GB (`segweb bench segment`, ct824-parts).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Volume<byte> Predict(string inputPath, Volume image, SegmentationModel model, MaskCrop? maskCrop, bool mainPass,
        List<StageTiming> timings, List<string> warnings, IProgress<InferenceProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var manifest = model.Steps[0].Package.Manifest;

        // reorient: TotalSegmentator predicts on nibabel's as_closest_canonical of the input.
        var reorient = new StageProgress(progress, PipelineStages.Reorient, 1);
        var layout = new NetworkLayout(manifest.TransposeForward);
        var target = TargetSpacing(layout, manifest.TargetSpacing);
        bool logitsExport = _options.ResampleLogits && mainPass;
        RequireMemory(inputPath, Reorientation.ClosestCanonicalGrid(image), target, layout, logitsExport ? model.Steps.Max(step => step.Part.OutputChannels) : 0);
        // The float copy applies slope and intercept (nnU-Net's non-zero crop looks at the real values, as SimpleITK
        // loads them), and is itself reoriented, in place when only axes flip: no reoriented copy of the input is made.
        ReorientedVolume? canonical = Reorientation.ToClosestCanonicalFloat32(image);
        Volume<float>? cropped = (Volume<float>)canonical.Volume;
        reorient.Complete();
        Lap(timings, PipelineStages.Reorient, clock);
        cancellationToken.ThrowIfCancellationRequested();

        // crop: first to the box of a cheaper segmentation, then nnU-Net's box of the non-zero voxels.
        var undo = new List<(CropBox Box, VolumeShape Shape, Imaging.Geometry.Affine Affine)>();
        var cropStage = new StageProgress(progress, PipelineStages.Crop, 1);
        if (maskCrop is not null)
        {
            var box = MaskBox(inputPath, image, canonical, maskCrop, timings, warnings, progress, cancellationToken);
            clock.Restart();
            if (box is { } b && !b.Covers(cropped.Shape))
            {
                undo.Add((b, cropped.Shape, cropped.Affine));
                cropped = b.Crop(cropped);
            }
        }

        if (_options.CropToNonzero && CropBox.OfNonzero(cropped) is { } nonzero && !nonzero.Covers(cropped.Shape))
        {
            undo.Add((nonzero, cropped.Shape, cropped.Affine));
            cropped = nonzero.Crop(cropped);
        }

        cropStage.Complete();
        Lap(timings, PipelineStages.Crop, clock);
        if (mainPass && PipelineInput.IsConstant(cropped.Data))
        {
            Warn(warnings, $"{inputPath}: every voxel has the same value; the segmentation will be empty or meaningless");
        }

        // Memory: from here on only the geometry of the canonical and cropped grids is needed, not their voxels. A
        // reoriented copy (as big as the input) is let go now, and with a single normalisation the float copy is
        // normalised in place and let go once resampled, so the prediction holds neither (1.3 GB for a 512×512×824
        // LPS CT). ToFloat32 always makes a new array, so the image (the result's, which statistics measure) is never written.
        var reorientationUndo = canonical.Undo;
        canonical = null;
        var croppedShape = cropped.Shape;
        var croppedAffine = cropped.Affine;
        var croppedSpacing = cropped.Spacing;
        bool singleNormalization = model.Steps.Select(candidate => NormalizationKey(candidate.Package.Manifest)).Distinct(StringComparer.Ordinal).Count() == 1;

        var windowOptions = WindowOptions(manifest);
        // The resampled image's geometry, and per z chunk its network input: made once per normalisation and shared by
        // every part that uses it (TotalSegmentator's `total` parts of one package), the resampled voxels dropped as soon
        // as the inputs exist, so that only one copy of the image is alive while the networks run.
        Volume<float>? resampled = null;
        (VolumeShape Shape, Affine Affine, (double X, double Y, double Z) Spacing) grid = default;
        string? preparedFor = null;
        IReadOnlyList<ZChunk>? chunks = null;
        (float[] Input, VolumeShape Shape, Affine Affine)[]? chunkInputs = null;
        byte[]? merged = null;
        int steps = model.Steps.Count;
        for (int s = 0; s < steps; s++)
        {
            var step = model.Steps[s];
            var stepManifest = step.Package.Manifest;
            // Parts of one package share a normalisation; packages (TotalSegmentator's part models) each have their own
            // intensity statistics, and nnU-Net normalises before it resamples, so the input is prepared per normalisation.
            string key = NormalizationKey(stepManifest);
            if (key != preparedFor)
            {
                chunkInputs = null; // let the previous input go before the next one is made
                float[] normalized;
                if (singleNormalization)
                {
                    normalized = cropped!.Data;
                    cropped = null;
                }
                else
                {
                    normalized = (float[])cropped!.Data.Clone();
                }

                var mask = stepManifest.Normalization[0].UseMaskForNorm ? NonzeroMask(normalized) : default;
                ChannelNormalizer.NormalizeChannels(normalized, stepManifest.Normalization, mask, progress, cancellationToken);
                Lap(timings, PipelineStages.Normalize, clock);

                var resample = new StageProgress(progress, PipelineStages.Resample, 1);
                resampled = NnUNetResampling.ResampleData(new Volume<float>(croppedShape, croppedAffine, normalized), target, order: 3);
                resample.Complete();
                Lap(timings, PipelineStages.Resample, clock);
                cancellationToken.ThrowIfCancellationRequested();
                preparedFor = key;
                chunks = _options.ForceSplit ? ZSplit.Chunks(resampled.Shape.Z) : [new ZChunk(0, resampled.Shape.Z, 0, resampled.Shape.Z)];
                var whole = resampled;
                chunkInputs = [.. chunks.Select(chunk =>
                {
                    var sub = chunk.Depth == whole.Shape.Z ? whole : new CropBox(0, 0, chunk.Start, whole.Shape.X, whole.Shape.Y, chunk.End).Crop(whole);
                    return (layout.ToNetwork([sub]), sub.Shape, sub.Affine);
                })];
                grid = (resampled.Shape, resampled.Affine, resampled.Spacing);
                resampled = null;
            }

            byte[] local;
            if (logitsExport)
            {
                // nnU-Net's export: the logits go back to the cropped grid as the window finalises them (one chunk: no split).
                merged ??= new byte[croppedShape.VoxelCount];
                var (input, subShape, _) = chunkInputs![0];
                var logitsBack = LogitsBack(layout, step.Part.OutputChannels, subShape, croppedShape, target, croppedSpacing);
                var predictor = PackagePrediction.Create(_cache, step.Package, step.Part, windowOptions with { LogitsHandler = logitsBack.Push }, _options.NetworkWrapper);
                var partProgress = progress is null ? null : new PartProgress(progress, s, steps);
                predictor.Predict(input, layout.NetworkSize(subShape), partProgress, cancellationToken);
                local = layout.LabelsToVolume(logitsBack.Labels, croppedShape, croppedAffine).Data;
            }
            else
            {
                merged ??= new byte[grid.Shape.VoxelCount];
                var predictor = PackagePrediction.Create(_cache, step.Package, step.Part, windowOptions, _options.NetworkWrapper);
                local = new byte[merged.Length];
                var shape = grid.Shape;
                for (int c = 0; c < chunks!.Count; c++)
                {
                    var chunk = chunks[c];
                    var (input, subShape, subAffine) = chunkInputs![c];
                    var partProgress = progress is null ? null : new PartProgress(progress, (s * chunks.Count) + c, steps * chunks.Count);
                    var result = predictor.Predict(input, layout.NetworkSize(subShape), partProgress, cancellationToken);
                    var labels = layout.LabelsToVolume(result.Labels, subShape, subAffine);
                    // Only the chunk's output slices, away from its cut edges, are kept.
                    int slice = shape.SliceSize;
                    Array.Copy(labels.Data, (long)(chunk.OutputStart - chunk.Start) * slice, local, (long)chunk.OutputStart * slice,
                        (long)(chunk.OutputEnd - chunk.OutputStart) * slice);
                }
            }

            PartLabelMerger.Merge(merged, local, step.Part.LabelMap);
            if (_options.ReleaseSessionsAfterUse)
            {
                foreach (var file in step.Package.FoldFiles(step.Part))
                {
                    _cache.Release(file);
                }
            }
        }

        Lap(timings, PipelineStages.Predict, clock);

        // post-process at the model's spacing, where TotalSegmentator runs it (on the cropped grid when logits went back)
        var postprocess = new StageProgress(progress, PipelineStages.Postprocess, 1);
        chunkInputs = null;
        var labelsResampled = logitsExport
            ? new Volume<byte>(croppedShape, croppedAffine, merged!)
            : new Volume<byte>(grid.Shape, grid.Affine!, merged!);
        TaskPostprocessing.Apply(labelsResampled, model.ClassNames, model.Task,
            mainPass ? _options.RemoveSmallBlobsMm3 : null, _options.TaskPostprocessing);
        postprocess.Complete();
        Lap(timings, PipelineStages.Postprocess, clock);

        // export: nearest back to the cropped canonical grid (with ResampleLogits the labels are already there), crops
        // undone (background outside), then the reorientation undone (restores the input's affine exactly)
        var export = new StageProgress(progress, PipelineStages.Export, 1);
        var back = logitsExport ? labelsResampled : (Volume<byte>)NnUNetResampling.ResampleSegmentationToShape(
            labelsResampled, croppedShape, grid.Spacing, croppedSpacing, order: 0);
        for (int i = undo.Count - 1; i >= 0; i--)
        {
            var (box, fullShape, fullAffine) = undo[i];
            back = box.Uncrop(back, fullShape, fullAffine);
        }

        var onInputGrid = (Volume<byte>)reorientationUndo.Apply(back);
        export.Complete();
        Lap(timings, PipelineStages.Export, clock);
        return onInputGrid;
    }

    /// <summary>
    /// nnU-Net's export of one part's logits from the resampled grid to the cropped canonical grid, in network axis order:
    /// resample_data_or_seg_to_shape(order 1, order_z 0) with its separate-z rule decided on the model's spacing (nnU-Net's
    /// current_spacing) and the scan's.
    /// </summary>
    private static StreamedArgmaxResampler LogitsBack(NetworkLayout layout, int classes, VolumeShape from, VolumeShape to,
        (double X, double Y, double Z) modelSpacing, (double X, double Y, double Z) scanSpacing)
    {
        var decision = NnUNetResampling.Decide(modelSpacing, scanSpacing);
        int[] orders = [.. layout.VolumeAxisOfNetworkAxis.Select(axis => axis == decision.LowResolutionAxis ? 0 : 1)];
        return new StreamedArgmaxResampler(classes, layout.NetworkSize(from), layout.NetworkSize(to), orders);
    }

    /// <summary>
    /// The first pass of a mask crop: the crop model on the same input, its selected labels' box on the canonical grid
    /// grown by the margin (mm → whole voxels per axis), or null (with a warning) when the mask is empty, as
    /// TotalSegmentator then runs on the whole image.
    /// </summary>
    private CropBox? MaskBox(string inputPath, Volume image, ReorientedVolume canonical, MaskCrop maskCrop,
        List<StageTiming> timings, List<string> warnings, IProgress<InferenceProgress>? progress, CancellationToken cancellationToken)
    {
        var passTimings = new List<StageTiming>();
        var passProgress = progress is null ? null : new CropPassProgress(progress);
        var mask = Predict(inputPath, image, maskCrop.Model, null, mainPass: false, passTimings, warnings, passProgress, cancellationToken);
        timings.Add(new StageTiming(PipelineStages.CropPass, TimeSpan.FromTicks(passTimings.Sum(t => t.Elapsed.Ticks))));
        var selected = new bool[256];
        if (maskCrop.Classes is { } classes)
        {
            foreach (int id in maskCrop.Model.IdsOf(classes))
            {
                selected[id] = true;
            }
        }
        else
        {
            Array.Fill(selected, true);
            selected[0] = false;
        }

        var canonicalMask = (Volume<byte>)Reorientation.ToClosestCanonical(mask).Volume;
        if (CropBox.OfLabels(canonicalMask, selected) is not { } box)
        {
            Warn(warnings, $"{inputPath}: {maskCrop.Model.Name} found no {(maskCrop.Classes is { } c ? string.Join(", ", c) : "foreground")}; not cropping");
            return null;
        }

        var shape = canonical.Volume.Shape;
        return box.Expand(CropBox.MarginVoxels(maskCrop.MarginMm, canonical.Volume.Spacing), shape);
    }

    private SlidingWindowOptions WindowOptions(ModelManifest manifest)
    {
        var windowOptions = PackagePrediction.OptionsFor(manifest, _options.Mirroring, _options.BatchSize) with
        {
            UseGaussian = _options.UseGaussian,
            MemoryLimitBytes = _options.MemoryLimitBytes,
        };
        if (_options.StepSize is double step)
        {
            if (!(step > 0 && step <= 1))
            {
                throw new InferenceException($"tile step size {step} is outside (0, 1]");
            }

            windowOptions = windowOptions with { StepSize = step };
        }

        return windowOptions;
    }

    private static string NormalizationKey(ModelManifest manifest) =>
        string.Join(";", manifest.Normalization.Select(n => n.ToString()));

    /// <inheritdoc />
    public void Dispose() => _cache.Dispose();

    private void Warn(List<string> warnings, string message)
    {
        warnings.Add(message);
        _options.Warning?.Invoke(message);
    }

    private static void RequireSupported(SegmentationModel model)
    {
        if (model.Steps.Count == 0)
        {
            throw new InferenceException($"{model.Name}: the model has no parts to run");
        }

        foreach (var package in model.Steps.Select(s => s.Package).Distinct())
        {
            RequireSupported(package);
        }
    }

    private static void RequireSupported(ModelPackage package)
    {
        PartLabelMerger.RequireByteLabels(package);
        var manifest = package.Manifest;
        if (manifest.Parts.Length == 0)
        {
            throw new InferenceException($"{package.Directory}: the model package has no parts");
        }

        if (manifest.Normalization.Length != 1 || manifest.Parts.Any(p => p.InputChannels != 1))
        {
            throw new InferenceException(
                $"{package.Directory}: the model takes {manifest.Normalization.Length} input channel(s); the pipeline segments single-channel scans only (multi-channel input is not implemented yet)");
        }

        if (manifest.TargetSpacing.Length != 3)
        {
            throw new InferenceException($"{package.Directory}: target spacing has {manifest.TargetSpacing.Length} axes, a 3D model needs 3");
        }
    }

    /// <summary>
    /// Refuses, before the float copies are made, a scan whose preprocessing arrays alone exceed the memory limit: the
    /// float32 canonical image, the resampled image and the network input (float32 each), the merged labels and the
    /// labels back on the input grid; with the logits export (<paramref name="logitClasses"/> &gt; 0) also its ring of two
    /// output planes per class and the labels on the scan's grid. The sliding window checks its own estimate separately
    /// before it allocates.
    /// </summary>
    private void RequireMemory(string inputPath, (VolumeShape Shape, Affine Affine) canonical, (double X, double Y, double Z) target, NetworkLayout layout, int logitClasses)
    {
        var resampled = Resampler.ResampledShape(canonical.Shape, canonical.Affine.Spacing, target);
        long n = canonical.Shape.VoxelCount, m = resampled.VoxelCount;
        // Saturating: absurd shapes must not overflow into a small number.
        double bytes = (4.0 * n) + (8.0 * m) + m + n;
        string logits = string.Empty;
        if (logitClasses > 0)
        {
            int[] network = layout.NetworkSize(canonical.Shape);
            double export = (2.0 * sizeof(float) * logitClasses * network[1] * network[2]) + (2.0 * n);
            bytes += export;
            logits = $", {export / (1 << 20):F0} MiB of it for resampling {logitClasses} classes' logits (--higher_order_resampling)";
        }

        if (bytes > _options.MemoryLimitBytes || m > Array.MaxLength)
        {
            throw new InferenceException(
                $"{inputPath}: {canonical.Shape} resampled to the model's spacing is {resampled}; preprocessing would need {bytes / (1 << 20):F0} MiB{logits}, over the {_options.MemoryLimitBytes >> 20} MiB limit");
        }
    }

    /// <summary>The manifest's network-order target spacing as the volume's (x, y, z) spacing.</summary>
    private static (double X, double Y, double Z) TargetSpacing(NetworkLayout layout, IReadOnlyList<double> networkSpacing)
    {
        var xyz = new double[3];
        for (int i = 0; i < 3; i++)
        {
            xyz[layout.VolumeAxisOfNetworkAxis[i]] = networkSpacing[i];
        }

        return (xyz[0], xyz[1], xyz[2]);
    }

    private static bool[] NonzeroMask(float[] values)
    {
        var mask = new bool[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            mask[i] = values[i] != 0;
        }

        return mask;
    }

    private static void Lap(List<StageTiming> timings, string stage, Stopwatch clock)
    {
        timings.Add(new StageTiming(stage, clock.Elapsed));
        clock.Restart();
    }
}
