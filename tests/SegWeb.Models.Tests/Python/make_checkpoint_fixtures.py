"""Writes torch.save checkpoints for the checkpoint reader's tests into OUT_DIR (usage: make_checkpoint_fixtures.py OUT_DIR
MARKER_PATH). Hostile ones are real torch zips whose data.pkl is replaced by a pickle that would run a command creating
MARKER_PATH if it were unpickled by Python's full unpickler; the reader must refuse them without creating it."""
import json
import os
import pickle
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import torch

out, marker = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)

# 1. Tensor layouts: float32, float16, bfloat16, a transposed (non-contiguous) view, a view with a storage offset, two
#    tensors sharing one storage, a 0-d tensor, plus the non-tensor values nnU-Net checkpoints carry.
base = torch.randn(6, 5)
half = torch.randn(3, 4).half()
bf16 = torch.randn(2, 3).bfloat16()
conv = torch.randn(4, 3, 1, 3, 3)
state = OrderedDict([
    ("a.weight", base),
    ("a.transposed", base.t()),
    ("a.offset", base[2:5, 1:4]),
    ("h.weight", half),
    ("b.weight", bf16),
    ("c.conv.weight", conv),
    ("c.scalar", torch.tensor(2.5)),
])
tensors = {"network_weights": state, "trainer_name": "nnUNetTrainer", "inference_allowed_mirroring_axes": (0, 1, 2),
           "current_epoch": 1000, "_best_ema": np.float64(0.8125), "lr": 0.01, "big": 2 ** 70, "neg": -123456789012,
           "flags": {1, 2, 3}, "device": torch.device("cpu"), "name": "n\u00e9", "raw": b"\x00\x01\xff", "nothing": None}
torch.save(tensors, os.path.join(out, "tensors.pth"))
expected = {k: [float(v) for v in t.float().contiguous().reshape(-1)] for k, t in state.items()}
expected_shapes = {k: list(t.shape) for k, t in state.items()}
json.dump({"values": expected, "shapes": expected_shapes}, open(os.path.join(out, "tensors.json"), "w"))

# 2. A state dict whose duplicate alias (all_modules.0 = conv) holds different data than its canonical key.
conv_w = torch.randn(2, 1, 3, 3, 3)
torch.save({"network_weights": OrderedDict([("encoder.stages.0.0.convs.0.conv.weight", conv_w),
                                            ("encoder.stages.0.0.convs.0.all_modules.0.weight", conv_w + 1)])},
           os.path.join(out, "inconsistent_duplicates.pth"))

# 3. Hostile pickles inside otherwise genuine torch zips.
command = f"touch {marker}"


class SystemCall:
    def __reduce__(self):
        return (os.system, (command,))


class EvalCall:
    def __reduce__(self):
        return (eval, (f"__import__('os').system({command!r})",))


class LoadFromBytes:
    def __reduce__(self):
        return (torch.storage._load_from_bytes, (b"not a real payload",))


def save_with_pickle(name, payload):
    path = os.path.join(out, name)
    torch.save({"network_weights": OrderedDict([("x.weight", torch.ones(2))])}, path)
    with zipfile.ZipFile(path) as z:
        entries = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for info, data in entries:
            z.writestr(info, pickle.dumps(payload, protocol=2) if info.filename.endswith("/data.pkl") else data)


save_with_pickle("evil_os_system.pth", SystemCall())
save_with_pickle("evil_eval.pth", EvalCall())
save_with_pickle("evil_load_from_bytes.pth", LoadFromBytes())
# The hostile object hidden deep inside an otherwise legitimate checkpoint dict.
save_with_pickle("evil_nested.pth", {"network_weights": OrderedDict([("x.weight", [1.0, 2.0])]),
                                     "init_args": {"plans": {"configurations": [SystemCall()]}}})
print(json.dumps({"system_module": os.system.__module__}))
