using System.Text.Json;
using System.Text.Json.Nodes;

namespace SegWeb.Models.NnUNet;

/// <summary>
/// nnU-Net v2's plans.json: plans-level fields (transpose, intensity properties) and configurations, with
/// <c>inherits_from</c> resolved (a child's keys override its parent's) and the old format (UNet_class_name,
/// n_conv_per_stage_encoder, conv_kernel_sizes, pool_op_kernel_sizes, UNet_base_num_features,
/// unet_max_num_features) converted to <c>architecture</c> the way nnU-Net's ConfigurationManager does.
/// </summary>
public sealed class NnUNetPlans
{
    private const int MaxInheritanceDepth = 32;
    private readonly JsonObject _root;

    private NnUNetPlans(string path, JsonObject root)
    {
        FilePath = path;
        _root = root;
    }

    public string FilePath { get; }

    public string? DatasetName => _root["dataset_name"]?.GetValue<string>();

    public string? PlansName => _root["plans_name"]?.GetValue<string>();

    public int[] TransposeForward => IntArray(_root, "transpose_forward") ?? [0, 1, 2];

    public int[] TransposeBackward => IntArray(_root, "transpose_backward") ?? [0, 1, 2];

    public IEnumerable<string> ConfigurationNames => (_root["configurations"] as JsonObject)?.Select(p => p.Key) ?? [];

    /// <summary>foreground_intensity_properties_per_channel (or the older _by_modality) for a channel, or null.</summary>
    public JsonObject? IntensityProperties(int channel) =>
        ((_root["foreground_intensity_properties_per_channel"] ?? _root["foreground_intensity_properties_by_modality"]) as JsonObject)?[channel.ToString(System.Globalization.CultureInfo.InvariantCulture)] as JsonObject;

