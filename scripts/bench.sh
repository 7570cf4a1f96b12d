#!/usr/bin/env bash
# Scale benchmark on the local emulator: N connections (default 300), timed `apply --no-wait`
# on an empty account, `diff` when in sync, and `apply` when nothing changes, at concurrency 1
# and at the default 8. Prints wall-clock figures and the speed-up ratio measured in one run.
# Not a test: the machines are shared and noisy; read the ratios, not the absolute times.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-300}
bash scripts/setup-emulator.sh
cargo build --quiet --release --bin provision
bin=target/release/provision

work=$(mktemp -d)
log="$work/moto.log"
.venv/bin/python scripts/moto_server.py --port 0 >"$log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q '^ready ' "$log" && break; sleep 0.1; done
export AWS_ENDPOINT_URL=$(sed -n 's/^ready //p' "$log") AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing BENCH_SECRET=bench-consumer-secret-0123456789
unset AWS_PROFILE

mkdir -p "$work/one" "$work/eight"
for set in one eight; do
  for i in $(seq 1 "$N"); do
    printf -- "---\nname: bench-%s-%05d\nsalesforce:\n  myDomain: bench%s\nclientId: 3MVG9bench%05d\nclientSecret: { env: BENCH_SECRET }\ninvocation:\n  headers:\n    Sforce-Call-Options: client=bench\n" "$set" "$i" "$i" "$i"
  done >"$work/$set/connections.yaml"
done

seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1 || [ $? -eq 2 ]; end=$(date +%s.%N); python3 -c "print($end - $start)"; }
printf "%-34s %12s %12s %8s\n" "N=$N connections" "conc. 1 (s)" "conc. 8 (s)" "ratio"
for step in "apply --no-wait (create all)" "diff (all in sync)" "apply (nothing to change)"; do
  case "$step" in
    apply\ --no-wait*) args=(apply --no-wait) ;;
    diff*) args=(diff) ;;
    *) args=(apply) ;;
  esac
  one=$(seconds "$bin" "${args[@]}" --concurrency 1 "$work/one")
  eight=$(seconds "$bin" "${args[@]}" --concurrency 8 "$work/eight")
  printf "%-34s %12.2f %12.2f %7.1fx\n" "$step" "$one" "$eight" "$(python3 -c "print($one / $eight)")"
done
