#!/usr/bin/env bash
# Step 1 of the setup action (action.yml): which release, for which target, from which
# repository, kept in which folder. Reads the action's inputs from the environment (never
# interpolated into the script) and writes the step outputs.
set -euo pipefail

version="${INPUT_VERSION:-}"
if [ -z "$version" ]; then
  # The action's own release: the version in the Cargo.toml it was checked out with.
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$GITHUB_ACTION_PATH/Cargo.toml" | head -n 1)
fi
version="${version#v}"
if ! printf '%s' "$version" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'; then
  echo "::error title=provision setup::version \`$version\` is not a release version; give e.g. 0.1.0 (or leave it out for the action's own release)"
  exit 1
fi

case "${RUNNER_OS_NAME}/${RUNNER_ARCH_NAME}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  *)
    echo "::error title=provision setup::no provision release for ${RUNNER_OS_NAME}/${RUNNER_ARCH_NAME}; releases exist for Linux and macOS on X64 and ARM64"
    exit 1
    ;;
esac

repository="${INPUT_REPOSITORY:-}"
if [ -z "$repository" ]; then
  # Actions are checked out to <runner>/_actions/OWNER/NAME/REF: the repository this action
  # was used from. (`github.action_repository` is empty inside composite actions.)
  repo_dir=$(dirname "$GITHUB_ACTION_PATH")
  name=$(basename "$repo_dir")
  owner=$(basename "$(dirname "$repo_dir")")
  if [ "$(basename "$(dirname "$(dirname "$repo_dir")")")" = "_actions" ]; then
    repository="$owner/$name"
  fi
fi
if ! printf '%s' "$repository" | grep -Eq '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$'; then
  echo "::error title=provision setup::cannot tell which repository holds the provision releases; set the \`repository\` input, e.g. repository: OWNER/provision"
  exit 1
fi

{
  echo "version=$version"
  echo "target=$target"
  echo "repository=$repository"
  echo "dir=${TOOL_CACHE}/provision/${version}/${target}"
} >>"$GITHUB_OUTPUT"
