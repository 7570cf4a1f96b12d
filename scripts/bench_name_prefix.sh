#!/usr/bin/env bash
# What the project file's `namePrefix` saves in a shared account: `diff` of D declared
# connections in an account of N, with and without it, on the local emulator behind
# scripts/fault_proxy.py (LATENCY_MS per AWS call, default 50), as scripts/bench.sh does.
#
#   bash scripts/bench_name_prefix.sh [N] [D]      default N=3000, D=100
#   BUILD=debug bash scripts/bench_name_prefix.sh  (skip the release build; latency dominates)
#
# The N-D other connections belong to other sets (as other teams' would); they are created
# straight against moto, without the proxy's latency. Then `diff` runs through the proxy with
# a project file with `namePrefix: pay-` and with one without it (same set, same Region). AWS
# calls come from the proxy's per-operation counts. Not a test: read the calls and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3000}
D=${2:-100}
LATENCY_MS=${LATENCY_MS:-50}
BUILD=${BUILD:-release}
py=.venv/bin/python

bash scripts/setup-emulator.sh
# shellcheck source=scripts/bench-common.sh
source scripts/bench-common.sh
build_provision

start_emulator 0

# connection FILE NAME: one connection document.
connection() {
  printf -- "name: %s\nsalesforce:\n  myDomain: bench\nclientId: 3MVG9bench\nclientSecret: { env: BENCH_SECRET }\n" "$2" >"$1"
}
mkdir -p "$work/pay" "$work/others"
for i in $(seq -f %05g 1 "$D"); do connection "$work/pay/pay-$i.yaml" "pay-$i"; done
for i in $(seq -f %05g 1 $((N - D))); do connection "$work/others/other-$i.yaml" "other-$i"; done
printf 'set: payments\ndefaultRegion: us-east-1\nnamePrefix: pay-\n' >"$work/prefixed.yaml"
printf 'set: payments\ndefaultRegion: us-east-1\n' >"$work/unprefixed.yaml"
printf 'set: other-teams\ndefaultRegion: us-east-1\n' >"$work/others.yaml"

echo "bench: creating $((N - D)) other connections and $D declared ones (straight to moto)" >&2
"$bin" apply --no-wait --quiet --config "$work/others.yaml" --endpoint-url "$moto" --concurrency 32 "$work/others"
"$bin" apply --no-wait --quiet --config "$work/prefixed.yaml" --endpoint-url "$moto" --concurrency 32 "$work/pay"

rows=()
declare -A wall
# measure KEY LABEL CONFIG: one `diff` through the proxy, one table row.
measure() {
  local key=$1 label=$2 config=$3 status=0
  echo "bench: $label" >&2
  curl -sf "$proxy/_proxy/stats?reset=1" >/dev/null
  /usr/bin/time -f '%e %M' -o "$work/time" "$bin" diff --output json --config "$config" \
    --endpoint-url "$proxy" "$work/pay" >"$work/out" 2>"$work/err" || status=$?
  curl -sf "$proxy/_proxy/stats" >"$work/stats.json"
  local seconds rss calls describes lists
  read -r seconds rss < <(tail -n 1 "$work/time")
  read -r calls describes lists < <("$py" - "$work/stats.json" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
seen = lambda op: stats["targets"].get(f"AWSEvents.{op}", {}).get("seen", 0)
print(stats["totals"]["seen"], seen("DescribeConnection"), seen("ListConnections"))
PY
)
  wall[$key]=$seconds
  rows+=("| $label | $seconds | $calls | $describes | $lists | $((rss / 1024)) | $status |")
}
measure prefixed "diff, namePrefix: pay-" "$work/prefixed.yaml"
measure unprefixed "diff, no namePrefix" "$work/unprefixed.yaml"

echo
echo "$D declared connections (pay-*) in an account of $N, proxy latency ${LATENCY_MS} ms per AWS call, $BUILD build, $(nproc) cores"
echo
echo "| step | wall (s) | AWS calls | DescribeConnection | ListConnections | peak RSS (MiB) | exit |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "without / with namePrefix: $("$py" -c "print(f'{${wall[unprefixed]} / ${wall[prefixed]}:.1f}x')") wall time"
