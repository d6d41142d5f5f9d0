using SegWeb.Models.Checkpoints;
using SegWeb.Models.NnUNet;
using SegWeb.Models.Onnx;

namespace SegWeb.Models.Networks;

/// <summary>
/// Builds the ONNX inference graph of a dynamic_network_architectures U-Net (PlainConvUNet or
/// ResidualEncoderUNet, deep supervision off) from its architecture and a checkpoint's weights. Parameter
/// names follow nnU-Net's state dict (encoder.stages.0.0.convs.0.conv.weight, decoder.transpconvs.0.weight, …)
/// and are reused as ONNX initializer names, so a graph can be traced back to its checkpoint. Input "input"
/// is [N, C, (D,) H, W] with dynamic batch and spatial sizes; output "logits" is [N, classes, (D,) H, W].
/// </summary>
public sealed class UNetOnnxExporter
{
    /// <summary>The graph input name.</summary>
    public const string InputName = "input";

    /// <summary>The graph output name.</summary>
    public const string OutputName = "logits";

    private readonly UNetArchitecture _arch;
    private readonly NetworkWeights _weights;
    private readonly OnnxGraph _graph;

    private UNetOnnxExporter(UNetArchitecture arch, NetworkWeights weights, string graphName)
    {
        _arch = arch;
        _weights = weights;
        _graph = new OnnxGraph(graphName);
    }

    /// <summary>
    /// Builds the graph. Every weight shape is checked against the architecture and every canonical weight
    /// must be used, so a checkpoint that does not match plans.json fails here with the offending key.
    /// </summary>
    public static OnnxGraph Export(UNetArchitecture architecture, NetworkWeights weights, int inputChannels, int outputChannels, string graphName = "unet")
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(weights);
        var exporter = new UNetOnnxExporter(architecture, weights, graphName);
        exporter.Build(inputChannels, outputChannels);
        var unused = weights.Untaken.Take(5).ToList();
        if (unused.Count > 0)
        {
            throw new UnsupportedArchitectureException(
                $"checkpoint has weights that {architecture.ClassName} as described by plans.json does not use: {string.Join(", ", unused)}");
        }

