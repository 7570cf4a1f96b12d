#!/usr/bin/env python3
"""Checks that every import arrow in src/ points down and that no two shelves import each other.

The house rule is that the code reads top to bottom: the CLI layer, the resolved config, the
engine and the views, the pure core, the edges that speak to AWS and Salesforce, the leaves
everything shares. This script reads every `crate::`, `super::` and `self::` path of every
production file of src/ (comments, `#[cfg(test)] mod tests` blocks, `tests.rs` files and src/tests/
are left out: tests may reach anywhere), maps it to the file it names, and reports:

- arrows up: a file on a shelf importing a name from a file on a higher shelf;
- circles: files of different modules that reach each other (a strongly connected component of
  the file graph that spans more than one of the modules named in `SHELVES`, on one shelf or
  several). Within one module, a `mod.rs` and its children naming each other is how Rust
  modules are written and is not reported.

`SHELVES` below is the order, written down once: read its comments for why each module sits
where it does. `KNOWN` lists findings tolerated for now (each with the issue that removes it);
a finding not listed fails, and so does a listed one that is gone (so the list only shrinks).

Run: `python3 scripts/layers.py` (prints the findings and the counts, exit status 1 when one is
not known); `python3 scripts/layers.py --self-test` runs the checker's own tests. CI runs both
(scripts/test.sh).
"""

import os
import re
import sys
import unittest

# From the top down. A file may import from its own shelf and any shelf below it.
# A module not named here fails the check (a new module must be given a shelf).
SHELVES = [
    # The binary's entry and the dispatch: parses, resolves settings, runs a command.
    ("entry", ["main", "run"]),
    # One file per command: each opens a run, calls the engine and renders through a view.
    ("commands", ["commands"]),
    # The run's AWS world, opened once: SDK configuration, coverage, account check, clients per
    # place. It reads the settings and the coverage and makes the engine's contexts, so it sits
    # above all three; the engine reaches it only through traits (the rotation's `Session`).
    ("session", ["engine::session"]),
    # The Regions a run covers, computed from the resolved settings (it reads `config::Settings`).
    ("coverage", ["coverage"]),
    # The resolved settings of a run (flags, environment, project file): it names the options
    # of the engine, the plan, the views and the edges it fills in, so it sits above them.
    ("config", ["config"]),
    # The flags as typed, and the project file (which reads the manifest's YAML helpers).
    ("cli", ["cli", "project"]),
    # What a run does (read, apply, settle, verify, rotate) and how its result is shown: both
    # read the plan and the reports; neither is read by the core.
    ("engine and views", ["engine", "view"]),
    # The plan (desired against live), its saved form and the report models.
    ("plan", ["plan"]),
    # Reading secret references into desired state (through the sources and the stores).
    ("resolve", ["resolve"]),
    # The AWS calls on EventBridge resources and the Salesforce APIs: they translate the desired
    # and live models (and the manifest's specs) to and from the wire, so they sit above them.
    ("resource edges", [
        "aws::connections", "aws::destinations", "aws::hints", "aws::rules", "salesforce",
    ]),
    # The IAM policy a run needs, from the declared resources and their secret sources.
    ("policy", ["policy"]),
    # The desired state of a resource, made from a manifest spec.
    ("desired", ["desired"]),
    # The YAML: loading, checking, the key table and the JSON Schema, export.
    ("manifest", ["manifest"]),
    # The ownership marker of a set (the manifest checks descriptions against it).
    ("ownership", ["ownership"]),
    # The secret source kinds (env, file, Secrets Manager, Parameter Store): their keys, which
    # the manifest reads, and their reads, through the store clients below.
    ("sources", ["sources"]),
    # The AWS SDK's plumbing (configuration, retries, bounded answers, tracing, the account
    # check), the clients of the secret stores the sources read, and the IAM action names every
    # permission hint and the policy spell: no model of this crate.
    ("aws plumbing", ["aws"]),
    # Plain data every layer shares: live state, parameter lists.
    ("live", ["live"]),
    ("parameters", ["parameters"]),
    # What a rule hands its target: the input transformer, its JSON paths and local rendering,
    # the retry policy. Plain data and pure functions the manifest, the desired state, the
    # edges and verify all name.
    ("route", ["route"]),
    # How a run speaks (warnings, progress) and the one writer to stdout and stderr.
    ("log", ["log"]),
    ("term", ["term"]),
    # The one user-facing error type; text from outside; the signal that stopped a run.
    ("error", ["error"]),
    ("outside", ["outside", "signal"]),
    # Secrets (a type that cannot print itself), the bounded reads of files and answers, and
    # one key of a YAML mapping (the manifest's table and each secret source's keys).
    ("leaves", ["secret", "local_files", "bounds", "key"]),
    # Where a resource lives (account and Region) and its address: the vocabulary of every
    # entry, result and context, below everything that names one.
    ("place", ["place"]),
]

