# Sourced by the benchmark scripts: a scratch folder, the servers they start (each prints one
# `ready URL` line), and the clean-up of both when the script ends or is interrupted.
# shellcheck shell=bash

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start LOG COMMAND...: runs a server that prints `ready URL`, sets $url.
start() {
  local log=$1
  shift
  "$@" >"$log" 2>"$log.err" &
  pids+=("$!")
  for _ in $(seq 1 300); do grep -q '^ready ' "$log" && break; sleep 0.1; done
  url=$(sed -n 's/^ready //p' "$log")
  [ -n "$url" ] || { echo "did not start: $*" >&2; cat "$log.err" >&2; exit 1; }
}
