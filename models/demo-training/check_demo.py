#!/usr/bin/python3
"""Checks the committed DEMO results folder from the files alone, as nnU-Net inference would read them:

1. builds a fresh PlainConvUNet from plans.json's arch_kwargs and loads fold_0/checkpoint_final.pth into it
   strictly (every nnU-Net key, aliases included, and nothing else);
2. normalises the example scan with plans.json's foreground intensity properties (not recomputed), predicts it
   with the same simple sliding window as training, and computes Dice per class against example_seg;
3. requires that Dice to match the training-time Dice recorded in fold_0/segweb_demo_training.json and the
   prediction to match reference/example_ct_sm_demo_prediction.nii.gz.

Optionally (--dump-tile DIR) writes one normalised input tile and PyTorch's logits for it as .npy
(C order, shapes (1,1,32,64,64) and (1,C,32,64,64)) so SegWeb's ONNX conversion can be compared to PyTorch.

    /usr/bin/python3 models/demo-training/check_demo.py [--data DIR] [--model DIR] [--dump-tile DIR]

Exit status 0 when everything matches, 1 otherwise. DEMO model: the Dice is measured on the training scan.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import nibabel as nib
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nnunet_style import (DEMO_CLASSES, ct_normalize, default_data_dir, dice_per_class, load_case,  # noqa: E402
                          sliding_window_logits)
from plain_conv_unet import build_from_arch_kwargs  # noqa: E402

REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CONFIG = os.path.join("Dataset900_SegWebDemo", "nnUNetTrainer__nnUNetPlans__3d_fullres")
REQUIRED_CHECKPOINT_KEYS = {"network_weights", "optimizer_state", "grad_scaler_state", "logging", "_best_ema",
                            "current_epoch", "init_args", "trainer_name", "inference_allowed_mirroring_axes"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=default_data_dir(REPO_ROOT))
    parser.add_argument("--model", default=os.path.join(REPO_ROOT, "models", "segweb-demo-nnunet"))
    parser.add_argument("--dump-tile", default=None)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    folder = os.path.join(args.model, CONFIG)
    with open(os.path.join(folder, "plans.json"), encoding="utf-8") as f:
        plans = json.load(f)
    with open(os.path.join(folder, "dataset.json"), encoding="utf-8") as f:
        dataset = json.load(f)
    with open(os.path.join(folder, "fold_0", "segweb_demo_training.json"), encoding="utf-8") as f:
        training = json.load(f)
    problems = []

    expected_labels = {"background": 0, **{name: label for label, _, name in DEMO_CLASSES}}
    if dataset["labels"] != expected_labels:
        problems.append(f"dataset.json labels {dataset['labels']} != {expected_labels}")

    configuration = plans["configurations"]["3d_fullres"]
    patch = configuration["patch_size"]
    network = build_from_arch_kwargs(configuration["architecture"]["arch_kwargs"],
                                     len(dataset["channel_names"]), len(dataset["labels"]), deep_supervision=False)
    checkpoint = torch.load(os.path.join(folder, "fold_0", "checkpoint_final.pth"), map_location="cpu")
    missing_layout = REQUIRED_CHECKPOINT_KEYS - set(checkpoint)
    if missing_layout:
        problems.append(f"checkpoint lacks nnU-Net keys {sorted(missing_layout)}")
    network.load_state_dict(checkpoint["network_weights"], strict=True)
    print(f"loaded {len(checkpoint['network_weights'])} state-dict entries strictly "
          f"(trainer {checkpoint['trainer_name']}, mirroring {checkpoint['inference_allowed_mirroring_axes']})")

    raw, seg, _, _ = load_case(args.data)
    image = ct_normalize(raw, plans["foreground_intensity_properties_per_channel"]["0"])
    logits = sliding_window_logits(network, image, patch)
    prediction = logits.argmax(0).astype(np.uint8)
    dice = dice_per_class(prediction, seg)
    recorded = training["training_dice_on_training_scan"]
    print("Dice on the TRAINING scan (reloaded checkpoint vs recorded at training time):")
    for label, _, name in DEMO_CLASSES:
        print(f"  {label} {name:18s} {dice[label]:.4f}  recorded {recorded[name]:.4f}")
        if abs(dice[label] - recorded[name]) > 1e-4:
            problems.append(f"{name}: Dice {dice[label]:.6f} differs from the recorded {recorded[name]:.6f}")
    print(f"  mean foreground Dice {np.mean(list(dice.values())):.4f}")

    reference = np.asarray(nib.load(os.path.join(args.model, "reference",
                                                 "example_ct_sm_demo_prediction.nii.gz")).dataobj)
    agreement = float((reference.transpose(2, 1, 0) == prediction).mean())
    print(f"voxel agreement with the committed reference prediction: {agreement:.6f}")
    if agreement < 0.9999:
        problems.append(f"prediction agrees with the reference on only {agreement:.6f} of voxels")

    if args.dump_tile:
        os.makedirs(args.dump_tile, exist_ok=True)
        # The tile at the centre of the scan (z padded to the patch as in the sliding window): it holds liver,
        # kidneys, spleen and the back muscles, so every output channel carries signal.
        padded = np.zeros([max(s, p) for s, p in zip(image.shape, patch)], np.float32)
        before = [(p - s) // 2 for p, s in zip(padded.shape, image.shape)]
        padded[before[0]:before[0] + image.shape[0], before[1]:before[1] + image.shape[1],
               before[2]:before[2] + image.shape[2]] = image
        start = [(s - p) // 2 for s, p in zip(padded.shape, patch)]
        tile = np.ascontiguousarray(padded[start[0]:start[0] + patch[0], start[1]:start[1] + patch[1],
                                           start[2]:start[2] + patch[2]])[None, None]
        with torch.no_grad():
            tile_logits = network(torch.from_numpy(tile)).numpy()
        np.save(os.path.join(args.dump_tile, "tile_input.npy"), tile)
        np.save(os.path.join(args.dump_tile, "tile_logits.npy"), np.ascontiguousarray(tile_logits))
        print(f"wrote tile at {start} to {args.dump_tile}")

    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
