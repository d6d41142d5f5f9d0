using SegWeb.Models.NnUNet;

namespace SegWeb.Models.Tests.NnUNet;

/// <summary>plans.json: old-format conversion (as nnU-Net's ConfigurationManager does it), inheritance, refusals.</summary>
public sealed class NnUNetPlansTests
{
    // The shape of TotalSegmentator v2's plans (old format: no 'architecture'), 1.5 mm 3d_fullres.
    private const string OldFormat = """
        {
          "dataset_name": "Dataset291_TotalSegmentator_part1_organs_1559subj", "plans_name": "nnUNetPlans",
          "transpose_forward": [0, 1, 2], "transpose_backward": [0, 1, 2],
          "configurations": {
            "3d_fullres": {
              "data_identifier": "nnUNetPlans_3d_fullres", "preprocessor_name": "DefaultPreprocessor", "batch_size": 2,
              "patch_size": [128, 128, 128], "spacing": [1.5, 1.5, 1.5],
              "normalization_schemes": ["CTNormalization"], "use_mask_for_norm": [false],
              "UNet_class_name": "PlainConvUNet", "UNet_base_num_features": 32,
              "n_conv_per_stage_encoder": [2, 2, 2, 2, 2, 2], "n_conv_per_stage_decoder": [2, 2, 2, 2, 2],
              "num_pool_per_axis": [5, 5, 5],
              "pool_op_kernel_sizes": [[1, 1, 1], [2, 2, 2], [2, 2, 2], [2, 2, 2], [2, 2, 2], [2, 2, 2]],
              "conv_kernel_sizes": [[3, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3]],
              "unet_max_num_features": 320
            },
            "3d_lowres": {
              "inherits_from": "3d_fullres", "spacing": [3.0, 3.0, 3.0],
              "UNet_class_name": "ResidualEncoderUNet", "UNet_base_num_features": 16,
              "pool_op_kernel_sizes": [[1, 1, 1], [1, 2, 2], [2, 2, 2], [2, 2, 2], [2, 2, 2], [2, 2, 1]],
              "conv_kernel_sizes": [[1, 3, 3], [1, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3]]
            }
          }
        }
        """;

    [Fact]
    public void Old_format_plain_unet_is_converted_like_nnunet()
    {
        var plans = NnUNetPlans.Parse("plans.json", OldFormat);

        var a = plans.Architecture("3d_fullres");

        Assert.Equal("dynamic_network_architectures.architectures.unet.PlainConvUNet", a.ClassName);
        Assert.Equal(UNetKind.PlainConvUNet, a.Kind);
        Assert.Equal(3, a.Dimensions);
        Assert.Equal([32, 64, 128, 256, 320, 320], a.FeaturesPerStage); // min(base·2^i, max)
        Assert.Equal([2, 2, 2, 2, 2, 2], a.EncoderUnitsPerStage);
        Assert.Equal([2, 2, 2, 2, 2], a.DecoderConvsPerStage);
        Assert.Equal([2, 2, 2], a.Strides[5]);
        Assert.True(a.ConvBias);
        Assert.True(a.NormAffine);
        Assert.Equal(1e-5, a.NormEpsilon);
        Assert.Equal(0.01, a.NegativeSlope);
        var configuration = plans.Configuration("3d_fullres");
        Assert.Null(configuration["UNet_class_name"]);
        Assert.Null(configuration["pool_op_kernel_sizes"]);
        Assert.Equal("torch.nn.modules.conv.Conv3d", configuration["architecture"]!["arch_kwargs"]!["conv_op"]!.GetValue<string>());
    }

    [Fact]
    public void Old_format_residual_unet_inherits_and_converts_with_anisotropic_sizes()
    {
        var plans = NnUNetPlans.Parse("plans.json", OldFormat);

        var a = plans.Architecture("3d_lowres");

        Assert.Equal(UNetKind.ResidualEncoderUNet, a.Kind);
        Assert.Equal([16, 32, 64, 128, 256, 320], a.FeaturesPerStage);
        Assert.Equal([2, 2, 2, 2, 2, 2], a.EncoderUnitsPerStage); // n_blocks_per_stage from n_conv_per_stage_encoder
        Assert.Equal([1, 3, 3], a.KernelSizes[0]);
        Assert.Equal([1, 2, 2], a.Strides[1]);
        Assert.Equal([2, 2, 1], a.Strides[5]);
        Assert.Equal(16, a.StemChannels);
        Assert.Equal([3.0, 3.0, 3.0], plans.Configuration("3d_lowres")["spacing"]!.AsArray().Select(v => v!.GetValue<double>()));
    }

