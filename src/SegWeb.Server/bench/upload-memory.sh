#!/usr/bin/env bash
# Streams a 1 GiB NIfTI to the built server with `curl -T` and prints the time and the server's peak memory,
# to show that uploads go to disk in chunks instead of being buffered. Needs a built server
# (dotnet build src/SegWeb.Server -c Release) and Debian's /usr/bin/python3 with nibabel.
# Usage: src/SegWeb.Server/bench/upload-memory.sh [Debug|Release]
set -euo pipefail
config=${1:-Release}
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/bin/$config/net10.0"
work=$(mktemp -d)
port=5097
cleanup() { [[ -n "${pid:-}" ]] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# A valid 512x512x2048 int16 NIfTI header followed by 1 GiB of (sparse) zeros.
/usr/bin/python3 - "$work/big.nii" <<'PY'
import sys, nibabel as nib, numpy as np
img = nib.Nifti1Image(np.zeros((2, 2, 2), np.int16), np.diag([0.8, 0.8, 1.0, 1]))
img.header.set_data_shape((512, 512, 2048)); img.header['vox_offset'] = 352
open(sys.argv[1], 'wb').write(img.header.binaryblock + b'\0' * 4)
PY
truncate -s $((352 + 512 * 512 * 2048 * 2)) "$work/big.nii"

SegWeb__DataFolder="$work/data" SegWeb__Admin__Password='Bench-Passw0rd!' \
  dotnet "$bin/SegWeb.Server.dll" --urls "http://127.0.0.1:$port" > "$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && break; sleep 1; done
idle=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")

curl -sf -c "$work/jar" -H 'Content-Type: application/json' \
  -d '{"email":"admin@segweb.local","password":"Bench-Passw0rd!"}' "http://127.0.0.1:$port/api/v1/account/login"
key=$(curl -sf -b "$work/jar" -H 'Content-Type: application/json' -d '{"name":"bench"}' \
  "http://127.0.0.1:$port/api/v1/account/keys" | /usr/bin/python3 -c 'import sys, json; print(json.load(sys.stdin)["key"])')
result=$(curl -s -o /dev/null -w '%{http_code} %{time_total} %{speed_upload}' -H "Authorization: Bearer $key" \
  -T "$work/big.nii" "http://127.0.0.1:$port/api/v1/inputs/")
peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
read -r code seconds speed <<< "$result"
echo "plain upload of 1 GiB: HTTP $code in ${seconds} s ($(( ${speed%.*} / 1000000 )) MB/s); server peak RSS $(( peak / 1024 )) MiB (idle $(( idle / 1024 )) MiB)"
