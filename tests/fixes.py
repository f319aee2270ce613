#!/usr/bin/env python3
"""Fixes (issue 17): every fix pgsieve offers on the fixtures, applied as a client of the JSON
format would apply it, must give a migration that

- still parses (no syntax-error finding),
- no longer has the finding it fixed (the rule's count drops by the number of its fixes applied),
- has no new finding (no rule's count grows), files the fix created included.

Each fixture (fixtures/<rule>/*.sql) is linted with its `-- pgsieve-test:` options; the fixes of
its findings are applied to a copy, one fix whole or not at all, skipping a fix whose edits
overlap one applied before (as `pgsieve lint --fix` does), and the copy is linted again with
the same options. Also checks that the rules whose docs say they have a fix offer one on at
least one fixture, so a fix cannot disappear unnoticed.

usage: fixes.py PGSIEVE FIXTURES_DIR
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import resolve_paths  # noqa: E402

failures = []
passed = 0


def check(ok, what):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(what)
    return ok


def options(path):
    with open(path, "rb") as f:
        first = f.readline().decode("utf-8", "replace")
    marker = "-- pgsieve-test:"
    if not first.startswith(marker):
        return []
    return resolve_paths(shlex.split(first[len(marker):]), path)


def lint(pgsieve, extra, paths, cwd):
    cmd = [pgsieve, "lint", "--no-config", "--format", "json", "--fail-on", "never"] + extra + paths
    p = subprocess.run(cmd, capture_output=True, timeout=60, cwd=cwd)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.decode(errors='replace')}")
    return json.loads(p.stdout)


def overlap(s, e, ts, te):
    """Whether two edits, bytes [s, e) and [ts, te), touch the same text: they share bytes, one
    inserts inside the other's range, or both insert at one place (whose text goes first?)."""
    if s == e and ts == te:
        return s == ts
    if s == e:
        return ts < s < te
    if ts == te:
        return s < ts < e
    return s < te and ts < e


def apply_fixes(fixes, root):
    """Applies fixes (JSON objects) to the files under root, from the last edit to the first;
    returns (applied fixes, created paths)."""
    taken = {}  # file -> [(start, end)] of accepted edits
    accepted = []
    for fix in fixes:
        spans = [(e["file"], e["offset"], e["offset"] + e["length"]) for e in fix["edits"]]
        clash = any(overlap(s, e, ts, te) for f, s, e in spans for ts, te in taken.get(f, []))
        clash = clash or any(os.path.exists(os.path.join(root, n["path"])) for n in fix["files"])
        if clash:
            continue
        for f, s, e in spans:
            taken.setdefault(f, []).append((s, e))
        accepted.append(fix)
    edits = {}
    created = []
    for fix in accepted:
        for e in fix["edits"]:
            edits.setdefault(e["file"], []).append(e)
        for n in fix["files"]:
            with open(os.path.join(root, n["path"]), "wb") as f:
                f.write(n["content"].encode())
            created.append(n["path"])
    for name, es in edits.items():
        with open(os.path.join(root, name), "rb") as f:
            data = f.read()
        for e in sorted(es, key=lambda e: (e["offset"], e["length"]), reverse=True):
            data = data[:e["offset"]] + e["text"].encode() + data[e["offset"] + e["length"]:]
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    return accepted, created


def check_fixture(pgsieve, path, fixed_rules):
    extra = options(path)
    if "--db-setup" in extra:
        return  # needs a server; the fixes of such rules are tested where the server is
    name = os.path.basename(path)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, os.path.join(tmp, name))
        before = lint(pgsieve, extra, [name], tmp)
        mine = [f for f in before["findings"] if f["file"] == name]
        fixes = [f for f in mine if f.get("fix")]
        if not fixes:
            return
        for f in fixes:
            fixed_rules.add(f["rule"])
            check(f["fix"]["title"] and "\n" not in f["fix"]["title"], f"{path}: a fix has a one-line title")
        applied, created = apply_fixes([f["fix"] for f in fixes], tmp)
        by_fix = Counter(f["rule"] for f in fixes if f["fix"] in applied)
        after = lint(pgsieve, extra, [name] + sorted(created), tmp)
        now = [f for f in after["findings"] if f["file"] in [name] + created]
        with open(os.path.join(tmp, name), encoding="utf-8", errors="replace") as f:
            text = f.read()
        what = f"{path} fixed ({', '.join(sorted(by_fix))}):\n{text}"
        check(sum(f["rule"] == "syntax-error" for f in now) <= sum(f["rule"] == "syntax-error" for f in mine),
              f"{what}\n  the fixed migration does not parse: {[f['message'] for f in now if f['rule'] == 'syntax-error']}")
        was, got = Counter(f["rule"] for f in mine), Counter(f["rule"] for f in now)
        for rule, n in by_fix.items():
            check(got[rule] <= was[rule] - n,
                  f"{what}\n  {rule} still fires: {was[rule]} before, {n} fixed, {got[rule]} after")
        for rule in got:
            check(got[rule] <= was[rule],
                  f"{what}\n  a new {rule} finding: {[f['message'] for f in now if f['rule'] == rule]}")


def main():
    pgsieve, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    rules = json.loads(subprocess.run([pgsieve, "rules", "--format", "json"], capture_output=True,
                                      check=True).stdout)
    fixed_rules = set()
    for d in sorted(os.listdir(root)):
        if not os.path.isdir(os.path.join(root, d)) or d == "frameworks":
            continue
        for n in sorted(os.listdir(os.path.join(root, d))):
            if n.endswith(".sql") and (n.startswith("bad-") or n.startswith("ok-")):
                try:
                    check_fixture(pgsieve, os.path.join(root, d, n), fixed_rules)
                except Exception as e:  # noqa: BLE001 - report and go on
                    check(False, f"{os.path.join(d, n)}: {e}")
    for r in rules:
        if r.get("fix"):
            check(r["id"] in fixed_rules, f"{r['id']}: says it has a fix, but no fixture got one")
    print("rules with fixes on the fixtures: " + ", ".join(sorted(fixed_rules)))
    for f in failures:
        print("FAIL " + f)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
