namespace SegWeb.Models.NnUNet;

/// <summary>The U-Net families of dynamic_network_architectures that SegWeb converts.</summary>
public enum UNetKind
{
    /// <summary>PlainConvUNet: PlainConvEncoder (StackedConvBlocks per stage) + UNetDecoder.</summary>
    PlainConvUNet,

    /// <summary>ResidualEncoderUNet: stem + ResidualEncoder (BasicBlockD per stage) + UNetDecoder.</summary>
    ResidualEncoderUNet,
}

/// <summary>
/// A U-Net as described by plans.json's <c>architecture</c> (network_class_name + arch_kwargs), resolved to
/// plain numbers. Spatial lists (kernel sizes, strides) are in nnU-Net's network axis order (after
/// transpose_forward), one entry per spatial dimension.
/// </summary>
public sealed record UNetArchitecture
{
    /// <summary>network_class_name as plans.json spells it.</summary>
    public required string ClassName { get; init; }

    public required UNetKind Kind { get; init; }

    /// <summary>2 or 3 (from conv_op Conv2d/Conv3d).</summary>
    public required int Dimensions { get; init; }

    public int Stages => FeaturesPerStage.Length;

    public required int[] FeaturesPerStage { get; init; }

    public required int[][] KernelSizes { get; init; }

    public required int[][] Strides { get; init; }

    /// <summary>Convs (PlainConvUNet: n_conv_per_stage) or residual blocks (n_blocks_per_stage) per encoder stage.</summary>
    public required int[] EncoderUnitsPerStage { get; init; }

    /// <summary>n_conv_per_stage_decoder: one entry per decoder stage (stages − 1).</summary>
    public required int[] DecoderConvsPerStage { get; init; }

    public required bool ConvBias { get; init; }

    /// <summary>InstanceNorm epsilon (norm_op_kwargs.eps, default 1e-5).</summary>
    public required double NormEpsilon { get; init; }

    /// <summary>InstanceNorm affine (norm_op_kwargs.affine; torch's default is false: scale 1, bias 0).</summary>
    public required bool NormAffine { get; init; }

    /// <summary>LeakyReLU negative slope (0 for ReLU).</summary>
    public required double NegativeSlope { get; init; }

    /// <summary>ResidualEncoderUNet stem width (stem_channels, default features_per_stage[0]).</summary>
    public int? StemChannels { get; init; }
}
