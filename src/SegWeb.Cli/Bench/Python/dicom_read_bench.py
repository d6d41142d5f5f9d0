"""The references for SegWeb's DICOM read benchmark (run by DicomReadBenchmark.cs with Debian's python3).

argv: series_folder work_dir repeats. Times, best of `repeats`:
  - pydicom + numpy: dcmread every file, sort by ImagePositionPatient along the slice normal, stack
    pixel_array * slope + intercept into one int16 (or float32) array; the peak RSS (VmHWM) growth of this process;
  - dcm2niix -z n (a fresh output folder each time); its peak RSS (VmHWM, sampled) from one more, untimed run.
Then, untimed, the sums of both results (to check all three readers saw the same values). Prints one JSON object.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pydicom


def hwm_bytes(pid="self"):
    """Peak resident set of a process's current image (VmHWM). Not getrusage's ru_maxrss: Linux carries that
    across exec, so a child of the (large) .NET process would report the parent's peak."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_polling_hwm(args):
    """Runs a command, sampling its VmHWM every 2 ms; returns the last (largest) value seen."""
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, hwm_bytes(process.pid))
        time.sleep(0.002)
    if process.returncode != 0:
        raise RuntimeError(f"{args[0]} exited {process.returncode}")
    return peak


def stack_with_pydicom(folder):
    datasets = [pydicom.dcmread(f) for f in sorted(glob.glob(os.path.join(folder, "*.dcm")))]
    iop = np.array(datasets[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(iop[:3], iop[3:])
    datasets.sort(key=lambda d: float(np.dot(np.array(d.ImagePositionPatient, dtype=float), normal)))
    first = datasets[0]
    slope, intercept = float(getattr(first, "RescaleSlope", 1)), float(getattr(first, "RescaleIntercept", 0))
    integral = slope.is_integer() and intercept.is_integer()
    out = np.empty((len(datasets), first.Rows, first.Columns), dtype=np.int16 if integral else np.float32)
    for k, d in enumerate(datasets):
        if integral:
            out[k] = d.pixel_array.astype(np.int32) * int(slope) + int(intercept)
        else:
            out[k] = d.pixel_array * slope + intercept
    return out


def main():
    folder, work, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    version = subprocess.run(["dcm2niix", "-v"], capture_output=True, text=True).stdout.strip().splitlines()
    result = {"pydicom_version": pydicom.__version__, "numpy_version": np.__version__,
              "dcm2niix_version": next((l for l in version if "v1." in l), "unknown")}

    # pydicom first: VmHWM is a lifetime peak, so its growth is only meaningful before anything larger ran here.
    baseline = hwm_bytes()
    best = float("inf")
    volume = None
    for _ in range(repeats):
        volume = None
        t0 = time.perf_counter()
        volume = stack_with_pydicom(folder)
        best = min(best, time.perf_counter() - t0)
    result["pydicom_s"] = best
    result["pydicom_extra_rss_bytes"] = hwm_bytes() - baseline
    result["pydicom_sum"] = int(volume.sum(dtype=np.int64))
    result["pydicom_dtype"] = str(volume.dtype)
    volume = None

    best = float("inf")
    out_dir = os.path.join(work, "dcm2niix_out")
    for _ in range(repeats):
        shutil.rmtree(out_dir, ignore_errors=True)
        os.makedirs(out_dir)
        t0 = time.perf_counter()
        subprocess.run(["dcm2niix", "-z", "n", "-f", "bench", "-o", out_dir, folder], check=True, capture_output=True)
        best = min(best, time.perf_counter() - t0)
    result["dcm2niix_s"] = best
    # Memory from a separate, untimed run (the sampling would disturb the timing).
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    result["dcm2niix_peak_rss_bytes"] = run_polling_hwm(["dcm2niix", "-z", "n", "-f", "bench", "-o", out_dir, folder])
    niis = sorted(glob.glob(os.path.join(out_dir, "*.nii")))
    if niis:
        import nibabel as nib
        result["dcm2niix_sum"] = int(np.asanyarray(nib.load(niis[0]).dataobj).sum(dtype=np.int64))
    shutil.rmtree(out_dir, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
