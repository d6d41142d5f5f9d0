using System.Diagnostics;
using SegWeb.Imaging.Geometry;
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
/// DICOM folder/zip) → reorient to the closest canonical (RAS) orientation → normalise (nnU-Net normalises before it
/// resamples) → resample to the model spacing (order 3, nnU-Net's separate-z rule) → sliding window per model part,
/// parts merged into global class ids → labels back to the canonical grid (nearest, as TotalSegmentator resamples
/// label maps) → reorientation undone, so the labels lie on the input's own grid with its affine.
/// </summary>
/// <remarks>
/// One instance holds one <see cref="ModelSessionCache"/>: ONNX sessions load on the first scan and are reused for
/// every later one, so a worker keeps its pipeline for its lifetime. Not thread-safe: one scan at a time.
/// Not done yet: cropping to the non-zero region (nnU-Net) or a body mask, and multi-channel (MR multi-sequence) input.
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
            Warning = _options.Warning,
        });
    }

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
        ArgumentNullException.ThrowIfNull(inputPath);
        ArgumentNullException.ThrowIfNull(package);
        var manifest = package.Manifest;
        RequireSupported(package);
        var timings = new List<StageTiming>();
        var warnings = new List<string>();
        var clock = Stopwatch.StartNew();

        // read
        var read = new StageProgress(progress, PipelineStages.Read, 1);
        var (image, header, readWarnings) = PipelineInput.Read(inputPath);
        warnings.AddRange(readWarnings);
        PipelineInput.Validate(inputPath, image);
        read.Complete();
        Lap(timings, PipelineStages.Read, clock);
        cancellationToken.ThrowIfCancellationRequested();

        // reorient: TotalSegmentator predicts on nibabel's as_closest_canonical of the input.
        var reorient = new StageProgress(progress, PipelineStages.Reorient, 1);
        var canonical = Reorientation.ToClosestCanonical(image);
        var layout = new NetworkLayout(manifest.TransposeForward);
        var target = TargetSpacing(layout, manifest.TargetSpacing);
        RequireMemory(inputPath, canonical.Volume, target);
        var canonicalFloat = canonical.Volume.ToFloat32();
        if (ReferenceEquals(canonicalFloat, image))
        {
            // ToFloat32 hands back a float input itself; normalising in place must not alter the caller's image.
            canonicalFloat = new Volume<float>(canonicalFloat.Shape, canonicalFloat.Affine, (float[])canonicalFloat.Data.Clone());
        }

        reorient.Complete();
        Lap(timings, PipelineStages.Reorient, clock);
        cancellationToken.ThrowIfCancellationRequested();

        // normalise (before resampling, as nnU-Net's DefaultPreprocessor does)
        if (PipelineInput.IsConstant(canonicalFloat.Data))
        {
            Warn(warnings, $"{inputPath}: every voxel has the same value; the segmentation will be empty or meaningless");
        }

        var mask = manifest.Normalization[0].UseMaskForNorm ? NonzeroMask(canonicalFloat.Data) : default;
        ChannelNormalizer.NormalizeChannels(canonicalFloat.Data, manifest.Normalization, mask, progress, cancellationToken);
        Lap(timings, PipelineStages.Normalize, clock);

        // resample to the model spacing, given per network axis in the manifest
        var resample = new StageProgress(progress, PipelineStages.Resample, 1);
        var resampled = NnUNetResampling.ResampleData(canonicalFloat, target, order: 3);
        resample.Complete();
        Lap(timings, PipelineStages.Resample, clock);
        cancellationToken.ThrowIfCancellationRequested();

        // predict, part by part, merged into global ids
        float[] input = layout.ToNetwork([resampled]);
        int[] size = layout.NetworkSize(resampled.Shape);
        var merged = new byte[resampled.Shape.VoxelCount];
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

        for (int p = 0; p < manifest.Parts.Length; p++)
        {
            var part = manifest.Parts[p];
            var predictor = PackagePrediction.Create(_cache, package, part, windowOptions);
            var partProgress = progress is null ? null : new PartProgress(progress, p, manifest.Parts.Length);
            var result = predictor.Predict(input, size, partProgress, cancellationToken);
            var local = layout.LabelsToVolume(result.Labels, resampled.Shape, resampled.Affine);
            PartLabelMerger.Merge(merged, DropUnmapped(local.Data, part.LabelMap), KeptLabels(part.LabelMap));
        }

        Lap(timings, PipelineStages.Predict, clock);

        // export: nearest back to the canonical grid, then the reorientation undone (restores the input's affine exactly)
        var export = new StageProgress(progress, PipelineStages.Export, 1);
        var labelsResampled = new Volume<byte>(resampled.Shape, resampled.Affine, merged);
        var labelsCanonical = NnUNetResampling.ResampleSegmentationToShape(
            labelsResampled, canonical.Volume.Shape, resampled.Spacing, canonical.Volume.Spacing, order: 0);
        var labels = (Volume<byte>)canonical.Undo.Apply(labelsCanonical);
        export.Complete();
        Lap(timings, PipelineStages.Export, clock);

        var names = manifest.Classes.Where(c => c.Key != 0).ToDictionary(c => c.Key, c => c.Value.Name);
        return new SegmentationResult(labels, names, image, header, timings, warnings);
    }

    /// <inheritdoc />
    public void Dispose() => _cache.Dispose();

    private void Warn(List<string> warnings, string message)
    {
        warnings.Add(message);
        _options.Warning?.Invoke(message);
    }

    private static void RequireSupported(ModelPackage package)
    {
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
    /// labels back on the input grid. The sliding window checks its own estimate separately before it allocates.
    /// </summary>
    private void RequireMemory(string inputPath, Volume canonical, (double X, double Y, double Z) target)
    {
        var resampled = Resampler.ResampledShape(canonical.Shape, canonical.Spacing, target);
        long n = canonical.Shape.VoxelCount, m = resampled.VoxelCount;
        // Saturating: absurd shapes must not overflow into a small number.
        double bytes = (4.0 * n) + (8.0 * m) + m + n;
        if (bytes > _options.MemoryLimitBytes || m > Array.MaxLength)
        {
            throw new InferenceException(
                $"{inputPath}: {canonical.Shape} resampled to the model's spacing is {resampled}; preprocessing would need {bytes / (1 << 20):F0} MiB, over the {_options.MemoryLimitBytes >> 20} MiB limit");
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

    /// <summary>
    /// A manifest may map a local label to 0 ("drop": a class the package does not publish). PartLabelMerger only
    /// takes real targets, so dropped labels are turned into background here first.
    /// </summary>
    private static byte[] DropUnmapped(byte[] local, IReadOnlyDictionary<int, int> labelMap)
    {
        if (!labelMap.Values.Contains(0))
        {
            return local;
        }

        var drop = new bool[256];
        foreach (var (l, g) in labelMap)
        {
            drop[l & 0xFF] = g == 0;
        }

        for (int i = 0; i < local.Length; i++)
        {
            if (drop[local[i]])
            {
                local[i] = 0;
            }
        }

        return local;
    }

    private static Dictionary<int, int> KeptLabels(IReadOnlyDictionary<int, int> labelMap) =>
        labelMap.Where(l => l.Value != 0).ToDictionary(l => l.Key, l => l.Value);

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
