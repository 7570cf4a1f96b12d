#!/usr/bin/env bash
# The main job on the local emulator: installs moto, starts it on a free loopback port,
# creates the example secrets, then runs `provision apply connections/` and
# `provision diff connections/` and shows their output; then the same, and `provision verify`,
# for a connection to a local Salesforce org (scripts/fake_salesforce.py).
#
# PROVISION=PATH runs that already-built binary (a release download, `target/release/provision`)
# instead of building one with cargo; a relative PATH is taken from the current directory.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/local-world.sh
source scripts/local-world.sh
world_check_provision "$OLDPWD"
echo "== installing the local AWS emulator (moto) into .venv/ (first run: a minute)"
bash scripts/setup-emulator.sh
world_build_provision
world_start_aws

# The example secrets (demo values only).
.venv/bin/python - <<'PY'
import boto3, json, os
sm = boto3.client("secretsmanager", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
sm.create_secret(Name="salesforce/acme-prod", SecretString=json.dumps({"consumer_secret": "A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8A9B0C1D2E3F4A5B6C7D8E9F0A1B2"}))
sm.create_secret(Name="salesforce/acme-uat-billing", SecretString=json.dumps({
    "consumer_key": "3MVG9billingUatKeyExample0000000000000000000000000000000000000000000000",
    "consumer_secret": "0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A69788796A5B4C3D2E1F0"}))
PY
export ACME_UAT_CONSUMER_SECRET=9F8E7D6C5B4A39281706F5E4D3C2B1A09F8E7D6C5B4A39281706F5E4D3C2B1A0
export ACME_UAT_SHARED_TOKEN=demo-shared-token
mkdir -p secrets
printf '%s\n' 5A5B5C5D5E5F50515253545556575859505152535455565758595A5B5C5D5E5F > secrets/globex-prod-consumer-secret

echo "== provision apply connections/"
"$provision" apply connections/
echo
echo "== provision diff connections/"
"$provision" diff connections/

# Delivery readiness against a local Salesforce org (scripts/fake_salesforce.py, the org in
# examples/local-org/org.json): one connection with a deliverable destination and one the
# Run As user may not create. `verify` exits 1 for the second, with its hint.
echo
world_start_org examples/local-org/org.json
demo_dir=$(mktemp -d)
world_paths+=("$demo_dir")
export LOCAL_ORG_CONSUMER_SECRET=D3M0D3M0D3M0D3M0D3M0D3M0D3M0D3M0D3M0D3M0D3M0D3M0D3M0D3M0D3M0D3M0
cat >"$demo_dir/local-org.yaml" <<YAML
name: sf-local-org
description: The local Salesforce org of the demo
salesforce:
  tokenUrl: $org_url/services/oauth2/token
  allowAnyHost: true
clientId: 3MVG9localDemoOrdersConsumerKey000000000000000000000000000000
clientSecret: { env: LOCAL_ORG_CONSUMER_SECRET }
destinations:
  - { name: local-order-events, event: Order_Placed__e, rateLimitPerSecond: 10 }
  - { name: local-audit-events, event: Audit__e, rateLimitPerSecond: 1 }
YAML

echo "== provision apply $demo_dir"
"$provision" apply "$demo_dir"
echo
echo "== provision diff $demo_dir"
"$provision" diff "$demo_dir"
echo
echo "== provision verify $demo_dir   (exits 1: local-audit-events cannot deliver)"
status=0
"$provision" verify "$demo_dir" || status=$?
[ "$status" -eq 1 ] || { echo "verify exited $status, expected 1"; exit 1; }
