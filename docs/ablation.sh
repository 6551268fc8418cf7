#!/usr/bin/env bash
# Reproduces the detection-quality figures and the ablation table of docs/detection-quality.md:
# trains the bundles the table compares on ../shared/data/skab/anomaly-free and replays ../shared/data/skab/valve1
# through the streaming job for each variant. About 13 minutes on a 2-core machine.
#   docs/ablation.sh [OUT_DIR]        (default target/ablation; JSON reports land there)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
data="${SKAB_DIR:-$root/../shared/data/skab}"
out="${1:-target/ablation}"
mkdir -p "$out"
[ -f "$data/anomaly-free/anomaly-free.csv" ] || { echo "ablation: SKAB data not found at $data (set SKAB_DIR)" >&2; exit 1; }

train() { # name, extra train options...
  local name=$1; shift
  [ -f "$out/$name/manifest.json" ] || ./anomaly train --input "$data/anomaly-free/anomaly-free.csv" --exclude anomaly,changepoint --out "$out/$name" "$@" >"$out/$name.train.log"
}
evaluate() { # label, bundle, evaluate options...
  local label=$1 bundle=$2; shift 2
  ./anomaly evaluate --bundle "$out/$bundle" --input "$data"/valve1/*.csv --warmup 400 --report "$out/$label.json" "$@" >"$out/$label.log"
  python3 - "$label" "$out/$label.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))
p = r.get("per_device") or {}
s = r.get("strict") or {}
fmt = lambda m: f"{m['f1']:.3f} | {100*m['far']:.1f} % | {100*m['mar']:.1f} %" if m else "- | - | -"
print(f"| {sys.argv[1]} | {fmt(p)} | {fmt(s)} | {p.get('nab_standard', float('nan')):.1f} |")
PY
}

train default
train window5 --window 5
train window10 --window 10
train no-denoise --denoise 0
for a in 0.3 0.1 0.05; do train "smooth$a" --smoothing "$a"; done

echo "| variant | per-device F1 | FAR | MAR | strict F1 | FAR | MAR | NAB standard (per-device) |"
echo "|---|---|---|---|---|---|---|---|"
evaluate "defaults (window 1, denoise 0.1, baseline calibration, 3-of-5, model imputation)" default
evaluate "window 5" window5
evaluate "window 10" window10
evaluate "no denoising" no-denoise
for a in 0.3 0.1 0.05; do evaluate "smoothing $a (time constant $(python3 -c "print(round(1/$a))") readings)" "smooth$a"; done
evaluate "threshold-only calibration" default --protocol per-device --set calibration.mode=threshold
evaluate "rule 1-of-1 (no k-of-n)" default --set rule.k=1 --set rule.n=1 --set rule.clear=1
evaluate "rule 10-of-20, clear 20" default --set rule.k=10 --set rule.n=20 --set rule.clear=20
evaluate "imputation: mean" default --set impute.strategy=mean
evaluate "imputation: last" default --set impute.strategy=last
for rate in 0.1 0.3; do
  for strategy in model mean last; do
    evaluate "$(python3 -c "print(int($rate*100))") % of values missing, imputation: $strategy" default --protocol per-device --missing-rate "$rate" --set impute.strategy="$strategy"
  done
done