# Findings tolerated for now: ("up" or "circle", text as printed). Empty when the tree is clean.
KNOWN = []


def strip_comments(text):
    """The code without comments, strings and char literals (their text cannot import)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:]) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            i = n if end < 0 else end + 1 + len(hashes)
            out.append('""')
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
        elif c == "'" and re.match(r"'(\\.[^']*|[^\\'])'", text[i:]):
            i += len(re.match(r"'(\\.[^']*|[^\\'])'", text[i:]).group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def without_tests(code):
    """The code before its `#[cfg(test)] mod tests { ... }` block, which is removed."""
    m = re.search(r"#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s*)?mod\s+\w+\s*\{", code)
    while m:
        depth, i = 1, m.end()
        while i < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[i], 0)
            i += 1
        code = code[: m.start()] + code[i:]
        m = re.search(r"#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s*)?mod\s+\w+\s*\{", code)
    return code


def expand_use(tree):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e']."""
    tree = re.sub(r"\s+", "", tree)
    depth = 0
    for i, c in enumerate(tree):
        if c == "{":
            if depth == 0:
                prefix, inner = tree[:i], tree[i + 1 : tree.rindex("}")]
                parts, depth2, start = [], 0, 0
                for j, d in enumerate(inner):
                    depth2 += {"{": 1, "}": -1}.get(d, 0)
                    if d == "," and depth2 == 0:
                        parts.append(inner[start:j])
                        start = j + 1
                parts.append(inner[start:])
                return [
                    p
                    for part in parts
                    if part
                    for p in expand_use(prefix + part if part != "self" else prefix.rstrip(":"))
                ]
            depth += 1
    return [tree]


def paths_of(code, children=()):
    """Every module path the code names, from `use` trees and from inline paths; a path that
    starts with a child module's name (`connections::Events` in `aws/mod.rs`) is `self::`."""
    found = []
    for m in re.finditer(r"\buse\s+([^;]+);", code):
        found.extend(expand_use(re.sub(r"\s+as\s+\w+", "", m.group(1))))
    for m in re.finditer(r"(?<![\w:])((?:crate|super|self)(?:::(?:super|\w+))+)", code):
        found.append(m.group(1))
    for child in children:
        for m in re.finditer(r"(?<![\w:])(" + child + r"(?:::\w+)+)", code):
            found.append("self::" + m.group(1))
    return [p if p.split("::")[0] in ("crate", "super", "self") or p.split("::")[0] not in children else "self::" + p for p in found]


def module_of(rel):
    """src-relative file path -> module path segments: 'aws/mod.rs' -> ['aws']."""
    parts = rel[: -len(".rs")].split("/")
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    return parts


def resolve(path, here, modules):
    """The module (as a tuple) a path lands in: the longest prefix that is a module."""
    segs = path.split("::")
    if segs[0] == "crate":
        base, segs = [], segs[1:]
    elif segs[0] in ("super", "self"):
        base = list(here)
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                base = base[:-1]
            segs = segs[1:]
    else:
        return None
    best, rest = tuple(base), segs
    for i in range(len(segs)):
        candidate = tuple(base + segs[: i + 1])
        if candidate in modules:
            best, rest = candidate, segs[i + 1 :]
        else:
            break
    return best, "::".join(rest)


def shelf_of(module, ranks):
    """The shelf of a module path: the longest named prefix ('aws::connections' before 'aws')."""
    for i in range(len(module), 0, -1):
        name = "::".join(module[:i])
        if name in ranks:
            return name, ranks[name]
    return None, None


def read_tree(src):
    files = {}
    for dirpath, _, names in os.walk(src):
        for name in names:
            if not name.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), src).replace(os.sep, "/")
            if rel.startswith("tests/") or name == "tests.rs" or "/tests/" in rel:
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                files[rel] = f.read()
    return files


def check(files, shelves=SHELVES):
    """(arrows up, circles, modules without a shelf) of a {src-relative path: text} tree."""
    ranks = {}
    for rank, (_, names) in enumerate(reversed(shelves)):
        for name in names:
            ranks[name] = rank
    modules = {tuple(module_of(rel)): rel for rel in files}
    edges = {}  # file -> {file: [names]}
    ups, unshelved = set(), set()
    for rel, text in sorted(files.items()):
        here = tuple(module_of(rel))
        code = without_tests(strip_comments(text))
        children = [m[-1] for m in modules if len(m) == len(here) + 1 and m[: len(here)] == here]
        for path in paths_of(code, children):
            landed = resolve(path, here, modules)
            if landed is None:
                continue
            target, rest = landed
            if target == here or not target:
                continue
            to = modules[target]
            edges.setdefault(rel, {}).setdefault(to, set()).add(
                "::".join(target) + ("::" + rest if rest else "")
            )
            (a_shelf, a_rank), (b_shelf, b_rank) = shelf_of(here, ranks), shelf_of(target, ranks)
            for shelf, module in ((a_shelf, here), (b_shelf, target)):
                if shelf is None:
                    unshelved.add("::".join(module))
            if a_rank is not None and b_rank is not None and a_rank < b_rank:
                name = "::".join(target) + ("::" + rest.split("::")[0] if rest else "")
                ups.add(f"{rel} -> {name}")
    # Strongly connected components (Tarjan), then keep those spanning two shelves.
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(files):
        if v not in index:
            visit(v)
    circles = set()
    for comp in comps:
        unit = {f: shelf_of(tuple(module_of(f)), ranks)[0] or "::".join(module_of(f)) for f in comp}
        if len(comp) > 1 and len(set(unit.values())) > 1:
            links = [
                f"{a} -> {b}"
                for a in comp
                for b in sorted(edges.get(a, {}))
                if b in comp and unit[a] != unit[b]
            ]
            circles.add(", ".join(links))
    return sorted(ups), sorted(circles), sorted(unshelved)


