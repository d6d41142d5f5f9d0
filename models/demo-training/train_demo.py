#!/usr/bin/python3
"""Trains SegWeb's DEMO segmentation model and writes it as an nnU-Net v2 results folder.

DEMO ONLY: trained on ONE public scan (TotalSegmentator's example_ct_sm.nii.gz + example_seg.nii.gz,
Apache-2.0) and evaluated on that same scan. It exists so a fresh SegWeb install segments something real out of
the box and the import path for real nnU-Net weights is exercised. NOT FOR CLINICAL OR RESEARCH USE.

Run from the repository root with Debian's python3 (torch 1.13, CPU), never downloading anything:

    nice -n 10 /usr/bin/python3 models/demo-training/train_demo.py [--data DIR] [--out DIR] [--iterations N]

Writes <out>/Dataset900_SegWebDemo/nnUNetTrainer__nnUNetPlans__3d_fullres/{dataset.json, plans.json,
dataset_fingerprint.json, fold_0/checkpoint_final.pth, fold_0/segweb_demo_training.json} and
<out>/reference/example_ct_sm_demo_prediction.nii.gz (PyTorch's sliding-window prediction of the scan, for
checking SegWeb's ONNX inference against). The results folder is built in a temporary folder and swapped in
only when complete.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import time

import nibabel as nib
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nnunet_style import (DEMO_CLASSES, NUM_OUTPUTS, TARGET_SPACING, ct_normalize, default_data_dir,  # noqa: E402
                          dice_per_class, foreground_intensity_properties, load_case, sliding_window_logits,
                          write_json)
from plain_conv_unet import build_from_arch_kwargs  # noqa: E402

REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DATASET_NAME = "Dataset900_SegWebDemo"
CONFIG_FOLDER = "nnUNetTrainer__nnUNetPlans__3d_fullres"
PATCH = [32, 64, 64]  # (z, y, x): the scan is 30 x 101 x 122 in nnU-Net axes; z is padded to 32
DEMO_NOTICE = ("DEMO model trained by SegWeb on ONE public scan (TotalSegmentator example_ct_sm, Apache-2.0); "
               "Dice was measured on that same training scan. NOT FOR CLINICAL OR RESEARCH USE.")


def arch_kwargs() -> dict:
    # Exactly the keys nnU-Net v2's planner writes for a PlainConvUNet; strings are the import paths nnU-Net
    # resolves through _kw_requires_import.
    return {
        "n_stages": 4,
        "features_per_stage": [8, 16, 32, 64],
        "conv_op": "torch.nn.modules.conv.Conv3d",
        "kernel_sizes": [[3, 3, 3]] * 4,
        "strides": [[1, 1, 1], [2, 2, 2], [2, 2, 2], [2, 2, 2]],
        "n_conv_per_stage": [2, 2, 2, 2],
        "n_conv_per_stage_decoder": [2, 2, 2],
        "conv_bias": True,
        "norm_op": "torch.nn.modules.instancenorm.InstanceNorm3d",
        "norm_op_kwargs": {"eps": 1e-05, "affine": True},
        "dropout_op": None,
        "dropout_op_kwargs": None,
        "nonlin": "torch.nn.LeakyReLU",
        "nonlin_kwargs": {"inplace": True},
    }


def make_dataset_json() -> dict:
    labels = {"background": 0}
    for label, _, name in DEMO_CLASSES:
        labels[name] = label
    return {
        "channel_names": {"0": "CT"},
        "labels": labels,
        "numTraining": 1,
        "file_ending": ".nii.gz",
        "name": "SegWebDemo",
        "description": DEMO_NOTICE,
        "reference": "https://github.com/wasserth/TotalSegmentator (example_ct_sm.nii.gz, example_seg.nii.gz)",
        "licence": "Apache-2.0 (training data); see LICENSE beside this folder",
        "source_label_ids_totalsegmentator_total": {name: source for _, source, name in DEMO_CLASSES},
    }


def make_plans(shape_zyx, props: dict) -> dict:
    resampling_data_kwargs = {"is_seg": False, "order": 3, "order_z": 0, "force_separate_z": None}
    return {
        "dataset_name": DATASET_NAME,
        "plans_name": "nnUNetPlans",
        "original_median_spacing_after_transp": list(TARGET_SPACING),
        "original_median_shape_after_transp": list(shape_zyx),
        "image_reader_writer": "SimpleITKIO",
        "transpose_forward": [0, 1, 2],
        "transpose_backward": [0, 1, 2],
        "configurations": {
            "3d_fullres": {
                "data_identifier": "nnUNetPlans_3d_fullres",
                "preprocessor_name": "DefaultPreprocessor",
                "batch_size": 2,
                "patch_size": PATCH,
                "median_image_size_in_voxels": list(shape_zyx),
                "spacing": list(TARGET_SPACING),
                "normalization_schemes": ["CTNormalization"],
                "use_mask_for_norm": [False],
                "resampling_fn_data": "resample_data_or_seg_to_shape",
                "resampling_fn_seg": "resample_data_or_seg_to_shape",
                "resampling_fn_data_kwargs": resampling_data_kwargs,
                "resampling_fn_seg_kwargs": {"is_seg": True, "order": 1, "order_z": 0, "force_separate_z": None},
                "resampling_fn_probabilities": "resample_data_or_seg_to_shape",
                "resampling_fn_probabilities_kwargs": {"is_seg": False, "order": 1, "order_z": 0,
                                                       "force_separate_z": None},
                "architecture": {
                    "network_class_name": "dynamic_network_architectures.architectures.unet.PlainConvUNet",
                    "arch_kwargs": arch_kwargs(),
                    "_kw_requires_import": ["conv_op", "norm_op", "dropout_op", "nonlin"],
                },
                "batch_dice": True,
            }
        },
        "experiment_planner_used": "SegWeb demo (hand-written plans, nnU-Net v2 format)",
        "label_manager": "LabelManager",
        "foreground_intensity_properties_per_channel": {"0": props},
    }


class PatchSampler:
    """Random patches with nnU-Net's foreground oversampling: in each batch the last third (at least one sample
    when batch >= 2) is centred on a random voxel of a randomly chosen present class."""

    def __init__(self, image: np.ndarray, seg: np.ndarray, patch: list[int], rng: np.random.Generator):
        self.patch = patch
        self.rng = rng
        shape = image.shape
        padded = [max(s, p) for s, p in zip(shape, patch)]
        before = [(p - s) // 2 for p, s in zip(padded, shape)]
        self.image = np.zeros(padded, np.float32)
        self.seg = np.zeros(padded, np.int64)  # padding is background (nnU-Net pads -1 and maps it to 0)
        region = tuple(slice(b, b + s) for b, s in zip(before, shape))
        self.image[region] = image
        self.seg[region] = seg
        self.class_voxels = {c: np.argwhere(self.seg == c) for c in range(1, NUM_OUTPUTS) if (self.seg == c).any()}

    def _crop(self, start):
        region = tuple(slice(s, s + p) for s, p in zip(start, self.patch))
        return self.image[region], self.seg[region]

    def sample(self, force_foreground: bool):
        limits = [s - p for s, p in zip(self.image.shape, self.patch)]
        if force_foreground:
            cls = self.rng.choice(sorted(self.class_voxels))
            voxels = self.class_voxels[cls]
            centre = voxels[self.rng.integers(len(voxels))]
            start = [int(np.clip(c - p // 2, 0, lim)) for c, p, lim in zip(centre, self.patch, limits)]
        else:
            start = [int(self.rng.integers(lim + 1)) for lim in limits]
        return self._crop(start)

    def batch(self, size: int):
        n_random = int(round(size * (1 - 0.33)))
        images, segs = [], []
        for i in range(size):
            img, seg = self.sample(force_foreground=i >= n_random)
            images.append(augment(img, self.rng))
            segs.append(seg)
        return torch.from_numpy(np.stack(images)[:, None]), torch.from_numpy(np.stack(segs))


def augment(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """nnU-Net's intensity augmentations at its probabilities (noise, brightness, contrast, gamma). No mirroring:
    left/right structures are distinguished by position, and nnU-Net would only mirror when declared."""
    image = image.copy()
    if rng.random() < 0.1:
        image += rng.normal(0.0, np.sqrt(rng.uniform(0, 0.1)), image.shape).astype(np.float32)
    if rng.random() < 0.15:
        image *= rng.uniform(0.75, 1.25)
    if rng.random() < 0.15:
        mean = image.mean()
        lo, hi = image.min(), image.max()
        image = np.clip((image - mean) * rng.uniform(0.75, 1.25) + mean, lo, hi)
    if rng.random() < 0.1:
        lo, hi = image.min(), image.max()
        span = max(hi - lo, 1e-7)
        gamma = rng.uniform(0.7, 1.5)
        image = ((image - lo) / span) ** gamma * span + lo
    return image.astype(np.float32)


def dice_ce_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """nnU-Net's DC_and_CE_loss (weights 1/1): CE + soft Dice over the whole batch (batch_dice), background
    excluded, smooth 1e-5."""
    ce = F.cross_entropy(logits, target)
    probs = torch.softmax(logits, 1)[:, 1:]
    onehot = F.one_hot(target, logits.shape[1]).permute(0, 4, 1, 2, 3)[:, 1:].to(probs.dtype)
    axes = (0, 2, 3, 4)
    intersect = (probs * onehot).sum(axes)
    denominator = probs.sum(axes) + onehot.sum(axes)
    dice = (2 * intersect + 1e-5) / torch.clamp(denominator + 1e-5, min=1e-8)
    return ce - dice.mean()


def deep_supervision_loss(outputs, target: torch.Tensor) -> torch.Tensor:
    # nnU-Net weights the outputs 1, 1/2, 1/4, ..., zeroes the lowest resolution and normalises to sum 1.
    weights = np.array([1 / 2 ** i for i in range(len(outputs))])
    weights[-1] = 0
    weights /= weights.sum()
    total = 0.0
    for weight, output in zip(weights, outputs):
        if weight == 0:
            continue
        factor = [t // o for t, o in zip(target.shape[1:], output.shape[2:])]
        # Nearest-neighbour downsampling of the label map (nnU-Net resizes segmentations with order 0).
        t = target[:, ::factor[0], ::factor[1], ::factor[2]]
        total = total + weight * dice_ce_loss(output, t)
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=default_data_dir(REPO_ROOT),
                        help="folder with example_ct_sm.nii.gz and example_seg.nii.gz")
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "models", "segweb-demo-nnunet"),
                        help="results root (Dataset900_SegWebDemo/... is written inside)")
    parser.add_argument("--iterations", type=int, default=700)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    started = time.time()

    image_raw, seg, ct, _ = load_case(args.data)
    props = foreground_intensity_properties(image_raw, seg)
    image = ct_normalize(image_raw, props)
    print(f"data: {args.data}  shape (z,y,x) {image.shape}  foreground voxels {int((seg > 0).sum())}", flush=True)
    print("classes: " + ", ".join(f"{label}={name}({int((seg == label).sum())} vox)"
                                  for label, _, name in DEMO_CLASSES), flush=True)
    print(f"foreground intensity: mean {props['mean']:.1f} std {props['std']:.1f} "
          f"clip [{props['percentile_00_5']:.1f}, {props['percentile_99_5']:.1f}]", flush=True)

    dataset_json = make_dataset_json()
    plans = make_plans(image.shape, props)
    kwargs = plans["configurations"]["3d_fullres"]["architecture"]["arch_kwargs"]
    network = build_from_arch_kwargs(kwargs, 1, NUM_OUTPUTS, deep_supervision=True)
    network.initialize()
    optimizer = torch.optim.Adam(network.parameters(), lr=args.lr)
    sampler = PatchSampler(image, seg, PATCH, rng)

    losses, lrs = [], []
    window = []
    train_started = time.time()
    network.train()
    for it in range(args.iterations):
        lr = args.lr * (1 - it / args.iterations) ** 0.9  # nnU-Net's poly schedule
        for group in optimizer.param_groups:
            group["lr"] = lr
        x, y = sampler.batch(args.batch)
        outputs = network(x)
        loss = deep_supervision_loss(outputs, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(network.parameters(), 12)  # as nnU-Net
        optimizer.step()
        window.append(float(loss))
        if (it + 1) % 50 == 0 or it + 1 == args.iterations:
            elapsed = time.time() - train_started
            mean_loss = float(np.mean(window))
            losses.append(mean_loss)
            lrs.append(lr)
            window = []
            remaining = elapsed / (it + 1) * (args.iterations - it - 1)
            print(f"iter {it + 1:5d}/{args.iterations}  loss {mean_loss:+.4f}  lr {lr:.2e}  "
                  f"{elapsed:6.0f} s elapsed, ~{remaining:.0f} s left", flush=True)
    train_seconds = time.time() - train_started

    network.decoder.deep_supervision = False  # nnU-Net switches deep supervision off for export/inference
    predict_started = time.time()
    logits = sliding_window_logits(network, image, PATCH)
    predict_seconds = time.time() - predict_started
    prediction = logits.argmax(0).astype(np.uint8)
    dice = dice_per_class(prediction, seg)
    print(f"training Dice on the TRAINING scan itself (no held-out data exists), sliding window "
          f"{predict_seconds:.1f} s:", flush=True)
    for label, source, name in DEMO_CLASSES:
        print(f"  {label} {name:18s} (total id {source:3d})  Dice {dice[label]:.4f}", flush=True)
    print(f"  mean foreground Dice {np.nanmean(list(dice.values())):.4f}", flush=True)

    # Assemble the results folder beside its final place, then swap it in.
    dataset_dir = os.path.join(args.out, DATASET_NAME)
    staging = os.path.join(args.out, f".{DATASET_NAME}.writing")
    shutil.rmtree(staging, ignore_errors=True)
    config_dir = os.path.join(staging, CONFIG_FOLDER)
    os.makedirs(os.path.join(config_dir, "fold_0"))
    write_json(os.path.join(config_dir, "dataset.json"), dataset_json)
    write_json(os.path.join(config_dir, "plans.json"), plans)
    write_json(os.path.join(config_dir, "dataset_fingerprint.json"), {
        "foreground_intensity_properties_per_channel": {"0": props},
        "median_relative_size_after_cropping": 1.0,
        "shapes_after_crop": [list(image.shape)],
        "spacings": [list(TARGET_SPACING)],
    })
    checkpoint = {
        "network_weights": network.state_dict(),  # includes all_modules.* and decoder.encoder.* aliases
        # Left out to keep the committed folder small; nnU-Net needs it only to resume training.
        "optimizer_state": None,
        "grad_scaler_state": None,
        "logging": {"train_losses": losses, "lrs": lrs, "mean_fg_dice": [], "ema_fg_dice": [],
                    "dice_per_class_or_region": [], "val_losses": [], "epoch_start_timestamps": [],
                    "epoch_end_timestamps": []},
        "_best_ema": None,
        "current_epoch": args.iterations,
        "init_args": {"plans": plans, "configuration": "3d_fullres", "fold": 0, "dataset_json": dataset_json,
                      "unpack_dataset": True, "device": torch.device("cpu")},
        "trainer_name": "nnUNetTrainer",
        # None = no test-time mirroring (training used no flips), as nnUNetTrainerNoMirroring saves it.
        "inference_allowed_mirroring_axes": None,
    }
    torch.save(checkpoint, os.path.join(config_dir, "fold_0", "checkpoint_final.pth"))
    write_json(os.path.join(config_dir, "fold_0", "segweb_demo_training.json"), {
        "notice": DEMO_NOTICE,
        "data": [os.path.basename(p) for p in ("example_ct_sm.nii.gz", "example_seg.nii.gz")],
        "iterations": args.iterations, "batch_size": args.batch, "patch_size": PATCH, "seed": args.seed,
        "optimizer": f"Adam lr {args.lr} poly 0.9", "threads": args.threads,
        "training_seconds": round(train_seconds, 1), "total_seconds": round(time.time() - started, 1),
        "sliding_window_seconds": round(predict_seconds, 2), "sliding_window": "step 0.5, uniform weights",
        "training_dice_on_training_scan": {name: round(dice[label], 6) for label, _, name in DEMO_CLASSES},
        "torch": torch.__version__, "python": platform.python_version(),
    })
    if os.path.isdir(dataset_dir):
        shutil.rmtree(dataset_dir)
    os.replace(staging, dataset_dir)

    reference_dir = os.path.join(args.out, "reference")
    os.makedirs(reference_dir, exist_ok=True)
    out_image = nib.Nifti1Image(prediction.transpose(2, 1, 0).copy(), ct.affine)
    out_image.header.set_data_dtype(np.uint8)
    out_image.header.set_xyzt_units("mm", "sec")
    temp = os.path.join(reference_dir, ".prediction.writing.nii.gz")
    nib.save(out_image, temp)
    os.replace(temp, os.path.join(reference_dir, "example_ct_sm_demo_prediction.nii.gz"))
    print(f"wrote {dataset_dir} and {reference_dir}; total {time.time() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
