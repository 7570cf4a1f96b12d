#!/usr/bin/env bash
# Step 3 of the setup action (action.yml): downloads the release archive unless the cache
# restored it, checks it against the release's SHA256SUMS (always downloaded afresh, so a
# cached archive is checked too), unpacks the binary and puts it on PATH.
#
# action.yml never sets PROVISION_RELEASE_URL or PROVISION_PROTOCOLS: downloads come from the
# GitHub release over https only. tests/workflows.rs sets them to run this script on local files.
set -euo pipefail

archive_name="provision-v${PROVISION_VERSION}-${PROVISION_TARGET}.tar.gz"
base="${PROVISION_RELEASE_URL:-https://github.com/${PROVISION_REPOSITORY}/releases/download/v${PROVISION_VERSION}}"
archive_dir="${PROVISION_DIR}/archive"
bin_dir="${PROVISION_DIR}/bin"
mkdir -p "$archive_dir" "$bin_dir"

fetch() {
  curl --fail --location --silent --show-error --retry 3 --proto "=${PROVISION_PROTOCOLS:-https}" --output "$2" "$1"
}

sums=$(mktemp)
trap 'rm -f "$sums"' EXIT
fetch "$base/SHA256SUMS" "$sums"
expected=$(awk -v name="$archive_name" '$2 == name || $2 == "*" name { print $1 }' "$sums")
if [ -z "$expected" ]; then
  echo "::error title=provision setup::release v${PROVISION_VERSION} has no ${archive_name} in its SHA256SUMS"
  exit 1
fi

if [ ! -f "$archive_dir/$archive_name" ]; then
  echo "Downloading $base/$archive_name"
  fetch "$base/$archive_name" "$archive_dir/$archive_name"
fi

if command -v sha256sum >/dev/null 2>&1; then
  actual=$(sha256sum "$archive_dir/$archive_name" | awk '{ print $1 }')
else
  actual=$(shasum -a 256 "$archive_dir/$archive_name" | awk '{ print $1 }')
fi
if [ "$actual" != "$expected" ]; then
  rm -f "$archive_dir/$archive_name"
  echo "::error title=provision setup::${archive_name} does not match SHA256SUMS (expected $expected, got $actual); it was removed, nothing was installed"
  exit 1
fi

tar -xzf "$archive_dir/$archive_name" -C "$bin_dir" provision
chmod +x "$bin_dir/provision"
echo "$bin_dir" >>"$GITHUB_PATH"
echo "bin=$bin_dir" >>"$GITHUB_OUTPUT"
"$bin_dir/provision" --version