        return exporter._graph;
    }

    private void Build(int inputChannels, int outputChannels)
    {
        var spatial = _arch.Dimensions == 3 ? new object[] { "D", "H", "W" } : ["H", "W"];
        _graph.AddInput(InputName, [.. new object[] { "N", (long)inputChannels }, .. spatial]);

        var skips = _arch.Kind == UNetKind.PlainConvUNet ? PlainEncoder(InputName, inputChannels) : ResidualEncoder(InputName, inputChannels);
        string x = skips[^1];
        int stages = _arch.Stages;
        for (int s = 0; s < stages - 1; s++)
        {
            int below = _arch.FeaturesPerStage[stages - 1 - s];
            int skipChannels = _arch.FeaturesPerStage[stages - 2 - s];
            var stride = _arch.Strides[stages - 1 - s];
            var up = ConvTranspose($"decoder.transpconvs.{s}", x, below, skipChannels, stride);
            var cat = _graph.AddNode("Concat", [up, skips[stages - 2 - s]], $"decoder.concat.{s}", ("axis", 1L));
            x = StackedConvBlocks($"decoder.stages.{s}", cat, _arch.DecoderConvsPerStage[s], 2 * skipChannels, skipChannels,
                _arch.KernelSizes[stages - 2 - s], Ones());
        }

        // Deep-supervision heads exist in every checkpoint (nnU-Net always builds them); inference uses only the last.
        for (int s = 0; s < stages - 2; s++)
        {
            _weights.Ignore($"decoder.seg_layers.{s}.weight");
            _weights.Ignore($"decoder.seg_layers.{s}.bias");
        }

        string last = $"decoder.seg_layers.{stages - 2}";
        var w = _weights.Take($"{last}.weight", [outputChannels, _arch.FeaturesPerStage[0], .. Ones().Select(v => (long)v)]);
        var b = _weights.Take($"{last}.bias", outputChannels);
        _graph.AddInitializer($"{last}.weight", [outputChannels, _arch.FeaturesPerStage[0], .. Ones().Select(v => (long)v)], w);
        _graph.AddInitializer($"{last}.bias", [outputChannels], b);
        _graph.AddNode("Conv", [x, $"{last}.weight", $"{last}.bias"], OutputName,
            ("kernel_shape", Ones()), ("strides", Ones()), ("pads", new int[2 * _arch.Dimensions]));
        _graph.AddOutput(OutputName, [.. new object[] { "N", (long)outputChannels }, .. spatial]);
    }

    private List<string> PlainEncoder(string x, int channels)
    {
        var skips = new List<string>();
        for (int s = 0; s < _arch.Stages; s++)
        {
            x = StackedConvBlocks($"encoder.stages.{s}.0", x, _arch.EncoderUnitsPerStage[s], channels, _arch.FeaturesPerStage[s],
                _arch.KernelSizes[s], _arch.Strides[s]);
            channels = _arch.FeaturesPerStage[s];
            skips.Add(x);
        }

        return skips;
    }

    private List<string> ResidualEncoder(string x, int channels)
    {
        int stem = _arch.StemChannels ?? _arch.FeaturesPerStage[0];
        x = StackedConvBlocks("encoder.stem", x, 1, channels, stem, _arch.KernelSizes[0], Ones());
        channels = stem;
        var skips = new List<string>();
        for (int s = 0; s < _arch.Stages; s++)
        {
            for (int b = 0; b < _arch.EncoderUnitsPerStage[s]; b++)
            {
                x = BasicBlockD($"encoder.stages.{s}.blocks.{b}", x, channels, _arch.FeaturesPerStage[s], _arch.KernelSizes[s],
                    b == 0 ? _arch.Strides[s] : Ones());
                channels = _arch.FeaturesPerStage[s];
            }

            skips.Add(x);
        }

        return skips;
    }

    /// <summary>BasicBlockD (ResNet-D): conv1 (norm, nonlin), conv2 (norm), skip = [AvgPool(stride)] [1×1 conv + norm], add, nonlin.</summary>
    private string BasicBlockD(string prefix, string x, int inChannels, int outChannels, int[] kernel, int[] stride)
    {
        var main = ConvNormNonlin($"{prefix}.conv1", x, inChannels, outChannels, kernel, stride, nonlin: true, _arch.ConvBias);
        main = ConvNormNonlin($"{prefix}.conv2", main, outChannels, outChannels, kernel, Ones(), nonlin: false, _arch.ConvBias);
        string residual = x;
        int skipIndex = 0;
        if (stride.Any(v => v != 1))
        {
            residual = _graph.AddNode("AveragePool", [residual], $"{prefix}.skip.{skipIndex++}",
                ("kernel_shape", stride), ("strides", stride), ("pads", new int[2 * stride.Length]));
        }

        if (inChannels != outChannels)
        {
            residual = ConvNormNonlin($"{prefix}.skip.{skipIndex}", residual, inChannels, outChannels, Ones(), Ones(), nonlin: false, bias: false);
        }

        var sum = _graph.AddNode("Add", [main, residual], $"{prefix}.add");
        return Nonlin($"{prefix}.nonlin2", sum);
    }

    private string StackedConvBlocks(string prefix, string x, int count, int inChannels, int outChannels, int[] kernel, int[] firstStride)
    {
        for (int i = 0; i < count; i++)
        {
            x = ConvNormNonlin($"{prefix}.convs.{i}", x, i == 0 ? inChannels : outChannels, outChannels, kernel, i == 0 ? firstStride : Ones(), nonlin: true, _arch.ConvBias);
        }

        return x;
    }

    /// <summary>ConvDropoutNormReLU: conv (padding k//2), InstanceNorm, optional nonlinearity (dropout is identity at inference).</summary>
    private string ConvNormNonlin(string prefix, string x, int inChannels, int outChannels, int[] kernel, int[] stride, bool nonlin, bool bias)
    {
        long[] wShape = [outChannels, inChannels, .. kernel.Select(k => (long)k)];
        var inputs = new List<string> { x, _graph.AddInitializer($"{prefix}.conv.weight", wShape, _weights.Take($"{prefix}.conv.weight", wShape)) };
        if (bias)
        {
            inputs.Add(_graph.AddInitializer($"{prefix}.conv.bias", [outChannels], _weights.Take($"{prefix}.conv.bias", outChannels)));
        }

        int[] pads = [.. kernel.Select(k => k / 2), .. kernel.Select(k => k / 2)];
        var conv = _graph.AddNode("Conv", [.. inputs], $"{prefix}.conv", ("kernel_shape", kernel), ("strides", stride), ("pads", pads));

        float[] scale, shift;
        if (_arch.NormAffine)
        {
            scale = _weights.Take($"{prefix}.norm.weight", outChannels);
            shift = _weights.Take($"{prefix}.norm.bias", outChannels);
        }
        else
        {
            scale = Enumerable.Repeat(1f, outChannels).ToArray();
            shift = new float[outChannels];
        }

        _graph.AddInitializer($"{prefix}.norm.weight", [outChannels], scale);
        _graph.AddInitializer($"{prefix}.norm.bias", [outChannels], shift);
        var norm = _graph.AddNode("InstanceNormalization", [conv, $"{prefix}.norm.weight", $"{prefix}.norm.bias"], $"{prefix}.norm",
            ("epsilon", (float)_arch.NormEpsilon));
        return nonlin ? Nonlin($"{prefix}.nonlin", norm) : norm;
    }

    private string ConvTranspose(string prefix, string x, int inChannels, int outChannels, int[] stride)
    {
        long[] wShape = [inChannels, outChannels, .. stride.Select(k => (long)k)];
        var inputs = new List<string> { x, _graph.AddInitializer($"{prefix}.weight", wShape, _weights.Take($"{prefix}.weight", wShape)) };
        if (_arch.ConvBias)
        {
            inputs.Add(_graph.AddInitializer($"{prefix}.bias", [outChannels], _weights.Take($"{prefix}.bias", outChannels)));
        }

        return _graph.AddNode("ConvTranspose", [.. inputs], prefix, ("kernel_shape", stride), ("strides", stride));
    }

    private string Nonlin(string name, string x) =>
        _arch.NegativeSlope == 0
            ? _graph.AddNode("Relu", [x], name)
            : _graph.AddNode("LeakyRelu", [x], name, ("alpha", (float)_arch.NegativeSlope));

    private int[] Ones() => Enumerable.Repeat(1, _arch.Dimensions).ToArray();
}
