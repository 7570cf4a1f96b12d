#!/usr/bin/env bash
# API destinations at scale: `diff` of N connections with D API destinations each, on the
# local emulator behind scripts/fault_proxy.py (LATENCY_MS per AWS call, default 50), against
# the bare client (examples/bare_client.rs --destinations) making the same calls at the same
# concurrency, as scripts/bench.sh does for connections alone.
#
#   bash scripts/bench_destinations.sh [N] [D]      default N=200, D=2
#   BUILD=debug bash scripts/bench_destinations.sh  (skip the release build; latency dominates)
#   PROVISION=path/to/provision bash scripts/bench_destinations.sh   (time another build of
#                                                  the tool, e.g. an older commit's)
#
# The connections and destinations are created straight against moto (no latency), then
# `diff` (in sync, exit 0) and the bare client run through the proxy at CONCURRENCY (default
# 8). AWS calls come from the proxy's per-operation counts. Not a test: read the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
D=${2:-2}
LATENCY_MS=${LATENCY_MS:-50}
CONCURRENCY=${CONCURRENCY:-8}
BUILD=${BUILD:-release}
py=.venv/bin/python

bash scripts/setup-emulator.sh
if [ "$BUILD" = release ]; then
  cargo build --quiet --release --locked --bin provision --example bare_client
else
  cargo build --quiet --locked --bin provision --example bare_client
fi
bin=${PROVISION:-target/$BUILD/provision}
bare=target/$BUILD/examples/bare_client

# shellcheck source=scripts/bench-common.sh
source scripts/bench-common.sh
start_emulator 0

mkdir -p "$work/set"
for i in $(seq -f %05g 1 "$N"); do
  {
    printf -- "name: bench-d-%s\nsalesforce:\n  myDomain: bench%s\nclientId: 3MVG9bench%s\nclientSecret: { env: BENCH_SECRET }\ndestinations:\n" "$i" "$i" "$i"
    for d in $(seq 1 "$D"); do
      printf -- "  - name: bench-d-%s-%s\n    event: Order_Placed__e\n" "$i" "$d"
    done
  } >"$work/set/bench-d-$i.yaml"
done

echo "bench: creating $N connections with $D API destinations each (straight to moto)" >&2
"$bin" apply --no-wait --quiet --endpoint-url "$moto" --concurrency 32 "$work/set"

rows=()
declare -A wall
# measure KEY LABEL COMMAND...: one run through the proxy, one table row.
measure() {
  local key=$1 label=$2 status=0
  shift 2
  echo "bench: $label" >&2
  curl -sf "$proxy/_proxy/stats?reset=1" >/dev/null
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>"$work/err" || status=$?
  curl -sf "$proxy/_proxy/stats" >"$work/stats.json"
  local seconds rss calls describes
  read -r seconds rss < <(tail -n 1 "$work/time")
  read -r calls describes < <("$py" - "$work/stats.json" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
seen = lambda op: stats["targets"].get(f"AWSEvents.{op}", {}).get("seen", 0)
print(stats["totals"]["seen"], seen("DescribeApiDestination"))
PY
)
  wall[$key]=$seconds
  rows+=("| $label | $CONCURRENCY | $seconds | $calls | $describes | $((rss / 1024)) | $status |")
}
measure diff "provision diff (in sync)" \
  "$bin" diff --output json --concurrency "$CONCURRENCY" --endpoint-url "$proxy" "$work/set"
measure bare "bare SDK client (same calls as diff)" \
  "$bare" --destinations --concurrency "$CONCURRENCY" --endpoint-url "$proxy" --region us-east-1
[ "$(cat "$work/out")" = "$N $((N * D))" ] ||
  echo "bench: the bare client read $(cat "$work/out"), not $N $((N * D))" >&2

echo
echo "$N connections with $D API destinations each, proxy latency ${LATENCY_MS} ms per AWS call, $BUILD build ($bin), $(nproc) cores"
echo
echo "| step | concurrency | wall (s) | AWS calls | DescribeApiDestination | peak RSS (MiB) | exit |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "diff / bare client: $("$py" -c "print(f'{${wall[diff]} / ${wall[bare]}:.1f}x')") wall time"
