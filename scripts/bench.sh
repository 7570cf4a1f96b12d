#!/usr/bin/env bash
# Scale benchmark on the local emulator, behind scripts/fault_proxy.py so that every AWS call
# costs a realistic round trip (LATENCY_MS, default 50) and concurrency becomes measurable.
#
#   bash scripts/bench.sh [N]        N connections, default 1000
#   LATENCY_MS=80 bash scripts/bench.sh 200
#
# Builds release (provision and examples/bare_client.rs), starts moto and the proxy on
# 127.0.0.1, writes N connection files, then times `validate`, `apply --no-wait` (create N),
# `diff` at --concurrency 1, 8 (the default) and 32, the bare SDK client at 8, a no-op `apply`
# (must write nothing), a waiting `apply` creating N more, and an `aws events describe-connection`
# loop (CLI_CALLS calls, default 50, extrapolated to N; awscli is pip-installed into .venv if
# missing, pinned to the installed botocore). AWS calls come from the proxy's per-operation
# counts; peak RSS from /usr/bin/time. Prints a Markdown table and the ratios the project
# targets. Not a test: the machines are shared and noisy; read the ratios, not the absolute times.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
LATENCY_MS=${LATENCY_MS:-50}
CLI_CALLS=${CLI_CALLS:-50}
# A written connection stays AUTHORIZING this many seconds (moto_server.py), then AUTHORIZED:
# about how long a real Salesforce OAuth authorization takes on a public endpoint.
AUTHORIZING_SECONDS=${MOTO_AUTHORIZING_SECONDS:-3}
# The throttled run: FAULT_N connections created with 30% throttling and 5% HTTP 500.
FAULT_N=${FAULT_N:-200}
DEFAULT_CONCURRENCY=8
py=.venv/bin/python

bash scripts/setup-emulator.sh
if [ ! -x .venv/bin/aws ]; then
  botocore=$("$py" -c 'import botocore; print(botocore.__version__)')
  "$py" -m pip install --quiet --disable-pip-version-check awscli "botocore==$botocore"
fi
cargo build --quiet --release --locked --bin provision --example bare_client
bin=target/release/provision
bare=target/release/examples/bare_client

# shellcheck source=scripts/bench-common.sh
source scripts/bench-common.sh
start_emulator "$AUTHORIZING_SECONDS"
aws_flags=(--endpoint-url "$proxy" --region us-east-1)

# Files of one connection each: set a is created with --no-wait, set b by the waiting apply;
# sets f0 and f1 (FAULT_N each) are created without and with faults.
for set in a b f0 f1; do
  mkdir -p "$work/$set"
  count=$N
  case $set in f*) count=$FAULT_N ;; esac
  for i in $(seq -f %05g 1 "$count"); do
    printf -- "name: bench-%s-%s\nsalesforce:\n  myDomain: bench%s\nclientId: 3MVG9bench%s\nclientSecret: { env: BENCH_SECRET }\ninvocation:\n  headers:\n    Sforce-Call-Options: client=bench\n" \
      "$set" "$i" "$i" "$i" >"$work/$set/bench-$set-$i.yaml"
  done
done

rows=()
declare -A wall
# measure KEY LABEL CONCURRENCY CONNECTIONS EXPECTED_EXIT COMMAND...: one table row.
measure() {
  local key=$1 label=$2 conc=$3 count=$4 expected=$5 status=0
  shift 5
  echo "bench: $label (concurrency $conc)" >&2
  curl -sf "$proxy/_proxy/stats?reset=1" >/dev/null
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>"$work/err" || status=$?
  curl -sf "$proxy/_proxy/stats" >"$work/stats.json"
  local seconds rss calls writes lists note=""
  read -r seconds rss < <(tail -n 1 "$work/time")
  read -r calls writes lists < <("$py" - "$work/stats.json" <<'PY'
import json, re, sys
stats = json.load(open(sys.argv[1]))
writes = sum(row["seen"] for target, row in stats["targets"].items()
             if re.search(r"\.(Create|Update|Delete|Put)", target))
lists = sum(row["seen"] for target, row in stats["targets"].items()
            if target.endswith(".ListConnections"))
print(stats["totals"]["seen"], writes, lists)
PY
)
  [ "$status" = "$expected" ] || note=" (expected $expected: $(head -c 200 "$work/err" | tr '\n' ' '))"
  if [ "$key" = cli ]; then  # extrapolate the sample to N connections
    seconds=$("$py" -c "print(f'{$seconds * $N / $CLI_CALLS:.2f}')")
    label="$label ($CLI_CALLS timed, x$N/$CLI_CALLS)"
  fi
  wall[$key]=$seconds
  rows+=("| $label | $conc | $seconds | $("$py" -c "print(f'{$calls / $count:.2f}')") | $writes | $lists | $((rss / 1024)) | $status$note |")
}

