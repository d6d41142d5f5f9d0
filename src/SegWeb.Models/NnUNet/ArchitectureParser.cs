using System.Text.Json.Nodes;

namespace SegWeb.Models.NnUNet;

/// <summary>Turns network_class_name + arch_kwargs into a <see cref="UNetArchitecture"/>, refusing what SegWeb cannot convert.</summary>
internal static class ArchitectureParser
{
    public static UNetArchitecture Parse(string className, JsonObject kwargs, string filePath)
    {
        var shortName = className[(className.LastIndexOf('.') + 1)..];
        UNetKind kind = shortName switch
        {
            "PlainConvUNet" => UNetKind.PlainConvUNet,
            "ResidualEncoderUNet" => UNetKind.ResidualEncoderUNet,
            _ => throw Unsupported(filePath, $"unsupported network class '{className}' (SegWeb converts PlainConvUNet and ResidualEncoderUNet)"),
        };

        var convOp = String(kwargs, "conv_op") ?? throw new FormatException("conv_op is missing");
        int dims = convOp.EndsWith("Conv3d", StringComparison.Ordinal) ? 3
            : convOp.EndsWith("Conv2d", StringComparison.Ordinal) ? 2
            : throw Unsupported(filePath, $"unsupported conv_op '{convOp}' in {shortName}");

        int stages = Int(kwargs, "n_stages") ?? throw new FormatException("n_stages is missing");
        if (stages < 2 || stages > 16)
        {
            throw new FormatException($"n_stages {stages} is out of range");
        }

        var features = PerStage(kwargs["features_per_stage"], stages, "features_per_stage");
        var kernels = SpatialPerStage(kwargs["kernel_sizes"], stages, dims, "kernel_sizes");
        var strides = SpatialPerStage(kwargs["strides"], stages, dims, "strides");
        var unitsKey = kind == UNetKind.PlainConvUNet ? "n_conv_per_stage" : "n_blocks_per_stage";
        var units = PerStage(kwargs[unitsKey], stages, unitsKey);
        var decoder = PerStage(kwargs["n_conv_per_stage_decoder"], stages - 1, "n_conv_per_stage_decoder");
        foreach (var k in kernels.SelectMany(k => k))
        {
            if (k % 2 == 0)
            {
                throw Unsupported(filePath, $"even kernel size {k} in {shortName} (padding k//2 would change the size)");
            }
        }

        var normOp = String(kwargs, "norm_op") ?? string.Empty;
        if (!normOp.Contains("InstanceNorm", StringComparison.Ordinal))
        {
            throw Unsupported(filePath, $"unsupported norm_op '{normOp}' in {shortName} (only InstanceNorm)");
        }

        var normKwargs = kwargs["norm_op_kwargs"] as JsonObject;
        var nonlin = String(kwargs, "nonlin") ?? string.Empty;
        var nonlinKwargs = kwargs["nonlin_kwargs"] as JsonObject;
        double slope = nonlin switch
        {
            _ when nonlin.EndsWith("LeakyReLU", StringComparison.Ordinal) => nonlinKwargs?["negative_slope"]?.GetValue<double>() ?? 0.01,
            _ when nonlin.EndsWith(".ReLU", StringComparison.Ordinal) || nonlin == "ReLU" => 0.0,
            _ => throw Unsupported(filePath, $"unsupported nonlin '{nonlin}' in {shortName}"),
        };

        if (String(kwargs, "pool_type") is { } pool && pool != "conv")
        {
            throw Unsupported(filePath, $"unsupported pool_type '{pool}' in {shortName}");
        }

        if (kwargs["nonlin_first"]?.GetValue<bool>() == true)
        {
            throw Unsupported(filePath, $"nonlin_first=true in {shortName} is not supported");
        }

        if (kind == UNetKind.ResidualEncoderUNet && String(kwargs, "block") is { } block && !block.EndsWith("BasicBlockD", StringComparison.Ordinal))
        {
            throw Unsupported(filePath, $"unsupported residual block '{block}' in {shortName} (only BasicBlockD)");
        }

        return new UNetArchitecture
        {
            ClassName = className,
            Kind = kind,
            Dimensions = dims,
            FeaturesPerStage = features,
            KernelSizes = kernels,
            Strides = strides,
            EncoderUnitsPerStage = units,
            DecoderConvsPerStage = decoder,
            ConvBias = kwargs["conv_bias"]?.GetValue<bool>() ?? false,
            NormEpsilon = normKwargs?["eps"]?.GetValue<double>() ?? 1e-5,
            NormAffine = normKwargs?["affine"]?.GetValue<bool>() ?? false,
            NegativeSlope = slope,
            StemChannels = kind == UNetKind.ResidualEncoderUNet ? Int(kwargs, "stem_channels") ?? features[0] : null,
        };
    }

    private static UnsupportedArchitectureException Unsupported(string filePath, string problem) => new(filePath, problem);

    private static string? String(JsonObject obj, string key) => obj[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static int? Int(JsonObject obj, string key) => obj[key] is JsonValue v ? v.GetValue<int>() : null;

    private static int[] PerStage(JsonNode? node, int count, string name)
    {
        var values = node switch
        {
            JsonValue v => Enumerable.Repeat(v.GetValue<int>(), count).ToArray(),
            JsonArray a => a.Select(x => x!.GetValue<int>()).ToArray(),
            _ => throw new FormatException($"{name} is missing"),
        };
        if (values.Length != count || values.Any(v => v < 1))
        {
            throw new FormatException($"{name} needs {count} positive entries, got [{string.Join(", ", values)}]");
        }

        return values;
    }

    private static int[][] SpatialPerStage(JsonNode? node, int count, int dims, string name)
    {
        var perStage = node switch
        {
            JsonValue v => Enumerable.Repeat<JsonNode?>(v, count).ToArray(),
            JsonArray a => a.ToArray(),
            _ => throw new FormatException($"{name} is missing"),
        };
        if (perStage.Length != count)
        {
            throw new FormatException($"{name} needs {count} entries, got {perStage.Length}");
        }

        return perStage.Select(entry =>
        {
            var values = entry switch
            {
                JsonValue v => Enumerable.Repeat(v.GetValue<int>(), dims).ToArray(),
                JsonArray a => a.Select(x => x!.GetValue<int>()).ToArray(),
                _ => throw new FormatException($"{name} has an empty entry"),
            };
            if (values.Length != dims || values.Any(v => v < 1 || v > 64))
            {
                throw new FormatException($"{name} entry [{string.Join(", ", values)}] is not {dims} sizes in 1..64");
            }

            return values;
        }).ToArray();
    }
}
