#!/usr/bin/env bash
# Step 1 of the setup action (action.yml): which release, for which target, from which
# repository, with which SHA-256, kept in which folder. Reads the action's inputs from the
# environment (never interpolated into the script) and writes the step outputs.
#
# Inputs are untrusted text: each is checked as a whole string (a bash regex, never a
# line-oriented tool, which would pass one good line of a multi-line value) and a refused
# value is never echoed (it could be a workflow command such as `::add-mask::`): the message
# says what is wrong with it instead.
#
# The archive's SHA-256 comes from `checksums/vX.Y.Z.sha256` in the action's own checkout,
# committed after the release was built (.github/workflows/release.yml): pinning the action's
# commit pins the bytes it installs, whatever the release assets later become.
set -euo pipefail
export LC_ALL=C

fail() {
  echo "::error title=provision setup::$1"
  exit 1
}

# What is wrong with an input that failed its pattern, in words (the value itself is never
# printed).
problem() {
  local value=$1
  if [[ $value == *$'\n'* || $value == *$'\r'* ]]; then
    echo "has a line break"
  elif [[ $value =~ [[:cntrl:]] ]]; then
    echo "has a control character"
  elif ((${#value} > 100)); then
    echo "is ${#value} characters long"
  else
    echo "has a character or a form that is not allowed"
  fi
}

# One step output. Every value was checked against a pattern without line breaks; this guard
# keeps a later change from ever writing a second line.
output() {
  if [[ $2 == *$'\n'* || $2 == *$'\r'* ]]; then
    fail "internal: output $1 has a line break; nothing was written"
  fi
  printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
}

checksums_dir="$GITHUB_ACTION_PATH/checksums"
release='(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)'
prerelease='-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*'
version_pattern="^v?$release($prerelease)?\$"
release_pattern="^$release\$"

# The newest release (no pre-release) whose checksums this action commit holds.
newest_committed() {
  local best="" best_key="" file version key
  for file in "$checksums_dir"/v*.sha256; do
    version=${file##*/v}
    version=${version%.sha256}
    [[ $version =~ $release_pattern ]] || continue
    key=$(printf '%09d%09d%09d' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}")
    if [[ $key > $best_key ]]; then
      best=$version
      best_key=$key
    fi
  done
  printf '%s' "$best"
}

version="${INPUT_VERSION:-}"
if [ -z "$version" ]; then
  # The action's own release: the version in the Cargo.toml it was checked out with.
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$GITHUB_ACTION_PATH/Cargo.toml" | head -n 1)
elif [ "$version" = latest ]; then
  version=$(newest_committed)
  if [ -z "$version" ]; then
    fail "version: latest means the newest release whose checksums this action commit holds, and it holds none (no checksums/vX.Y.Z.sha256); pin the action to the commit its release names (tag action/vX.Y.Z)"
  fi
fi
if ! [[ $version =~ $version_pattern ]]; then
  fail "the version input $(problem "$version"); give latest, or a release such as 0.1.0 or v0.1.0 (or leave it out for the action's own release)"
fi
version="${version#v}"

case "${RUNNER_OS_NAME}/${RUNNER_ARCH_NAME}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  *) fail "no provision release for ${RUNNER_OS_NAME}/${RUNNER_ARCH_NAME}; releases exist for Linux and macOS on X64 and ARM64" ;;
esac

# GitHub's rules: an owner is 1 to 39 letters, digits and hyphens, not starting with a hyphen;
# a repository name is 1 to 100 letters, digits, `.`, `_` and `-`, and never `.` or `..`
# (nor any other name made of dots only).
repository_pattern='^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$'
repository="${INPUT_REPOSITORY:-}"
if [ -z "$repository" ]; then
  # Actions are checked out to <runner>/_actions/OWNER/NAME/REF: the repository this action
  # was used from. (`github.action_repository` is empty inside composite actions.)
  repo_dir=$(dirname "$GITHUB_ACTION_PATH")
  if [ "$(basename "$(dirname "$(dirname "$repo_dir")")")" = "_actions" ]; then
    repository="$(basename "$(dirname "$repo_dir")")/$(basename "$repo_dir")"
  else
    fail "cannot tell which repository holds the provision releases; set the repository input, e.g. repository: OWNER/provision"
  fi
fi
if ! [[ $repository =~ $repository_pattern ]] || [[ ${repository#*/} =~ ^\.+$ ]]; then
  fail "the repository input $(problem "$repository"); give OWNER/NAME as GitHub spells it, e.g. repository: OWNER/provision"
fi

# The archive's checksum, from this action commit (never from the release).
archive="provision-v${version}-${target}.tar.gz"
sums_file="$checksums_dir/v${version}.sha256"
if [ ! -f "$sums_file" ]; then
  fail "this action commit holds no checksums for provision v${version} (checksums/v${version}.sha256), so it cannot tell the release's archive from a replaced one; pin the action to the commit its release names (tag action/v${version}), or ask for a version it holds (version: latest)"
fi
sha256=""
while read -r sum name || [ -n "$sum" ]; do
  if [ "$name" = "$archive" ] || [ "$name" = "*$archive" ]; then
    sha256=$sum
  fi
done <"$sums_file"
if ! [[ $sha256 =~ ^[0-9a-f]{64}$ ]]; then
  fail "checksums/v${version}.sha256 in this action commit has no SHA-256 for ${archive}; pin the action to the commit its release names (tag action/v${version})"
fi

output version "$version"
output target "$target"
output repository "$repository"
output sha256 "$sha256"
output dir "${TOOL_CACHE}/provision/${version}/${target}"
