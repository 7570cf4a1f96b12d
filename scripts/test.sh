#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs the emulator and the workflow linters, checks
# formatting and lints (the Rust code, every GitHub Actions workflow, the setup action and the
# shell scripts), self-tests the emulator launcher, the fault proxy and the local Salesforce
# org, runs every Rust test (unit, mocked AWS, emulator), then follows the README's quickstart
# on the built binary against the local emulator and org (scripts/quickstart.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-emulator.sh
bash scripts/setup-actionlint.sh
# Every workflow: actionlint, with shellcheck checking each `run:` script (actionlint skips
# them silently without it, so it is named and must run), then zizmor's security audits
# (offline) on the workflows and the setup action, and shellcheck on the scripts.
workflows=(examples/github-actions/*.yml .github/workflows/*.yml)
.venv/bin/shellcheck --version >/dev/null
.venv/bin/actionlint -shellcheck "$PWD/.venv/bin/shellcheck" "${workflows[@]}"
.venv/bin/zizmor --offline --quiet action.yml "${workflows[@]}"
.venv/bin/shellcheck .ci/run scripts/*.sh
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
.venv/bin/python scripts/test_moto_server.py
.venv/bin/python scripts/test_fault_proxy.py
.venv/bin/python scripts/test_fake_salesforce.py
# Every import arrow of src/ points down (the shelves are written down in the script).
.venv/bin/python scripts/layers.py --self-test
.venv/bin/python scripts/layers.py
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi
# The newcomer's path: the README's quickstart, typed as written, on the binary just built.
cargo build --locked --bin provision
PROVISION=target/debug/provision bash scripts/quickstart.sh
