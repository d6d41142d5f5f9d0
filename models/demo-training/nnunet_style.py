"""nnU-Net-style pieces shared by train_demo.py and check_demo.py: reading the scan into nnU-Net's axis order,
CT normalisation, the demo label subset, Dice, and a simple sliding-window prediction.

nnU-Net v2 reads images with SimpleITK, whose arrays are (z, y, x) for a NIfTI stored (x, y, z); its
NibabelIO transposes nibabel's arrays the same way. So "nnU-Net axes" here are the NIfTI voxel axes reversed,
and plans.json's spacing, patch_size and strides are all listed in (z, y, x) order. With isotropic spacing the
planner's transpose_forward is the identity, so no further transpose happens.
"""
from __future__ import annotations

import json
import os

import nibabel as nib
import numpy as np
import torch

# TotalSegmentator 'total' ids -> demo labels 1..K. Large, compact structures with many voxels in the example
# scan (see the README for the counts). Names are TotalSegmentator's, so SegWeb's class metadata
# (SNOMED codes, colours) applies to them unchanged. No flips are used in training because left/right pairs
# are told apart by position only.
DEMO_CLASSES = [
    # (demo label, TotalSegmentator id, name)
    (1, 1, "spleen"),
    (2, 2, "kidney_right"),
    (3, 3, "kidney_left"),
    (4, 5, "liver"),
    (5, 6, "stomach"),
    (6, 86, "autochthon_left"),
    (7, 87, "autochthon_right"),
]
NUM_OUTPUTS = len(DEMO_CLASSES) + 1

CT_FILE = "example_ct_sm.nii.gz"
SEG_FILE = "example_seg.nii.gz"
TARGET_SPACING = (3.0, 3.0, 3.0)


def default_data_dir(repo_root: str) -> str:
    return os.path.normpath(os.path.join(repo_root, "..", "shared", "data", "totalsegmentator"))


def load_case(data_dir: str):
    """Returns (image float32 (z,y,x), demo seg uint8 (z,y,x), nibabel image of the CT, original seg (x,y,z))."""
    ct_path = os.path.join(data_dir, CT_FILE)
    seg_path = os.path.join(data_dir, SEG_FILE)
    for path in (ct_path, seg_path):
        if not os.path.isfile(path):
            raise SystemExit(f"{path}: missing (this script never downloads; pass --data pointing at the "
                             f"TotalSegmentator example folder)")
    ct = nib.load(ct_path)
    seg = nib.load(seg_path)
    if ct.shape != seg.shape or not np.allclose(ct.affine, seg.affine, atol=1e-4):
        raise SystemExit(f"{seg_path}: grid differs from {ct_path}")
    spacing = tuple(float(z) for z in ct.header.get_zooms()[:3])
    if not np.allclose(spacing, TARGET_SPACING, atol=1e-3):
        # nnU-Net would resample to the target spacing here; the demo data is already at 3 mm, and the
        # script refuses anything else rather than training on silently different geometry.
        raise SystemExit(f"{ct_path}: spacing {spacing} is not the demo's 3 mm target spacing")
    image = np.asarray(ct.dataobj, dtype=np.float32)  # applies scl_slope/inter
    original = np.asarray(seg.dataobj).astype(np.uint8)
    demo = np.zeros_like(original)
    for label, source_id, _ in DEMO_CLASSES:
        demo[original == source_id] = label
    return image.transpose(2, 1, 0).copy(), demo.transpose(2, 1, 0).copy(), ct, original


def foreground_intensity_properties(image: np.ndarray, seg: np.ndarray) -> dict:
    """nnU-Net's per-channel foreground statistics (keys as in plans.json).

    nnU-Net samples up to 10,000 foreground voxels per case; with one case we simply use all of them.
    """
    values = image[seg > 0].astype(np.float64)
    return {
        "max": float(values.max()),
        "mean": float(values.mean()),
        "median": float(np.median(values)),
        "min": float(values.min()),
        "percentile_00_5": float(np.percentile(values, 0.5)),
        "percentile_99_5": float(np.percentile(values, 99.5)),
        "std": float(values.std()),
    }


def ct_normalize(image: np.ndarray, props: dict) -> np.ndarray:
    """nnU-Net's CTNormalization: clip to the foreground 0.5/99.5 percentiles, z-score with foreground mean/std."""
    clipped = np.clip(image, props["percentile_00_5"], props["percentile_99_5"])
    return ((clipped - props["mean"]) / max(props["std"], 1e-8)).astype(np.float32)


def dice_per_class(prediction: np.ndarray, truth: np.ndarray, num_outputs: int = NUM_OUTPUTS) -> dict[int, float]:
    result = {}
    for label in range(1, num_outputs):
        p = prediction == label
        t = truth == label
        denominator = p.sum() + t.sum()
        result[label] = float(2.0 * np.logical_and(p, t).sum() / denominator) if denominator else float("nan")
    return result


def _starts(size: int, patch: int, step: float) -> list[int]:
    if size <= patch:
        return [0]
    count = int(np.ceil((size - patch) / (patch * step))) + 1
    return [int(round(i * (size - patch) / (count - 1))) for i in range(count)]


@torch.no_grad()
def sliding_window_logits(network: torch.nn.Module, image: np.ndarray, patch: list[int],
                          step: float = 0.5) -> np.ndarray:
    """Logits (C, z, y, x) for a normalised (z, y, x) image: tiles overlapping by 1-step, zero-padded where the
    image is smaller than the patch (as nnU-Net pads), averaged with uniform weights.

    nnU-Net weights tiles with a Gaussian; uniform averaging is the 'simple' window the demo needs and keeps the
    check easy to reproduce elsewhere.
    """
    network.eval()
    shape = image.shape
    padded_shape = [max(s, p) for s, p in zip(shape, patch)]
    # nnU-Net pads symmetrically (pad_nd_image centres the data); do the same so border behaviour matches.
    before = [(ps - s) // 2 for ps, s in zip(padded_shape, shape)]
    padded = np.zeros(padded_shape, dtype=np.float32)
    padded[before[0]:before[0] + shape[0], before[1]:before[1] + shape[1], before[2]:before[2] + shape[2]] = image
    logits = None
    counts = np.zeros(padded_shape, dtype=np.float32)
    for z in _starts(padded_shape[0], patch[0], step):
        for y in _starts(padded_shape[1], patch[1], step):
            for x in _starts(padded_shape[2], patch[2], step):
                tile = padded[z:z + patch[0], y:y + patch[1], x:x + patch[2]]
                out = network(torch.from_numpy(np.ascontiguousarray(tile))[None, None])
                if isinstance(out, (list, tuple)):
                    out = out[0]
                out = out[0].numpy()
                if logits is None:
                    logits = np.zeros((out.shape[0], *padded_shape), dtype=np.float32)
                logits[:, z:z + patch[0], y:y + patch[1], x:x + patch[2]] += out
                counts[z:z + patch[0], y:y + patch[1], x:x + patch[2]] += 1
    logits /= counts[None]
    return logits[:, before[0]:before[0] + shape[0], before[1]:before[1] + shape[1], before[2]:before[2] + shape[2]]


def write_json(path: str, obj) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=4, sort_keys=False)
        f.write("\n")
