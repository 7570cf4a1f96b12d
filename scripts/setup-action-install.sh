#!/usr/bin/env bash
# Step 3 of the setup action (action.yml): checks the archive the cache restored, or downloads
# it, against the SHA-256 that step 1 read from the action's own commit; unpacks the binary and
# puts it on PATH. A cached archive that does not match is discarded and downloaded again, so
# a bad cache entry never fails later runs; a download that does not match installs nothing.
#
# Every download is bounded: a connection within PROVISION_CONNECT_SECONDS (default 15), the
# whole transfer within PROVISION_DOWNLOAD_SECONDS (default 300), and 2 retries.
#
# action.yml sets PROVISION_RELEASE_URL, PROVISION_PROTOCOLS and the two time limits to empty
# (so a job's environment cannot change them): downloads come from the GitHub release over
# https only. The tests set them to run this script against a local release.
set -euo pipefail
export LC_ALL=C

fail() {
  echo "::error title=provision setup::$1"
  exit 1
}

# Step 1's outputs, checked again here: this script must never build a path or a URL out of
# anything else.
[[ $PROVISION_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$ ]] ||
  fail "internal: step 1 gave no release version"
[[ $PROVISION_TARGET =~ ^[a-z0-9_]+-[a-z0-9_-]+$ ]] || fail "internal: step 1 gave no target"
[[ $PROVISION_REPOSITORY =~ ^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$ && ! ${PROVISION_REPOSITORY#*/} =~ ^\.+$ ]] ||
  fail "internal: step 1 gave no repository"
[[ $PROVISION_SHA256 =~ ^[0-9a-f]{64}$ ]] || fail "internal: step 1 gave no SHA-256"
[[ -n $PROVISION_DIR && $PROVISION_DIR != *$'\n'* && $PROVISION_DIR != *$'\r'* ]] ||
  fail "internal: step 1 gave no folder"

connect_seconds="${PROVISION_CONNECT_SECONDS:-15}"
download_seconds="${PROVISION_DOWNLOAD_SECONDS:-300}"
[[ $connect_seconds =~ ^[1-9][0-9]{0,3}$ && $download_seconds =~ ^[1-9][0-9]{0,4}$ ]] ||
  fail "internal: the download time limits are not whole seconds"
retries=2

archive_name="provision-v${PROVISION_VERSION}-${PROVISION_TARGET}.tar.gz"
base="${PROVISION_RELEASE_URL:-https://github.com/${PROVISION_REPOSITORY}/releases/download/v${PROVISION_VERSION}}"
archive_dir="${PROVISION_DIR}/archive"
archive="$archive_dir/$archive_name"
bin_dir="${PROVISION_DIR}/bin"
mkdir -p "$archive_dir" "$bin_dir"

download() {
  echo "Downloading $base/$archive_name"
  local code=0
  curl --fail --location --silent --show-error --proto "=${PROVISION_PROTOCOLS:-https}" \
    --connect-timeout "$connect_seconds" --max-time "$download_seconds" \
    --retry "$retries" --retry-delay 2 \
    --output "$archive.part" "$base/$archive_name" || code=$?
  if [ "$code" -ne 0 ]; then
    rm -f "$archive.part"
    if [ "$code" -eq 28 ]; then
      fail "downloading ${archive_name} did not finish within ${download_seconds} seconds (a connection within ${connect_seconds}), in $((retries + 1)) attempts; nothing was installed. Check that the runner reaches github.com, then re-run the job"
    fi
    fail "downloading ${archive_name} failed (curl exit ${code}, in $((retries + 1)) attempts at most); nothing was installed. Check that release v${PROVISION_VERSION} of ${PROVISION_REPOSITORY} has this asset, then re-run the job"
  fi
  mv "$archive.part" "$archive"
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{ print $1 }'
  else
    shasum -a 256 "$1" | awk '{ print $1 }'
  fi
}

if [ -f "$archive" ]; then
  actual=$(sha256_of "$archive")
  if [ "$actual" != "$PROVISION_SHA256" ]; then
    echo "::warning title=provision setup::the cached ${archive_name} does not match the checksum this action commit holds for it (got ${actual}); it was discarded and is downloaded again"
    rm -f "$archive"
  fi
fi
if [ ! -f "$archive" ]; then
  download
  actual=$(sha256_of "$archive")
  if [ "$actual" != "$PROVISION_SHA256" ]; then
    rm -f "$archive"
    fail "${archive_name} from release v${PROVISION_VERSION} does not match the checksum this action commit holds for it (checksums/v${PROVISION_VERSION}.sha256: expected ${PROVISION_SHA256}, got ${actual}): the release asset was replaced or damaged. It was removed, nothing was installed"
  fi
fi

tar -xzf "$archive" -C "$bin_dir" provision
chmod +x "$bin_dir/provision"
echo "$bin_dir" >>"$GITHUB_PATH"
echo "bin=$bin_dir" >>"$GITHUB_OUTPUT"
"$bin_dir/provision" --version
