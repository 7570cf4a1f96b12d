#!/usr/bin/env bash
# Installs the local AWS emulator (moto server, pinned) into a project-local venv at .venv/.
# Idempotent: a venv that already has the pinned version is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
MOTO_VERSION="5.2.5"
VENV=".venv"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import moto, sys; sys.exit(0 if moto.__version__ == '$MOTO_VERSION' else 1)" 2>/dev/null; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
"$VENV/bin/python" -c "import moto; print('moto', moto.__version__, 'installed in $VENV')"