    [Fact]
    public void Unknown_old_format_class_is_refused_with_its_name()
    {
        var json = OldFormat.Replace("\"PlainConvUNet\"", "\"MyFancyUNet\"", StringComparison.Ordinal);
        var plans = NnUNetPlans.Parse("/x/plans.json", json);

        var ex = Assert.Throws<UnsupportedArchitectureException>(() => plans.Architecture("3d_fullres"));

        Assert.Contains("MyFancyUNet", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("/x/plans.json:", ex.Message, StringComparison.Ordinal);
    }

    private const string NewFormat = """
        {
          "dataset_name": "Dataset1_New", "plans_name": "nnUNetResEncUNetMPlans",
          "configurations": {
            "3d_fullres": {
              "patch_size": [96, 160, 160], "spacing": [2.5, 0.8, 0.8],
              "architecture": {
                "network_class_name": "dynamic_network_architectures.architectures.unet.ResidualEncoderUNet",
                "arch_kwargs": {
                  "n_stages": 4, "features_per_stage": [32, 64, 128, 256], "conv_op": "torch.nn.modules.conv.Conv3d",
                  "kernel_sizes": [[1, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3]],
                  "strides": [1, [1, 2, 2], 2, 2], "n_blocks_per_stage": [1, 3, 4, 6], "n_conv_per_stage_decoder": 1,
                  "conv_bias": true, "norm_op": "torch.nn.modules.instancenorm.InstanceNorm3d",
                  "norm_op_kwargs": {"eps": 1e-05, "affine": true}, "dropout_op": null, "dropout_op_kwargs": null,
                  "nonlin": "torch.nn.LeakyReLU", "nonlin_kwargs": {"inplace": true}
                },
                "_kw_requires_import": ["conv_op", "norm_op", "dropout_op", "nonlin"]
              }
            },
            "3d_fullres_wide": {
              "inherits_from": "3d_fullres",
              "architecture": {"arch_kwargs": {"features_per_stage": [48, 96, 192, 320]}}
            },
            "3d_fullres_replaced": {
              "inherits_from": "3d_fullres", "nested_override": false,
              "architecture": {"network_class_name": "dynamic_network_architectures.architectures.unet.PlainConvUNet"}
            },
            "mednext": {
              "inherits_from": "3d_fullres",
              "architecture": {"network_class_name": "nnunetv2.nets.MedNeXt.MedNeXt"}
            },
            "loop_a": {"inherits_from": "loop_b"},
            "loop_b": {"inherits_from": "loop_a"}
          }
        }
        """;

    [Fact]
    public void New_format_with_scalar_shorthands_is_read()
    {
        var a = NnUNetPlans.Parse("plans.json", NewFormat).Architecture("3d_fullres");

        Assert.Equal(UNetKind.ResidualEncoderUNet, a.Kind);
        Assert.Equal([1, 1, 1], a.Strides[0]); // scalar stride → one per axis
        Assert.Equal([1, 2, 2], a.Strides[1]);
        Assert.Equal([1, 1, 1], a.DecoderConvsPerStage); // scalar → one per decoder stage
        Assert.Equal([1, 3, 4, 6], a.EncoderUnitsPerStage);
    }

    [Fact]
    public void Inheritance_merges_nested_objects_unless_told_not_to()
    {
        var plans = NnUNetPlans.Parse("plans.json", NewFormat);

        var wide = plans.Architecture("3d_fullres_wide");
        Assert.Equal([48, 96, 192, 320], wide.FeaturesPerStage);
        Assert.Equal([1, 3, 4, 6], wide.EncoderUnitsPerStage); // kept from the parent's arch_kwargs
        Assert.Equal(UNetKind.ResidualEncoderUNet, wide.Kind);

        // nested_override false: the child's 'architecture' replaces the parent's whole object (no arch_kwargs left).
        var ex = Assert.Throws<ModelFormatException>(() => plans.Architecture("3d_fullres_replaced"));
        Assert.Contains("arch_kwargs", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_network_class_is_refused_with_the_class_name()
    {
        var ex = Assert.Throws<UnsupportedArchitectureException>(() => NnUNetPlans.Parse("plans.json", NewFormat).Architecture("mednext"));

        Assert.Contains("nnunetv2.nets.MedNeXt.MedNeXt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Circular_inheritance_and_missing_configurations_are_refused()
    {
        var plans = NnUNetPlans.Parse("plans.json", NewFormat);

        Assert.Contains("circular", Assert.Throws<ModelFormatException>(() => plans.Configuration("loop_a")).Message, StringComparison.Ordinal);
        Assert.Contains("'2d' not found", Assert.Throws<ModelFormatException>(() => plans.Configuration("2d")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("{\"configurations\": 3}")]
    public void Malformed_plans_are_refused(string json) =>
        Assert.Throws<ModelFormatException>(() => NnUNetPlans.Parse("plans.json", json));
}
