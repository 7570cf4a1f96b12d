#!/usr/bin/env bash
# The local world the demo and the quickstart run in, sourced by both (scripts/demo.sh,
# scripts/quickstart.sh): the provision binary to run, the local AWS emulator (moto, patched to
# behave like recorded AWS: scripts/moto_server.py) and a local Salesforce org
# (scripts/fake_salesforce.py), each on a free loopback port and stopped when the script exits.
#
# The caller sets `set -euo pipefail` and sources this file from the repository root.

# Processes and temporary paths to remove when the sourcing script exits.
world_pids=()
world_paths=()
world_cleanup() {
  if [ "${#world_pids[@]}" -gt 0 ]; then kill "${world_pids[@]}" 2>/dev/null || true; fi
  if [ "${#world_paths[@]}" -gt 0 ]; then rm -rf "${world_paths[@]}"; fi
}
trap world_cleanup EXIT

# Checks PROVISION (an already-built binary; a relative path is taken from the directory the
# script was started in, $1) before anything starts; sets `provision` to its absolute path, or
# to nothing when PROVISION is unset.
world_check_provision() {
  provision=${PROVISION:-}
  if [ -n "$provision" ]; then
    case $provision in
      /*) ;;
      *) provision="$1/$provision" ;;
    esac
    if [ ! -f "$provision" ] || [ ! -x "$provision" ]; then
      echo "PROVISION=$PROVISION is not an executable file; build one (cargo build) or unset PROVISION" >&2
      exit 1
    fi
  fi
}

# Uses the binary PROVISION named, or builds one with cargo; sets `provision`.
world_build_provision() {
  if [ -n "$provision" ]; then
    echo "== using $provision (PROVISION): no build"
  else
    echo "== building provision (first build: about 4 minutes on two cores; cargo shows its progress)"
    cargo build --bin provision
    provision=$PWD/target/debug/provision
  fi
}

# Prints the URL a server started with its output in $1 announces (`ready URL`), once it
# does; nothing if it has not within 10 seconds.
world_ready_url() {
  local _
  for _ in $(seq 1 100); do
    grep -q '^ready ' "$1" && break
    sleep 0.1
  done
  sed -n 's/^ready //p' "$1"
}

# Stops the script: the server $1 did not start; its output is in $2.
world_not_started() {
  echo "$1 did not start:"
  cat "$2"
  exit 1
}

# Starts moto and points the AWS SDK (and the AWS CLI) at it, with test credentials: sets
# `endpoint` and exports AWS_ENDPOINT_URL, AWS_REGION and the keys.
world_start_aws() {
  local log
  log=$(mktemp)
  world_paths+=("$log")
  .venv/bin/python scripts/moto_server.py --port 0 >"$log" 2>&1 &
  world_pids+=("$!")
  endpoint=$(world_ready_url "$log")
  [ -n "$endpoint" ] || world_not_started moto "$log"
  echo "== local AWS emulator at $endpoint"
  export AWS_ENDPOINT_URL="$endpoint" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
  unset AWS_PROFILE
}

# Starts the local Salesforce org of the org file $1; sets `org_url`.
world_start_org() {
  local log
  log=$(mktemp)
  world_paths+=("$log")
  .venv/bin/python scripts/fake_salesforce.py --org "$1" --port 0 >"$log" 2>&1 &
  world_pids+=("$!")
  org_url=$(world_ready_url "$log")
  [ -n "$org_url" ] || world_not_started "the local Salesforce org" "$log"
  echo "== local Salesforce org at $org_url"
}