    public static NnUNetPlans Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ModelFormatException(path, "plans.json not found");
        }

        return Parse(path, File.ReadAllText(path));
    }

    public static NnUNetPlans Parse(string path, string json)
    {
        try
        {
            var node = JsonNode.Parse(json) as JsonObject ?? throw new ModelFormatException(path, "plans.json is not a JSON object");
            if (node["configurations"] is not JsonObject)
            {
                throw new ModelFormatException(path, "plans.json has no 'configurations' object");
            }

            return new NnUNetPlans(path, node);
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException(path, $"plans.json is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>A configuration with inheritance resolved and old-format architecture converted (a fresh copy).</summary>
    public JsonObject Configuration(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var configuration = Resolve(name, 0);
        if (configuration["architecture"] is null)
        {
            ConvertOldFormat(configuration);
        }

        return configuration;
    }

    /// <summary>The architecture of a configuration; an unknown network class gives <see cref="UnsupportedArchitectureException"/>.</summary>
    public UNetArchitecture Architecture(string configurationName)
    {
        var configuration = Configuration(configurationName);
        var architecture = configuration["architecture"] as JsonObject ?? throw Bad("'architecture' is not an object");
        var className = architecture["network_class_name"]?.GetValue<string>() ?? throw Bad("architecture.network_class_name is missing");
        var kwargs = architecture["arch_kwargs"] as JsonObject ?? throw Bad("architecture.arch_kwargs is missing");
        try
        {
            return ArchitectureParser.Parse(className, kwargs, FilePath);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException)
        {
            throw Bad($"arch_kwargs of {className} are malformed: {ex.Message}");
        }
    }

    private static int[]? IntArray(JsonObject obj, string key) => obj[key] is JsonArray a ? a.Select(v => v!.GetValue<int>()).ToArray() : null;

    private JsonObject Resolve(string name, int depth)
    {
        if (depth > MaxInheritanceDepth)
        {
            throw Bad($"configuration inheritance deeper than {MaxInheritanceDepth} (circular 'inherits_from'?) at '{name}'");
        }

        var configurations = (JsonObject)_root["configurations"]!;
        if (configurations[name] is not JsonObject own)
        {
            throw Bad($"configuration '{name}' not found (available: {string.Join(", ", ConfigurationNames)})");
        }

        var copy = (JsonObject)own.DeepClone();
        if (copy["inherits_from"]?.GetValue<string>() is not { } parentName)
        {
            return copy;
        }

        var merged = Resolve(parentName, depth + 1);
        // Current nnU-Net merges nested objects (architecture.arch_kwargs) key by key unless the child says
        // "nested_override": false, in which case a child's top-level key replaces the parent's whole value.
        bool nested = copy["nested_override"] is not JsonValue flag || !flag.TryGetValue<bool>(out bool b) || b;
        Merge(merged, copy, nested);
        return merged;
    }

    private static void Merge(JsonObject target, JsonObject child, bool nested)
    {
        foreach (var (key, value) in child.ToList())
        {
            if (nested && target[key] is JsonObject baseObject && value is JsonObject childObject)
            {
                Merge(baseObject, childObject, nested);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private void ConvertOldFormat(JsonObject configuration)
    {
        var unetClass = configuration["UNet_class_name"]?.GetValue<string>() ?? throw Bad("configuration has neither 'architecture' nor 'UNet_class_name'");
        string networkClass = unetClass switch
        {
            "PlainConvUNet" => "dynamic_network_architectures.architectures.unet.PlainConvUNet",
            "ResidualEncoderUNet" => "dynamic_network_architectures.architectures.residual_unet.ResidualEncoderUNet",
            _ => throw new UnsupportedArchitectureException(FilePath, $"unsupported network class '{unetClass}' (old-format plans; SegWeb converts PlainConvUNet and ResidualEncoderUNet)"),
        };

        var encoderUnits = Required<JsonArray>(configuration, "n_conv_per_stage_encoder");
        int stages = encoderUnits.Count;
        int dims = Required<JsonArray>(configuration, "patch_size").Count;
        int baseFeatures = Required<JsonValue>(configuration, "UNet_base_num_features").GetValue<int>();
        int maxFeatures = Required<JsonValue>(configuration, "unet_max_num_features").GetValue<int>();
        var features = new JsonArray();
        for (int i = 0; i < stages; i++)
        {
            features.Add(Math.Min(baseFeatures << i, maxFeatures));
        }

        var kwargs = new JsonObject
        {
            ["n_stages"] = stages,
            ["features_per_stage"] = features,
            ["conv_op"] = dims == 2 ? "torch.nn.modules.conv.Conv2d" : "torch.nn.modules.conv.Conv3d",
            ["kernel_sizes"] = Required<JsonArray>(configuration, "conv_kernel_sizes").DeepClone(),
            ["strides"] = Required<JsonArray>(configuration, "pool_op_kernel_sizes").DeepClone(),
            [unetClass == "PlainConvUNet" ? "n_conv_per_stage" : "n_blocks_per_stage"] = encoderUnits.DeepClone(),
            ["n_conv_per_stage_decoder"] = Required<JsonArray>(configuration, "n_conv_per_stage_decoder").DeepClone(),
            ["conv_bias"] = true,
            ["norm_op"] = dims == 2 ? "torch.nn.modules.instancenorm.InstanceNorm2d" : "torch.nn.modules.instancenorm.InstanceNorm3d",
            ["norm_op_kwargs"] = new JsonObject { ["eps"] = 1e-5, ["affine"] = true },
            ["dropout_op"] = null,
            ["dropout_op_kwargs"] = null,
            ["nonlin"] = "torch.nn.LeakyReLU",
            ["nonlin_kwargs"] = new JsonObject { ["inplace"] = true },
        };
        configuration["architecture"] = new JsonObject
        {
            ["network_class_name"] = networkClass,
            ["arch_kwargs"] = kwargs,
            ["_kw_requires_import"] = new JsonArray("conv_op", "norm_op", "dropout_op", "nonlin"),
        };
        foreach (var key in (string[])["UNet_class_name", "UNet_base_num_features", "n_conv_per_stage_encoder", "n_conv_per_stage_decoder",
            "num_pool_per_axis", "pool_op_kernel_sizes", "conv_kernel_sizes", "unet_max_num_features"])
        {
            configuration.Remove(key);
        }
    }

    private T Required<T>(JsonObject obj, string key)
        where T : JsonNode =>
        obj[key] as T ?? throw Bad($"old-format configuration lacks '{key}'");

    private ModelFormatException Bad(string problem) => new(FilePath, problem);
}