c=$DEFAULT_CONCURRENCY
measure validate "provision validate ($N files)" - "$N" 0 "$bin" validate "$work/a"
measure create "provision apply --no-wait (create $N)" "$c" "$N" 0 "$bin" apply --no-wait --output json "${aws_flags[@]}" "$work/a"
measure diff8 "provision diff (in sync)" "$c" "$N" 0 "$bin" diff --output json "${aws_flags[@]}" "$work/a"
measure bare8 "bare SDK client (same calls as diff)" "$c" "$N" 0 "$bare" --concurrency "$c" "${aws_flags[@]}"
[ "$(cat "$work/out")" = "$N" ] || echo "bench: the bare client read $(cat "$work/out") connections, not $N" >&2
measure diff1 "provision diff (in sync)" 1 "$N" 0 "$bin" diff --output json --concurrency 1 "${aws_flags[@]}" "$work/a"
measure diff32 "provision diff (in sync)" 32 "$N" 0 "$bin" diff --output json --concurrency 32 "${aws_flags[@]}" "$work/a"
measure noop "provision apply (nothing to change)" "$c" "$N" 0 "$bin" apply --output json "${aws_flags[@]}" "$work/a"
measure wait "provision apply (create $N, wait AUTHORIZED)" "$c" "$N" 0 "$bin" apply --output json "${aws_flags[@]}" "$work/b"
measure f0 "provision apply --no-wait (create $FAULT_N, no faults)" "$c" "$FAULT_N" 0 "$bin" apply --no-wait --output json "${aws_flags[@]}" "$work/f0"
curl -sf -X POST -d '{"throttle": 0.3, "error500": 0.05, "seed": 11}' "$proxy/_proxy/config" >/dev/null
measure f1 "provision apply --no-wait (create $FAULT_N, 30% throttled, 5% HTTP 500)" "$c" "$FAULT_N" 0 "$bin" apply --no-wait --output json "${aws_flags[@]}" "$work/f1"
curl -sf -X POST -d '{"throttle": 0, "error500": 0, "seed": null}' "$proxy/_proxy/config" >/dev/null
measure f1diff "provision diff of the throttled set (all as declared?)" "$c" "$FAULT_N" 0 "$bin" diff --output json "${aws_flags[@]}" "$work/f1"
cat >"$work/cli-loop.sh" <<'SH'
for i in $(seq -f %05g 1 "$1"); do
  .venv/bin/aws events describe-connection --name "bench-a-$i" --endpoint-url "$2" --region us-east-1 --output json >/dev/null || exit 1
done
SH
measure cli "aws events describe-connection loop" 1 "$CLI_CALLS" 0 bash "$work/cli-loop.sh" "$CLI_CALLS" "$proxy"

ratio() { "$py" -c "print(f'{$1 / $2:.1f}x')"; }
echo
echo "N=$N connections, proxy latency ${LATENCY_MS} ms per AWS call, a written connection stays AUTHORIZING ${AUTHORIZING_SECONDS} s, $(nproc) cores"
echo
echo "| step | concurrency | wall (s) | AWS calls / connection | writes | ListConnections calls | peak RSS (MiB) | exit |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "| ratio | measured | target |"
echo "|---|---|---|"
echo "| diff (concurrency $c) / bare client (concurrency $c) | $(ratio "${wall[diff8]}" "${wall[bare8]}") | <= 1.2x |"
echo "| diff concurrency 1 / diff concurrency $c | $(ratio "${wall[diff1]}" "${wall[diff8]}") | >= 6x |"
echo "| aws-cli loop / diff (concurrency $c) | $(ratio "${wall[cli]}" "${wall[diff8]}") | >= 100x |"
echo "| waiting apply / (apply --no-wait + ${AUTHORIZING_SECONDS} s) | $(ratio "${wall[wait]}" "$("$py" -c "print(${wall[create]} + $AUTHORIZING_SECONDS)")") | <= 1.5x |"
echo "| throttled apply / fault-free apply ($FAULT_N) | $(ratio "${wall[f1]}" "${wall[f0]}") | <= 5x |"
