#!/usr/bin/env bash
# The README's quickstart, followed end to end as a newcomer types it, against the local AWS
# emulator and a local Salesforce org (examples/local-org/org.json), so README and reality
# cannot drift apart.
#
# The commands come from the README itself: each fenced block after a `<!-- quickstart -->`
# line is typed into one shell, line by line, in a fresh folder (the newcomer's repository),
# with `provision` on PATH; a block after `<!-- quickstart: FILE -->` is written to FILE
# there. Only the endpoints change: the AWS_* variables point the AWS CLI and provision at the
# emulator, and the document's `myDomain:` line becomes the local org's token URL (a My Domain
# host cannot be served from here). The two `read` lines get the local app's consumer key and
# secret, as pasted.
#
# What a newcomer should see is checked: every command succeeds, except that the first
# `provision diff` exits 2 (to create) and the second 0 (in sync), as the README's `# exit N`
# comments say; `apply` creates the connection and its destination; `verify` gets a token and
# finds that the Run As user may create the event.
#
# PROVISION=PATH runs that already-built binary instead of building one, as scripts/demo.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/local-world.sh
source scripts/local-world.sh
world_check_provision "$OLDPWD"
bash scripts/setup-emulator.sh
world_build_provision
world_start_aws
world_start_org examples/local-org/org.json

work=$(mktemp -d)
world_paths+=("$work")
mkdir "$work/bin"
ln -s "$provision" "$work/bin/provision"
# The AWS CLI of step 2: the one on PATH, or a pinned one installed into .venv-awscli/ (a venv
# of its own: awscli pins botocore, which moto's venv pins too).
if ! command -v aws >/dev/null; then
  if [ ! -x .venv-awscli/bin/aws ]; then
    echo "== installing the AWS CLI into .venv-awscli/ (first run: a minute)"
    python3 -m venv .venv-awscli
    .venv-awscli/bin/python -m pip install --quiet --disable-pip-version-check "awscli==1.45.11"
  fi
  ln -s "$PWD/.venv-awscli/bin/aws" "$work/bin/aws"
fi

# The README's marked blocks: the files, written into the work folder, and the typed lines,
# as one shell script that records each line's output and exit code (steps.tsv: number,
# expected exit code, the line).
.venv/bin/python - README.md "$work" "$org_url" <<'PY'
import pathlib, re, shlex, sys

readme, work, org_url = pathlib.Path(sys.argv[1]).read_text(), pathlib.Path(sys.argv[2]), sys.argv[3]
blocks = re.findall(r"^<!-- quickstart(?:: (\S+))? -->\n```\w*\n(.*?)^```$", readme, re.M | re.S)
if not blocks:
    sys.exit("README.md has no block after a `<!-- quickstart -->` line")
script, steps = ["cd " + shlex.quote(str(work))], []
for path, body in blocks:
    if path:
        # The one endpoint a newcomer's document names: the My Domain, served locally.
        local = f"  tokenUrl: {org_url}/services/oauth2/token\n  allowAnyHost: true\n"
        body, found = re.subn(r"^  myDomain: \S+\n", local, body, flags=re.M)
        if found != 1:
            sys.exit(f"the quickstart's {path} has no `  myDomain:` line to point at the local org")
        target = work / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)
        continue
    for line in body.replace("\\\n", "").splitlines():
        command = re.sub(r"\s+#.*$", "", line).strip()
        if not command:
            continue
        expected = re.search(r"#\s*exit (\d+)", line)
        number = len(steps) + 1
        steps.append(f"{number}\t{expected.group(1) if expected else 0}\t{command}")
        script.append(f"printf '%s\\n' {shlex.quote('$ ' + command)}")
        script.append(f"{{ {command}\n}} >out.{number} 2>&1; echo $? >code.{number}; cat out.{number}")
(work / "steps.sh").write_text("\n".join(script) + "\n")
(work / "steps.tsv").write_text("\n".join(steps) + "\n")
PY

# The app's consumer key and secret, as the newcomer pastes them (the local org's app).
consumer=$(.venv/bin/python -c 'import json; a = json.load(open("examples/local-org/org.json"))["apps"][0]; print(a["consumerKey"]); print(a["consumerSecret"])')
echo "== the README's quickstart, typed in $work"
PATH="$work/bin:$PATH" bash "$work/steps.sh" <<<"$consumer"

failed=0
fail() {
  echo "quickstart: $*" >&2
  failed=1
}
provision_steps=()
while IFS=$'\t' read -r number expected command; do
  code=$(cat "$work/code.$number")
  [ "$code" = "$expected" ] || fail "\`$command\` exited $code, the README says $expected"
  case $command in
    provision\ *) provision_steps+=("$command/$code:$number") ;;
  esac
done <"$work/steps.tsv"

# The newcomer's path, in order: each provision command with its exit code.
path=$(printf '%s ' "${provision_steps[@]%%:*}")
[ "$path" = "provision validate/0 provision diff/2 provision apply/0 provision diff/0 provision verify/0 " ] ||
  fail "the quickstart's provision commands are not validate, diff (2), apply, diff (0), verify: $path"

# What each of them says, where a newcomer looks.
output() { cat "$work/out.${provision_steps[$1]##*:}"; }
expect() {
  grep -qE -- "$2" <(output "$1") || fail "\`${provision_steps[$1]%%/*}\` printed no line matching \`$2\`"
}
if [ "${#provision_steps[@]}" -eq 5 ]; then
  expect 1 '^\+ create +sf-acme-prod +us-east-1$'
  expect 1 '^ +\+ create +acme-order-events +us-east-1$'
  expect 1 '^Plan: 1 to create, 0 to update, 0 to delete, 0 in sync\. API destinations: 1 to create'
  expect 2 '^created +sf-acme-prod +us-east-1 +AUTHORIZED$'
  expect 2 '^created +acme-order-events +us-east-1$'
  expect 3 '^Plan: 0 to create, 0 to update, 0 to delete, 1 in sync\. API destinations: 0 to create, 0 to update, 0 to delete, 1 in sync\.$'
  expect 4 '^ok +sf-acme-prod +us-east-1 '
  expect 4 '^ok +acme-order-events +us-east-1 +Order_Placed__e v62\.0: the Run As user may create Order_Placed__e$'
  expect 4 '^Verify: 2 ok, 0 failed\.$'
fi
[ "$failed" -eq 0 ] || exit 1
echo "== the quickstart works as the README says"