def main():
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    ups, circles, unshelved = check(read_tree(src))
    found = [("up", u) for u in ups] + [("circle", c) for c in circles]
    for module in unshelved:
        print(f"no shelf: {module} (give it one in SHELVES of scripts/layers.py)")
    for kind, text in found:
        print(f"{kind}: {text}{'  (known)' if (kind, text) in KNOWN else ''}")
    gone = [k for k in KNOWN if k not in found]
    for kind, text in gone:
        print(f"fixed, remove from KNOWN: {kind}: {text}")
    new = [f for f in found if f not in KNOWN]
    print(f"{len(circles)} circles, {len(ups)} arrows up ({len(new)} not known), {len(unshelved)} modules without a shelf")
    return 1 if new or gone or unshelved else 0


class Tests(unittest.TestCase):
    SHELVES = [("top", ["cli"]), ("core", ["plan", "manifest"]), ("leaf", ["error"])]

    def run_check(self, files):
        return check(files, self.SHELVES)

    def test_an_arrow_down_is_fine_and_an_arrow_up_is_named(self):
        ups, circles, _ = self.run_check(
            {
                "cli.rs": "use crate::plan::Plan;",
                "plan/mod.rs": "use crate::error::Error;\nfn f() { crate::cli::MAX; }",
                "error.rs": "",
            }
        )
        self.assertEqual(ups, ["plan/mod.rs -> cli::MAX"])
        self.assertEqual(len(circles), 1)

    def test_groups_super_and_comments(self):
        ups, _, _ = self.run_check(
            {
                "cli.rs": "",
                "error.rs": "// crate::cli::X in a comment\nconst S: &str = \"crate::cli::Y\";",
                "plan/mod.rs": "pub mod a;",
                "plan/a.rs": "use super::super::{error::Error, cli::{self, Z}};",
            }
        )
        self.assertEqual(ups, ["plan/a.rs -> cli", "plan/a.rs -> cli::Z"])

    def test_test_blocks_are_left_out(self):
        ups, _, _ = self.run_check(
            {"cli.rs": "", "error.rs": "#[cfg(test)]\nmod tests {\n use crate::cli::X;\n}\n"}
        )
        self.assertEqual(ups, [])

    def test_circles_between_modules_are_reported_within_one_module_not(self):
        ups, circles, _ = self.run_check(
            {
                "plan/mod.rs": "mod a;\nuse crate::manifest::A;\nuse a::X;",
                "plan/a.rs": "use super::Y;",
                "manifest/mod.rs": "use crate::plan::B;",
                "cli.rs": "use crate::error::E;",
                "error.rs": "use crate::cli::F;",
            }
        )
        self.assertEqual(ups, ["error.rs -> cli::F"])
        self.assertEqual(
            circles,
            [
                "cli.rs -> error.rs, error.rs -> cli.rs",
                "manifest/mod.rs -> plan/mod.rs, plan/mod.rs -> manifest/mod.rs",
            ],
        )

    def test_a_child_module_named_without_self(self):
        ups, _, _ = self.run_check(
            {"error.rs": "", "plan/mod.rs": "mod a;\nfn f() -> a::X { }", "plan/a.rs": "use crate::cli::Y;", "cli.rs": ""}
        )
        self.assertEqual(ups, ["plan/a.rs -> cli::Y"])
        _, circles, _ = self.run_check(
            {"error.rs": "mod a;\nuse a::X;", "error/a.rs": "use crate::cli::Y;", "cli.rs": "use crate::error::Z;"}
        )
        self.assertEqual(len(circles), 1)

    def test_a_module_without_a_shelf_is_named(self):
        _, _, unshelved = self.run_check({"cli.rs": "use crate::newthing::X;", "newthing.rs": ""})
        self.assertEqual(unshelved, ["newthing"])


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        unittest.main(argv=sys.argv[:1])
    else:
        sys.exit(main())
