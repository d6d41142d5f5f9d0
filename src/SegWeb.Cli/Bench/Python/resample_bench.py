"""scipy's side of SegWeb's resampling benchmark (run by ResampleBenchmark.cs with Debian's python3).

argv: work_dir repeats. Loads input.npy (the synthetic int16 CT, Fortran order) and shape.json (output shape),
then for order 1 and 3 times scipy.ndimage.zoom(input, out/in, order, mode='nearest', grid_mode=True,
output=float32) — the resampling nnU-Net runs through skimage's resize — best of `repeats`, timing only the call.
Reports tracemalloc's peak (numpy registers its buffers there) and, when SegWeb's outputs segweb_o{order}.npy
exist, the largest absolute difference to them. Prints one JSON object.
"""
import json
import os
import sys
import time
import tracemalloc

import numpy as np
import scipy
from scipy import ndimage


def main():
    work, repeats = sys.argv[1], int(sys.argv[2])
    data = np.load(os.path.join(work, "input.npy"))
    with open(os.path.join(work, "shape.json")) as f:
        shape = json.load(f)
    factors = [s / n for s, n in zip(shape, data.shape)]
    result = {"scipy_version": scipy.__version__}
    for order in (1, 3):
        best = float("inf")
        out = None
        for i in range(repeats):
            out = None
            if i == 0:
                tracemalloc.start()
            t0 = time.perf_counter()
            out = ndimage.zoom(data, factors, order=order, mode="nearest", grid_mode=True, output=np.float32)
            best = min(best, time.perf_counter() - t0)
            if i == 0:
                result[f"order{order}_peak_bytes"] = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
        assert list(out.shape) == shape, (out.shape, shape)
        result[f"order{order}_s"] = best
        mine = os.path.join(work, f"segweb_o{order}.npy")
        if os.path.exists(mine):
            seg = np.load(mine)
            result[f"order{order}_max_abs_diff"] = float(np.max(np.abs(seg.astype(np.float64) - out.astype(np.float64))))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
