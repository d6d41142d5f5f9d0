"""Writes an nnU-Net v2 results folder from the independent PyTorch U-Net of nnunet_reference.py, saved with torch.save in
nnU-Net's checkpoint layout, plus a seeded random input and PyTorch's logits as .npy. Usage: make_nnunet_results.py SPEC_JSON OUT_DIR."""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nnunet_reference  # noqa: E402

spec = json.loads(sys.argv[1])
out = sys.argv[2]
torch.manual_seed(spec.get("seed", 0))
np.random.seed(spec.get("seed", 0))
dims = len(spec["kernels"][0])


def randomize(net):
    # Non-trivial values everywhere, so a wrong weight mapping cannot pass by accident.
    with torch.no_grad():
        for name, p in net.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.5 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.5 * torch.randn_like(p))
            else:
                fan_in = p[0].numel() if "transpconvs" not in name else p.shape[0]
                p.copy_(torch.randn_like(p) * (2.0 / fan_in) ** 0.5)


channels, classes = spec["channels"], spec["classes"]
labels = {"background": 0}
for c in range(1, classes):
    labels[f"class_{c}"] = c
dataset_json = {"channel_names": {str(i): ("CT" if i == 0 else f"extra{i}") for i in range(channels)},
                "labels": labels, "numTraining": 10, "file_ending": ".nii.gz"}
n = len(spec["features"])
config = {
    "data_identifier": "nnUNetPlans_3d_fullres", "preprocessor_name": "DefaultPreprocessor", "batch_size": 2,
    "patch_size": spec["patch_size"], "median_image_size_in_voxels": spec["patch_size"],
    "spacing": [3.0, 1.5, 1.5][:dims], "normalization_schemes": ["CTNormalization"] + ["ZScoreNormalization"] * (channels - 1),
    "use_mask_for_norm": [False] * channels, "resampling_fn_data": "resample_data_or_seg_to_shape",
}
if spec.get("old_format"):
    base = spec["features"][0]
    config.update({"UNet_class_name": spec["class"], "UNet_base_num_features": base, "unet_max_num_features": spec["features"][-1],
                   "n_conv_per_stage_encoder": spec["n_enc"], "n_conv_per_stage_decoder": spec["n_dec"],
                   "num_pool_per_axis": [sum(1 for st in spec["strides"] if st[a] != 1) for a in range(dims)],
                   "pool_op_kernel_sizes": spec["strides"], "conv_kernel_sizes": spec["kernels"]})
    assert spec["features"] == [min(base * 2 ** i, spec["features"][-1]) for i in range(n)], "old format needs doubling features"
else:
    kwargs = {"n_stages": n, "features_per_stage": spec["features"], "conv_op": "torch.nn.modules.conv.Conv3d" if dims == 3 else "torch.nn.modules.conv.Conv2d",
              "kernel_sizes": spec["kernels"], "strides": spec["strides"],
              ("n_conv_per_stage" if spec["class"] == "PlainConvUNet" else "n_blocks_per_stage"): spec["n_enc"],
              "n_conv_per_stage_decoder": spec["n_dec"], "conv_bias": spec.get("conv_bias", True),
              "norm_op": "torch.nn.modules.instancenorm.InstanceNorm3d", "norm_op_kwargs": {"eps": 1e-05, "affine": spec.get("affine", True)},
              "dropout_op": None, "dropout_op_kwargs": None, "nonlin": "torch.nn.LeakyReLU", "nonlin_kwargs": {"inplace": True}}
    if spec.get("relu"):
        kwargs["nonlin"] = "torch.nn.modules.activation.ReLU"
    elif "negative_slope" in spec:
        kwargs["nonlin_kwargs"]["negative_slope"] = spec["negative_slope"]
    if spec.get("stem_channels"):
        kwargs["stem_channels"] = spec["stem_channels"]
    module = "unet" if spec["class"] == "PlainConvUNet" else "residual_unet"
    config["architecture"] = {"network_class_name": f"dynamic_network_architectures.architectures.{module}.{spec['class']}",
                              "arch_kwargs": kwargs, "_kw_requires_import": ["conv_op", "norm_op", "dropout_op", "nonlin"]}
plans = {
    "dataset_name": "Dataset999_SegWebTest", "plans_name": "nnUNetPlans", "original_median_spacing_after_transp": [3.0, 1.5, 1.5],
    "image_reader_writer": "SimpleITKIO", "transpose_forward": [0, 1, 2], "transpose_backward": [0, 1, 2],
    "configurations": {"3d_fullres": config, "3d_fullres_bs4": {"inherits_from": "3d_fullres", "batch_size": 4}},
    "experiment_planner_used": "ExperimentPlanner", "label_manager": "LabelManager",
    "foreground_intensity_properties_per_channel": {str(i): {"max": 1500.0, "mean": 90.5 + i, "median": 80.0, "min": -1000.0,
                                                             "percentile_00_5": -980.0, "percentile_99_5": 1200.0, "std": 200.25 + i}
                                                    for i in range(channels)},
}
config_dir = os.path.join(out, "nnUNetTrainer__nnUNetPlans__3d_fullres")
os.makedirs(config_dir, exist_ok=True)
json.dump(dataset_json, open(os.path.join(config_dir, "dataset.json"), "w"), indent=2)
json.dump(plans, open(os.path.join(config_dir, "plans.json"), "w"), indent=2)

x = torch.randn([1, channels] + spec["input"])
np.save(os.path.join(out, "input.npy"), x.numpy())
for fold in range(spec.get("folds", 1)):
    net = nnunet_reference.build(spec, channels, classes)
    randomize(net)
    net.eval()
    state = net.state_dict()
    if spec.get("half"):
        state = type(state)((k, v.half()) for k, v in state.items())
        net.load_state_dict(state)  # torch rounds the float32 parameters to the stored half values
    with torch.no_grad():
        y = net(x)
    np.save(os.path.join(out, f"logits_fold{fold}.npy"), y.numpy())
    first = next(iter(net.parameters()))
    checkpoint = {
        "network_weights": state,
        "optimizer_state": {"state": {0: {"momentum_buffer": torch.zeros_like(first)}}, "param_groups": [{"lr": 0.01, "momentum": 0.99, "nesterov": True, "params": [0]}]},
        "grad_scaler_state": None,
        "logging": {"mean_fg_dice": [np.float64(0.5), np.float64(0.75)], "ema_fg_dice": [0.5, 0.6], "epoch_end_timestamps": [1.0, 2.0]},
        "_best_ema": np.float64(0.8125),
        "current_epoch": 1000,
        "init_args": {"plans": plans, "configuration": "3d_fullres", "fold": fold, "dataset_json": dataset_json, "device": torch.device("cpu")},
        "trainer_name": "nnUNetTrainer",
        "inference_allowed_mirroring_axes": (0, 1, 2) if dims == 3 else (0, 1),
    }
    os.makedirs(os.path.join(config_dir, f"fold_{fold}"), exist_ok=True)
    torch.save(checkpoint, os.path.join(config_dir, f"fold_{fold}", "checkpoint_final.pth"))
print(json.dumps({"keys": len(net.state_dict()), "duplicates": sum(1 for k in net.state_dict() if ".all_modules." in k or k.startswith("decoder.encoder."))}))
