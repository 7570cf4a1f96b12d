# Sourced by the benchmark scripts: a scratch folder, the servers they start (each prints one
# `ready URL` line), and the clean-up of both when the script ends or is interrupted.
# shellcheck shell=bash

work=$(mktemp -d)
py=${py:-.venv/bin/python}
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# build_provision: builds the binary of $BUILD (release unless BUILD=debug), sets $bin.
build_provision() {
  if [ "${BUILD:-release}" = release ]; then
    cargo build --quiet --release --locked --bin provision
  else
    cargo build --quiet --locked --bin provision
  fi
  # shellcheck disable=SC2034 # read by the scripts that source this file
  bin=target/${BUILD:-release}/provision
}

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

# start_emulator AUTHORIZING_SECONDS: moto (a written connection stays AUTHORIZING that long),
# then scripts/fault_proxy.py in front of it adding LATENCY_MS to every call, both on loopback;
# sets $moto and $proxy, and the SDK's environment (test keys, us-east-1, no files, no profile).
start_emulator() {
  start "$work/moto.log" env MOTO_AUTHORIZING_SECONDS="$1" "$py" scripts/moto_server.py --port 0
  moto=$url
  start "$work/proxy.log" "$py" scripts/fault_proxy.py --upstream "$moto" --latency-ms "$LATENCY_MS"
  proxy=$url
  for u in "$moto" "$proxy"; do
    case "$u" in http://127.0.0.1:*) ;; *) echo "not loopback: $u" >&2; exit 1 ;; esac
  done
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  export AWS_CONFIG_FILE="$work/no-config" AWS_SHARED_CREDENTIALS_FILE="$work/no-credentials"
  export BENCH_SECRET=bench-consumer-secret-0123456789
  unset AWS_PROFILE AWS_ENDPOINT_URL
}
