#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs the emulator and actionlint, checks formatting
# and lints (the Rust code and the example GitHub Actions workflow), self-tests the emulator
# launcher, the fault proxy and the local Salesforce org, then runs every Rust test (unit, mocked AWS, emulator).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-emulator.sh
bash scripts/setup-actionlint.sh
.venv/bin/actionlint examples/github-actions/provision.yml
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
.venv/bin/python scripts/test_moto_server.py
.venv/bin/python scripts/test_fault_proxy.py
.venv/bin/python scripts/test_fake_salesforce.py
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi
