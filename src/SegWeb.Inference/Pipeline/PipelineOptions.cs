using SegWeb.Inference.Cropping;
using SegWeb.Inference.Runtime;

namespace SegWeb.Inference.Pipeline;

/// <summary>Choices for one <see cref="SegmentationPipeline"/>: tiling, test-time augmentation and where the networks run.</summary>
public sealed record PipelineOptions
{
    /// <summary>Sliding-window tile step as a fraction of the patch; null: the manifest's (0.5, or 0.8 for TotalSegmentator's <c>total</c>).</summary>
    public double? StepSize { get; init; }

    /// <summary>Mirroring test-time augmentation over the axes the model allows (none for NoMirroring trainers).</summary>
    public bool Mirroring { get; init; } = true;

    /// <summary>
    /// nnU-Net's Gaussian tile weighting (default). False gives uniform weights (simple averaging of overlapping
    /// tiles), which is how the demo model's PyTorch reference prediction was made.
    /// </summary>
    public bool UseGaussian { get; init; } = true;

    /// <summary>ONNX Runtime intra-op threads (0: ONNX Runtime's default).</summary>
    public int Threads { get; init; }

    /// <summary>Execution provider for the networks.</summary>
    public ExecutionProviderKind Provider { get; init; } = ExecutionProviderKind.Cpu;

    /// <summary>GPU ordinal for CUDA/TensorRT (TotalSegmentator's <c>--device gpu:N</c>).</summary>
    public int DeviceId { get; init; }

    /// <summary>Tiles per network call.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>Refuse (before allocating) a sliding window whose estimated memory exceeds this.</summary>
    public long MemoryLimitBytes { get; init; } = SlidingWindow.SlidingWindowOptions.DefaultMemoryLimitBytes;

    /// <summary>
    /// nnU-Net's crop to the bounding box of the non-zero voxels before normalising (its preprocessor always does it);
    /// the labels are padded back with background on export.
    /// </summary>
    public bool CropToNonzero { get; init; } = true;

    /// <summary>A first segmentation whose mask box the scan is cropped to (<c>--roi_subset</c>, <c>--body_seg</c>); null: none.</summary>
    public MaskCrop? Crop { get; init; }

    /// <summary>
    /// TotalSegmentator's <c>--roi_subset</c>: class names to segment. Only the model parts that produce one of them run,
    /// and the output holds only these classes. Null: every class.
    /// </summary>
    public IReadOnlyList<string>? RoiSubset { get; init; }

    /// <summary>TotalSegmentator's <c>--force_split</c>: predict the resampled image in three overlapping z chunks (<see cref="ZSplit"/>).</summary>
    public bool ForceSplit { get; init; }

    /// <summary>
    /// nnU-Net's own export (TotalSegmentator's <c>--higher_order_resampling</c>): each part's logits are resampled back
    /// to the input's spacing (linear; nearest along a separate low-resolution axis, nnU-Net's order_z 0) and only then
    /// reduced to labels, instead of TotalSegmentator's default of resampling the label map by nearest neighbour.
    /// Smoother boundaries on fine input grids, for 2 × classes × one output plane of floats and more export time
    /// (<see cref="Imaging.Resampling.StreamedArgmaxResampler"/>). Post-processing then runs on the input's grid.
    /// Not with <see cref="ForceSplit"/>.
    /// </summary>
    public bool ResampleLogits { get; init; }

    /// <summary>
    /// TotalSegmentator's <c>--remove_small_blobs</c>: remove connected components of at most this many mm³ from every
    /// class (TotalSegmentator: 200, <see cref="Postprocessing.TaskPostprocessing.SmallBlobMm3"/>). Null: off.
    /// </summary>
    public double? RemoveSmallBlobsMm3 { get; init; }

    /// <summary>The fixed post-processing TotalSegmentator applies for some tasks (largest body_trunc component for <c>body</c>).</summary>
    public bool TaskPostprocessing { get; init; } = true;

    /// <summary>
    /// Dispose each model part's ONNX Runtime sessions as soon as the part has run, instead of keeping them for the next
    /// scan. For one-shot runs (a `segweb segment` call with one input): the five parts of TotalSegmentator's `total`
    /// would otherwise hold all their weights (about 250 MB each with ONNX Runtime's pre-packed copies) to the end.
    /// </summary>
    public bool ReleaseSessionsAfterUse { get; init; }

    /// <summary>
    /// Wraps each network before the sliding window uses it; null: none. For benchmarks (sampling forward passes
    /// of runs that would take hours) and tests; the wrapper must keep the network's channels and head.
    /// </summary>
    public Func<Runtime.ITileNetwork, Runtime.ITileNetwork>? NetworkWrapper { get; init; }

    /// <summary>Apply a single-fold network's classifier after aggregation (see <see cref="SlidingWindow.ClassifierHead"/>; default on).</summary>
    public bool SplitClassifierHead { get; init; } = true;

    /// <summary>Run 3×3×3 convolutions and instance norm + leaky ReLU on SegWeb's CPU kernels (see <see cref="Runtime.InferenceRuntimeOptions.DirectKernels"/>; default on).</summary>
    public bool DirectKernels { get; init; } = true;

    /// <summary>Receives warnings (all-zero input, CPU fallback of <c>auto</c>, DICOM stacking warnings).</summary>
    public Action<string>? Warning { get; init; }
}
