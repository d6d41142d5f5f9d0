using System.Text.Json.Nodes;

namespace SegWeb.Models.Tests.Parity;

/// <summary>
/// The parity configurations and their PyTorch-written results folders. All folders are made by one Python
/// process the first time any parity test asks (importing torch costs seconds), in a folder that lives for the
/// test run. Networks are tiny (2–32 features, inputs of a few thousand voxels) but keep every structural
/// feature: stage counts 4–6, anisotropic strides and kernels, stems and projections, 1–3 input channels,
/// several folds, half-precision weights, old-format plans.
/// </summary>
internal static class ParityCases
{
    private static readonly Lazy<string> Root = new(Generate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static readonly IReadOnlyDictionary<string, JsonObject> Specs = new Dictionary<string, JsonObject>
    {
        // PlainConvUNet
        ["plain_iso_4stages_1ch"] = Spec("PlainConvUNet", channels: 1, classes: 3, features: [4, 8, 16, 32],
            kernels: Repeat([3, 3, 3], 4), strides: [[1, 1, 1], [2, 2, 2], [2, 2, 2], [2, 2, 2]],
            encoder: [2, 2, 2, 2], decoder: [2, 2, 2], input: [16, 16, 16], seed: 1),
        ["plain_aniso_5stages_2ch"] = Spec("PlainConvUNet", channels: 2, classes: 4, features: [4, 8, 12, 16, 16],
            kernels: [[1, 3, 3], [1, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3]],
            strides: [[1, 1, 1], [1, 2, 2], [1, 2, 2], [2, 2, 2], [2, 2, 2]],
            encoder: [2, 2, 2, 2, 2], decoder: [2, 1, 2, 1], input: [8, 32, 48], seed: 2),
        ["plain_6stages_3ch_oldplans_2folds"] = Spec("PlainConvUNet", channels: 3, classes: 5, features: [2, 4, 8, 16, 32, 32],
            kernels: [[1, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3]],
            strides: [[1, 1, 1], [1, 2, 2], [2, 2, 2], [2, 2, 2], [2, 2, 2], [1, 2, 2]],
            encoder: [1, 2, 2, 2, 2, 2], decoder: [1, 1, 1, 1, 1], input: [16, 64, 64], seed: 3,
            extra: new JsonObject { ["old_format"] = true, ["folds"] = 2 }),
        ["plain_2d_5stages_1ch_half"] = Spec("PlainConvUNet", channels: 1, classes: 2, features: [4, 8, 16, 16, 16],
            kernels: Repeat([3, 3], 5), strides: [[1, 1], [2, 2], [2, 2], [2, 1], [2, 2]],
            encoder: [2, 2, 2, 2, 2], decoder: [2, 2, 2, 2], input: [48, 40], seed: 4,
            extra: new JsonObject { ["half"] = true }),

        ["plain_nobias_noaffine_slope02_2ch"] = Spec("PlainConvUNet", channels: 2, classes: 3, features: [4, 8, 16, 16],
            kernels: [[3, 3, 3], [3, 3, 3], [1, 3, 3], [3, 3, 3]], strides: [[1, 1, 1], [1, 2, 2], [2, 2, 2], [2, 2, 2]],
            encoder: [2, 2, 2, 2], decoder: [1, 2, 1], input: [16, 24, 16], seed: 9,
            extra: new JsonObject { ["conv_bias"] = false, ["affine"] = false, ["negative_slope"] = 0.2 }),

        // ResidualEncoderUNet
        ["res_iso_4stages_1ch"] = Spec("ResidualEncoderUNet", channels: 1, classes: 3, features: [4, 8, 16, 32],
            kernels: Repeat([3, 3, 3], 4), strides: [[1, 1, 1], [2, 2, 2], [2, 2, 2], [2, 2, 2]],
            encoder: [1, 2, 2, 2], decoder: [1, 1, 1], input: [16, 16, 16], seed: 5),
        ["res_aniso_5stages_2ch_stem"] = Spec("ResidualEncoderUNet", channels: 2, classes: 4, features: [4, 8, 12, 16, 16],
            kernels: [[1, 3, 3], [1, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3]],
            strides: [[1, 1, 1], [1, 2, 2], [1, 2, 2], [2, 2, 2], [2, 2, 2]],
            encoder: [1, 2, 2, 2, 2], decoder: [1, 1, 1, 1], input: [8, 32, 48], seed: 6,
            extra: new JsonObject { ["stem_channels"] = 3 }),
        ["res_6stages_1ch"] = Spec("ResidualEncoderUNet", channels: 1, classes: 3, features: [2, 4, 8, 16, 32, 32],
            kernels: [[1, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3]],
            strides: [[1, 1, 1], [1, 2, 2], [2, 2, 2], [2, 2, 2], [2, 2, 2], [1, 2, 2]],
            encoder: [1, 1, 2, 2, 2, 2], decoder: [1, 1, 1, 1, 1], input: [16, 64, 64], seed: 7),
        ["res_5stages_3ch_oldplans_2folds"] = Spec("ResidualEncoderUNet", channels: 3, classes: 4, features: [4, 8, 16, 32, 32],
            kernels: Repeat([3, 3, 3], 5), strides: [[1, 1, 1], [2, 2, 2], [2, 2, 1], [2, 2, 2], [1, 2, 2]],
            encoder: [1, 3, 2, 2, 1], decoder: [1, 1, 1, 1], input: [16, 32, 16], seed: 8,
            extra: new JsonObject { ["old_format"] = true, ["folds"] = 2 }),
        ["res_relu_nobias_4stages_1ch"] = Spec("ResidualEncoderUNet", channels: 1, classes: 2, features: [4, 8, 16, 16],
            kernels: Repeat([3, 3, 3], 4), strides: [[1, 1, 1], [2, 2, 2], [2, 2, 2], [1, 2, 2]],
            encoder: [2, 1, 2, 1], decoder: [1, 1, 1], input: [16, 32, 32], seed: 10,
            extra: new JsonObject { ["conv_bias"] = false, ["relu"] = true }),
    };

    /// <summary>Results folder (the parent of nnUNetTrainer__nnUNetPlans__3d_fullres, input.npy, logits_foldN.npy) of a case.</summary>
    public static string Folder(string name)
    {
        NnUNetReference.RequireTorch();
        return Path.Combine(Root.Value, name);
    }

    private static string Generate()
    {
        // Lives for the test process: every parity test reads it; the OS temp cleaner takes it afterwards.
        var root = Path.Combine(Path.GetTempPath(), $"segweb-parity-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        NnUNetReference.Make(Specs.Select(p => ((object)p.Value, Path.Combine(root, p.Key))));
        return root;
    }

    private static int[][] Repeat(int[] kernel, int count) => Enumerable.Repeat(kernel, count).ToArray();

    private static JsonObject Spec(string cls, int channels, int classes, int[] features, int[][] kernels, int[][] strides,
        int[] encoder, int[] decoder, int[] input, int seed, JsonObject? extra = null)
    {
        var spec = new JsonObject
        {
            ["class"] = cls,
            ["channels"] = channels,
            ["classes"] = classes,
            ["features"] = ToJson(features),
            ["kernels"] = new JsonArray([.. kernels.Select(k => (JsonNode)ToJson(k))]),
            ["strides"] = new JsonArray([.. strides.Select(s => (JsonNode)ToJson(s))]),
            ["n_enc"] = ToJson(encoder),
            ["n_dec"] = ToJson(decoder),
            ["input"] = ToJson(input),
            ["patch_size"] = ToJson(input),
            ["seed"] = seed,
        };
        foreach (var (key, value) in extra ?? [])
        {
            spec[key] = value?.DeepClone();
        }

        return spec;
    }

    private static JsonArray ToJson(int[] values) => new([.. values.Select(v => (JsonNode)v)]);
}
