"""Independent NumPy/SciPy/PyTorch reference of nnU-Net v2's inference core, written from nnU-Net's documented
behaviour (sliding_window_prediction.py, predict_from_raw_data.py, default_normalization_schemes.py) for SegWeb's
tests. Commands (argv[1]):
  steps JSON                      -> JSON list of tile starts per case [[image, patch, step], ...]
  gaussian PATCH_JSON OUT.npy     -> the importance map (float32, C order)
  padding JSON                    -> JSON [[offset..., padded...], ...] for [[image_shape, patch], ...]
  layout IN.npy TF ORDER OUT.npy  -> the network-order array of a Fortran (X,Y,Z) volume
  predict SPEC.json               -> runs the sliding window with torch nets from nnU-Net checkpoints
"""
import itertools
import json
import sys

import numpy as np


def steps_for(image, patch, step):
    target = patch * step
    n = int(np.ceil((image - patch) / target)) + 1
    if n == 1:
        return [0]
    actual = (image - patch) / (n - 1)
    return [int(np.round(actual * i)) for i in range(n)]


def gaussian(patch, sigma_scale=1.0 / 8, scale=10.0):
    from scipy.ndimage import gaussian_filter
    tmp = np.zeros(patch)
    tmp[tuple(p // 2 for p in patch)] = 1
    g = gaussian_filter(tmp, [p * sigma_scale for p in patch], 0, mode="constant", cval=0)
    g = (g / g.max() * scale).astype(np.float16)
    g[g == 0] = g[g != 0].min()
    return g


def padding(shape, patch):
    padded = [max(s, p) for s, p in zip(shape, patch)]
    below = [(q - s) // 2 for q, s in zip(padded, shape)]
    return below, padded


def to_network(vol_xyz, tf, order):
    arr = vol_xyz.transpose(2, 1, 0) if order == "zyx" else vol_xyz
    return np.ascontiguousarray(arr.transpose(tf))


def sliding_window(data, nets, patch, step, mirror_axes):
    """data: (C, D, H, W) float32. Returns averaged logits (K, D, H, W) as float64, nnU-Net's order of averaging."""
    import torch
    below, padded = padding(data.shape[1:], patch)
    pad = [(0, 0)] + [(b, q - s - b) for b, q, s in zip(below, padded, data.shape[1:])]
    x = np.pad(data, pad, mode="constant", constant_values=0)
    g = gaussian(patch).astype(np.float64)
    starts = [steps_for(padded[a], patch[a], step) for a in range(3)]
    combos = [c for i in range(len(mirror_axes)) for c in itertools.combinations([m + 2 for m in mirror_axes], i + 1)]
    total = None
    for net in nets:
        acc = None
        weight = np.zeros(padded, dtype=np.float64)
        for sd in starts[0]:
            for sh in starts[1]:
                for sw in starts[2]:
                    sl = (slice(sd, sd + patch[0]), slice(sh, sh + patch[1]), slice(sw, sw + patch[2]))
                    tile = torch.from_numpy(np.ascontiguousarray(x[(slice(None),) + sl][None]))
                    with torch.no_grad():
                        pred = net(tile)
                        for axes in combos:
                            pred += torch.flip(net(torch.flip(tile, axes)), axes)
                        pred /= len(combos) + 1
                    p = pred[0].numpy().astype(np.float64)
                    if acc is None:
                        acc = np.zeros((p.shape[0],) + tuple(padded), dtype=np.float64)
                    acc[(slice(None),) + sl] += p * g
                    weight[sl] += g
        logits = acc / weight
        total = logits if total is None else total + logits
    total /= len(nets)
    crop = tuple(slice(b, b + s) for b, s in zip(below, data.shape[1:]))
    return total[(slice(None),) + crop]


def predict(spec):
    import runpy
    import torch
    # The network definition is the project's PyTorch reference of dynamic_network_architectures' U-Nets, which
    # also writes the nnU-Net results folder (checkpoints) that SegWeb imports; run it, then build the same network
    # with its nnunet_reference.build (which also applies the spec's conv_bias/affine/slope choices).
    sys.argv = [spec["maker"], json.dumps(spec["net"]), spec["results"]]
    g = runpy.run_path(spec["maker"], run_name="maker")
    nets = []
    for fold in range(spec["net"].get("folds", 1)):
        path = f'{spec["results"]}/nnUNetTrainer__nnUNetPlans__3d_fullres/fold_{fold}/checkpoint_final.pth'
        ckpt = torch.load(path, map_location="cpu")  # torch 1.13: full unpickling, as nnU-Net loads its checkpoints
        net = g["nnunet_reference"].build(spec["net"], spec["net"]["channels"], spec["net"]["classes"])
        net.load_state_dict(ckpt["network_weights"])
        net.eval()
        nets.append(net)
    for case in spec["cases"]:
        vol = np.load(case["volume"])  # Fortran (X, Y, Z) int16 HU
        data = to_network(vol.astype(np.float32), case["transpose"], "zyx")[None]
        # CTNormalization, float32 arithmetic as nnU-Net.
        n = spec["norm"]
        np.clip(data, n["low"], n["high"], out=data)
        data -= n["mean"]
        data /= max(n["std"], 1e-8)
        np.save(case["normalized"], np.ascontiguousarray(data))
        logits = sliding_window(data, nets, spec["patch"], case["step"], case["mirror"])
        np.save(case["logits"], logits.astype(np.float32))
        labels = logits.argmax(0).astype(np.uint8)
        # Back to SegWeb's (x, y, z): undo transpose_forward, then the (z, y, x) reader order.
        back = labels.transpose(np.argsort(case["transpose"])).transpose(2, 1, 0)
        np.save(case["labels"], np.asfortranarray(back))
    print("ok")


cmd = sys.argv[1]
if cmd == "steps":
    print(json.dumps([steps_for(i, p, s) for i, p, s in json.loads(sys.argv[2])]))
elif cmd == "gaussian":
    np.save(sys.argv[3], gaussian(json.loads(sys.argv[2])).astype(np.float32))
elif cmd == "padding":
    print(json.dumps([list(padding(s, p)) for s, p in json.loads(sys.argv[2])]))
elif cmd == "layout":
    np.save(sys.argv[5], to_network(np.load(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]))
elif cmd == "predict":
    predict(json.load(open(sys.argv[2])))
else:
    raise SystemExit(f"unknown command {cmd}")
