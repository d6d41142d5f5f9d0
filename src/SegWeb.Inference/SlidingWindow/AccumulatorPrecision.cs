namespace SegWeb.Inference.SlidingWindow;

/// <summary>How <see cref="SlabAggregator"/> stores its per-class logit sums.</summary>
public enum AccumulatorPrecision
{
    /// <summary>float32: exact to float rounding (the default, and what the parity tests check).</summary>
    Single,

    /// <summary>IEEE half, as nnU-Net itself accumulates on the GPU (predicted_logits is torch.half): half the memory,
    /// about 3 significant digits, so near-tied voxels may flip label.</summary>
    Half,

    /// <summary>Single when it fits the memory limit, otherwise Half.</summary>
    Auto,
}
