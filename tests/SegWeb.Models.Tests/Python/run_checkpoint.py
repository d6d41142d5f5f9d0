"""Runs a real nnU-Net v2 results folder's fold_0 checkpoint in PyTorch through nnunet_reference.py (strict state-dict
load: every key must match the reference's names) on a seeded random patch; saves input.npy and logits_fold0.npy in
OUT_DIR. Usage: run_checkpoint.py CONFIGURATION_FOLDER OUT_DIR. New-format plans (architecture + arch_kwargs) only."""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nnunet_reference  # noqa: E402

folder, out = sys.argv[1], sys.argv[2]
plans = json.load(open(os.path.join(folder, "plans.json")))
dataset = json.load(open(os.path.join(folder, "dataset.json")))
configuration = plans["configurations"]["3d_fullres"]
arch = configuration["architecture"]
kw = arch["arch_kwargs"]
n = kw["n_stages"]
dims = 3 if kw["conv_op"].endswith("3d") else 2


def per_stage(value, count):
    return value if isinstance(value, list) else [value] * count


def spatial(value):
    return [v if isinstance(v, list) else [v] * dims for v in per_stage(value, n)]


cls = arch["network_class_name"].split(".")[-1]
spec = {"class": cls, "features": per_stage(kw["features_per_stage"], n), "kernels": spatial(kw["kernel_sizes"]),
        "strides": spatial(kw["strides"]),
        "n_enc": per_stage(kw["n_conv_per_stage" if cls == "PlainConvUNet" else "n_blocks_per_stage"], n),
        "n_dec": per_stage(kw["n_conv_per_stage_decoder"], n - 1), "stem_channels": kw.get("stem_channels")}
net = nnunet_reference.build(spec, len(dataset["channel_names"]), len(dataset["labels"]))
checkpoint = torch.load(os.path.join(folder, "fold_0", "checkpoint_final.pth"), map_location="cpu")  # our own file: the full unpickler is fine here
net.load_state_dict(checkpoint["network_weights"], strict=True)
net.eval()
torch.manual_seed(0)
x = torch.randn([1, len(dataset["channel_names"])] + configuration["patch_size"])
with torch.no_grad():
    y = net(x)
os.makedirs(out, exist_ok=True)
np.save(os.path.join(out, "input.npy"), x.numpy())
np.save(os.path.join(out, "logits_fold0.npy"), y.numpy())
