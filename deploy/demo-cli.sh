#!/usr/bin/env bash
# The command-line demo (also `deploy/start.sh --cli-demo`): sets everything up and runs the `segweb` CLI on
# the bundled example (deploy/example), printing each command and what it did.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/setup.sh
segweb=(dotnet artifacts/segweb/segweb.dll)
example=deploy/example
out=${SEGWEB_OUT:-.segweb/example}
mkdir -p "$out"

run() { echo; echo "\$ segweb $*"; "${segweb[@]}" "$@"; }
run version
run info "$example/example_ct_sm.nii.gz"
run info "$example/example_seg.nii.gz"
run convert "$example/example_ct_sm.nii.gz" "$out/example_ct_lps_1.5mm.nii.gz" --orientation LPS --spacing 1.5,1.5,1.5 --order 3
run info "$out/example_ct_lps_1.5mm.nii.gz"
# The example is a 30-slice crop: most structures touch its border, so include incomplete masks (TotalSegmentator -sii).
run stats "$example/example_ct_sm.nii.gz" "$example/example_seg.nii.gz" --include-incomplete --json "$out/statistics.json"
# The demo model trained by the project (models/segweb-demo-nnunet, one public scan, NOT for real use) goes
# through the same import as real nnU-Net / TotalSegmentator weights.
models=${SEGWEB_MODELS_DIR:-.segweb/models}
run models import models/segweb-demo-nnunet --name segweb-demo --models-dir "$models" --overwrite
run models verify segweb-demo --models-dir "$models"
run tasks --models-dir "$models"
# Segment the example with the demo model, TotalSegmentator-style flags (multilabel output, statistics).
run segment -i "$example/example_ct_sm.nii.gz" -o "$out/demo_segmentation.nii.gz" --ml --statistics --stats_include_incomplete --model segweb-demo --models-dir "$models"
run info "$out/demo_segmentation.nii.gz"
echo
echo "demo-cli: wrote $out/example_ct_lps_1.5mm.nii.gz, $out/statistics.json, the model package $models/segweb-demo"
echo "       and the demo model's segmentation $out/demo_segmentation.nii.gz (DEMO model: one training scan, not for real use)"
