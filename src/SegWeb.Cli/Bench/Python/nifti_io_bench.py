"""nibabel's side of SegWeb's NIfTI I/O benchmark (run by NiftiIoBenchmark.cs with Debian's python3).

argv: work_dir repeats. Reads the volume SegWeb wrote uncompressed (segweb_input.nii), then times, best of
`repeats`: nibabel.save to .nii.gz (nibabel's default compresslevel) and nibabel.load +
np.asanyarray(img.dataobj) (the stored array, no float conversion) of that file and of SegWeb's .nii.gz.
Prints one JSON object.
"""
import json
import os
import sys
import time

import nibabel as nib
import numpy as np


def best_of(repeats, fn):
    best = float("inf")
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main():
    work, repeats = sys.argv[1], int(sys.argv[2])
    src = nib.load(os.path.join(work, "segweb_input.nii"))
    data = np.asanyarray(src.dataobj)
    img = nib.Nifti1Image(data, src.affine)
    out = os.path.join(work, "nibabel.nii.gz")
    write_s, _ = best_of(repeats, lambda: nib.save(img, out))
    read_own_s, arr = best_of(repeats, lambda: np.asanyarray(nib.load(out).dataobj))
    assert arr.dtype == data.dtype and np.array_equal(arr, data)
    read_segweb_s, arr2 = best_of(repeats, lambda: np.asanyarray(nib.load(os.path.join(work, "segweb.nii.gz")).dataobj))
    assert np.array_equal(arr2, data)
    print(json.dumps({
        "nibabel_version": nib.__version__,
        "compresslevel": nib.openers.Opener.default_compresslevel,
        "write_s": write_s,
        "read_own_s": read_own_s,
        "read_segweb_s": read_segweb_s,
        "file_bytes": os.path.getsize(out),
    }))


if __name__ == "__main__":
    main()
