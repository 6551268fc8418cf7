#!/usr/bin/env bash
# Reproduces the detection-quality figures and the ablation table of docs/detection-quality.md:
# trains the bundles the table compares on ../shared/data/skab/anomaly-free and replays ../shared/data/skab/valve1
# through the streaming job for each variant (one row = one streaming run). About 10 minutes on a 2-core machine.
#   docs/ablation.sh [OUT_DIR]        (default target/ablation; JSON reports land there)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
data="${SKAB_DIR:-$root/../shared/data/skab}"
out="${1:-target/ablation}"
mkdir -p "$out"
[ -f "$data/anomaly-free/anomaly-free.csv" ] || { echo "ablation: SKAB data not found at $data (set SKAB_DIR)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "ablation: python3 is needed to format the table" >&2; exit 1; }

train() { # name, extra train options...
  local name=$1; shift
  [ -f "$out/$name/manifest.json" ] || ./anomaly train --input "$data/anomaly-free/anomaly-free.csv" --exclude anomaly,changepoint --out "$out/$name" "$@" >"$out/$name.train.log"
}
evaluate() { # label, bundle, evaluate options...
  local label=$1 bundle=$2; shift 2
  ./anomaly evaluate --bundle "$out/$bundle" --input "$data"/valve1/*.csv --warmup 400 --protocol per-device \
      --report "$out/$(echo "$label" | tr -c 'a-zA-Z0-9\n' '_').json" "$@" >"$out/last.log"
  python3 - "$label" "$out/$(echo "$label" | tr -c 'a-zA-Z0-9\n' '_').json" <<'PY'
import json, sys
p = json.load(open(sys.argv[2]))["per_device"]
print(f"| {sys.argv[1]} | {p['f1']:.3f} | {100*p['far']:.1f} % | {100*p['mar']:.1f} % | {p['nab_standard']:.1f} |")
PY
}

train default
train window5 --window 5
train conv1d --family conv1d
train smooth0.1 --smoothing 0.1

echo "| variant (per-device protocol, valve1, 16 files) | F1 | FAR | MAR | NAB standard |"
echo "|---|---|---|---|---|"
evaluate "**defaults**: device model (window auto = 10, latent 1/3, limit 4/3 × q0.999), 10 of 10 to open, 1 normal to close" default
# The device model
evaluate "device model window 5" default --set calibration.window=5
evaluate "device model window 15 (3.4 warm-up windows per dimension)" default --set calibration.window=15
evaluate "control limit 1 × q0.999 (threshold.scale 0.75)" default --set threshold.scale=0.75
evaluate "control limit 2 × q0.999 (threshold.scale 1.5)" default --set threshold.scale=1.5
# The decision rule, with the device model
evaluate "rule 3 of 5, close after 5 (the former default)" default --set rule.k=3 --set rule.n=5 --set rule.clear=5
evaluate "rule 5 of 5, close after 1" default --set rule.k=5 --set rule.n=5
evaluate "rule 20 of 20, close after 1" default --set rule.k=20 --set rule.n=20
evaluate "rule 10 of 10, close after 3" default --set rule.clear=3
evaluate "rule 10 of 10, close after 5" default --set rule.clear=5
evaluate "rule 1 of 1 (every reading decides)" default --set rule.k=1 --set rule.n=1
# Without the device model: the bundle's (fleet) model with per-device calibration
evaluate "fleet model, baseline calibration, 3 of 5, close after 5 (the former defaults)" default --set calibration.mode=baseline --set rule.k=3 --set rule.n=5 --set rule.clear=5
evaluate "fleet model, baseline calibration, new rule" default --set calibration.mode=baseline
evaluate "fleet model window 5, baseline calibration, new rule" window5 --set calibration.mode=baseline
evaluate "fleet model conv1d (window 10), baseline calibration, new rule" conv1d --set calibration.mode=baseline
evaluate "fleet model conv1d (window 10), baseline calibration, 3 of 5, close after 5" conv1d --set calibration.mode=baseline --set rule.k=3 --set rule.n=5 --set rule.clear=5
evaluate "device model, conv1d fleet model during warm-up" conv1d
evaluate "fleet model, threshold-only calibration, new rule" default --set calibration.mode=threshold
evaluate "fleet model smoothed 0.1, baseline calibration, new rule" smooth0.1 --set calibration.mode=baseline
evaluate "fleet model, no calibration (strict)" default --set calibration.mode=none
evaluate "fleet model conv1d (window 10), no calibration (strict)" conv1d --set calibration.mode=none
# Gaps: values blanked at random (seeded) before replay; the device model fills them from its own reconstruction
for rate in 0.1 0.3; do
  evaluate "$(python3 -c "print(int($rate*100))") % of values missing (warm-up included)" default --missing-rate "$rate"
done
evaluate "10 % of values missing, fleet model with baseline calibration, 3 of 5, close after 5 (former defaults)" default --missing-rate 0.1 --set calibration.mode=baseline --set rule.k=3 --set rule.n=5 --set rule.clear=5
