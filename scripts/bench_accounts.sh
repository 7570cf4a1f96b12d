#!/usr/bin/env bash
# Many accounts in one run (issue 30): `diff` of T targets x 2 Regions x C connections in ONE
# run, against the same targets one after another (`diff --target T`, T runs in sequence), on
# the local emulator behind scripts/fault_proxy.py (LATENCY_MS per AWS call, default 50), as
# scripts/bench.sh does. Moto serves one account per assumed role, so each target is its own
# account.
#
#   bash scripts/bench_accounts.sh [T] [C]      default T=10, C=50 (10 x 2 x 50 = 1000)
#   BUILD=debug bash scripts/bench_accounts.sh  (skip the release build; latency dominates)
#
# The connections are created by one `apply --no-wait` over every target, straight against
# moto (no latency). AWS calls (STS's included) come from the proxy's per-operation counts.
# Not a test: read the speed-up and the calls per connection. Each run also checks its own
# credentials once (one sts:GetCallerIdentity), so T runs make T-1 more STS calls than one:
# the script reports EventBridge and Secrets Manager calls apart from STS's.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-10}
C=${2:-50}
LATENCY_MS=${LATENCY_MS:-50}
BUILD=${BUILD:-release}
REGIONS=(us-east-1 eu-west-1)
py=.venv/bin/python

bash scripts/setup-emulator.sh
# shellcheck source=scripts/bench-common.sh
source scripts/bench-common.sh
build_provision

start_emulator 0

names=()
# The arguments as a YAML flow list's items: `a, b, c`.
joined() {
  local out="$1"
  shift
  for item in "$@"; do out+=", $item"; done
  printf '%s' "$out"
}
{
  echo "set: payments"
  echo "targets:"
  for t in $(seq 1 "$T"); do
    account=$(printf '1000000000%02d' "$t")
    names+=("t$t")
    printf '  - name: t%s\n    account: "%s"\n    role: arn:aws:iam::%s:role/provision\n    regions: [%s]\n' \
      "$t" "$account" "$account" "$(joined "${REGIONS[@]}")"
  done
} >"$work/provision.yaml"
mkdir -p "$work/connections"
everywhere=$(joined "${names[@]}")
for i in $(seq -f %04g 1 "$C"); do
  printf -- "name: sf-%s\nsalesforce:\n  myDomain: bench\nclientId: 3MVG9bench\nclientSecret: { env: BENCH_SECRET }\ntargets: [%s]\n" \
    "$i" "$everywhere" >"$work/connections/sf-$i.yaml"
done
connections=$((T * ${#REGIONS[@]} * C))

echo "bench: creating $connections connections ($T targets x ${#REGIONS[@]} Regions x $C) in one apply (straight to moto)" >&2
"$bin" apply --no-wait --quiet --config "$work/provision.yaml" --endpoint-url "$moto" --concurrency 32 "$work/connections"

# calls STATS_FILE: total calls, STS calls, DescribeConnection calls. STS speaks the Query
# protocol (no X-Amz-Target header): the proxy counts its calls under "-".
calls() {
  "$py" - "$1" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
seen = lambda key: stats["targets"].get(key, {}).get("seen", 0)
print(stats["totals"]["seen"], seen("-"), seen("AWSEvents.DescribeConnection"))
PY
}

rows=()
declare -A wall total
# measure KEY LABEL COMMAND...: the command (one or several `diff` runs) through the proxy,
# timed as a whole, one table row. Each `diff` must exit 0 (in sync).
measure() {
  local key=$1 label=$2 start end status=0
  shift 2
  echo "bench: $label" >&2
  curl -sf "$proxy/_proxy/stats?reset=1" >/dev/null
  start=$(date +%s.%N)
  "$@" || status=$?
  end=$(date +%s.%N)
  curl -sf "$proxy/_proxy/stats" >"$work/stats.json"
  local seconds all assumes describes
  seconds=$("$py" -c "print(f'{$end - $start:.2f}')")
  read -r all assumes describes < <(calls "$work/stats.json")
  local others=$((all - assumes))
  wall[$key]=$seconds
  total[$key]=$others
  rows+=("| $label | $seconds | $all | $assumes | $others | $("$py" -c "print(f'{$others / $connections:.2f}')") | $describes | $status |")
}
diff_once() {
  "$bin" diff --output json --config "$work/provision.yaml" --endpoint-url "$proxy" "$work/connections" >"$work/out-all.json"
}
diff_each() {
  local t
  for t in "${names[@]}"; do
    "$bin" diff --output json --config "$work/provision.yaml" --endpoint-url "$proxy" --target "$t" "$work/connections" >"$work/out-$t.json"
  done
}
measure once "diff, one run over all $T targets" diff_once
measure each "diff --target T, the $T targets one after another" diff_each

echo
echo "$T targets x ${#REGIONS[@]} Regions x $C connections = $connections connections, proxy latency ${LATENCY_MS} ms per AWS call, $BUILD build, $(nproc) cores"
echo
echo "| step | wall (s) | AWS calls | STS calls | EventBridge + Secrets Manager calls | per connection | DescribeConnection | exit |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "one after another / one run: $("$py" -c "print(f'{${wall[each]} / ${wall[once]}:.1f}x')") wall time"
if [ "${total[once]}" != "${total[each]}" ]; then
  echo "EventBridge and Secrets Manager calls differ: ${total[once]} in one run, ${total[each]} one after another" >&2
  exit 1
fi
