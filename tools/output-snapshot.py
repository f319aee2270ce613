#!/usr/bin/env python3
"""Writes what a pgsieve binary prints for every input the repository knows into a folder, so
that two builds can be compared byte for byte with `diff -r` (a refactoring must not change a
byte of output).

Each case is one pgsieve run; OUT/<case>.out holds its standard output, standard error and exit
status. The cases:
  corpora     `lint --format json|text|sarif` of each folder of ../shared/corpora (skipped with a
              note when absent), and `schema dump` of each (replayed) in json
  fixtures    `lint` of each fixtures/<rule>/*.sql with the options of its `-- pgsieve-test:`
              line (fixtures needing a live database are skipped) in json, text and sarif; each
              fixtures/frameworks/<name> directory and each fixture directory as a whole
  bench       the inputs bench/bench.py generates (big.sql, many/) in the three formats
  diff        `diff` of each tests/diff/<pair> in text, json, sql and sarif
  schema      `schema dump` of tests/schema/rich and the Rails structure.sql, json and sql
  rules       `rules` in each format and `explain` of every rule

usage: tools/output-snapshot.py PGSIEVE OUT_DIR [--jobs N] [--only corpora,fixtures,...]
then:  diff -r OUT_BEFORE OUT_AFTER
"""
import argparse
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from fixtures import resolve_paths  # noqa: E402

SHARED = os.path.join(os.path.dirname(ROOT), "shared")
CORPORA = os.path.join(SHARED, "corpora")
LINT_FORMATS = ("json", "text", "sarif")


def cases_rules(pgsieve):
    out = [("rules/" + f, ["rules", "--format", f], ROOT) for f in ("text", "json", "markdown")]
    rules = json.loads(subprocess.run([pgsieve, "rules", "--format", "json"], capture_output=True,
                                      check=True).stdout)
    for r in rules:
        out.append(("explain/" + r["id"], ["explain", r["id"]], ROOT))
    return out


def cases_corpora():
    if not os.path.isdir(CORPORA):
        print(f"note: {CORPORA} is absent, corpora skipped", file=sys.stderr)
        return []
    out = []
    for name in sorted(os.listdir(CORPORA)):
        if not os.path.isdir(os.path.join(CORPORA, name)):
            continue
        for f in LINT_FORMATS:
            out.append((f"corpora/{name}.{f}", ["lint", "--no-config", "--format", f, name], CORPORA))
        out.append((f"corpora/{name}.schema.json", ["schema", "dump", "--format", "json", name], CORPORA))
    lago = os.path.join("dump-lago-structure", "db", "structure.sql")
    for f in ("json", "sql"):
        out.append((f"schema/lago.{f}", ["schema", "dump", "--schema", lago, "--format", f], CORPORA))
    return out


def cases_fixtures():
    out = []
    fixtures = os.path.join(ROOT, "fixtures")
    for rule in sorted(os.listdir(fixtures)):
        d = os.path.join(fixtures, rule)
        if not os.path.isdir(d):
            continue
        if rule == "frameworks":
            for fw in sorted(os.listdir(d)):
                for f in LINT_FORMATS:
                    out.append((f"frameworks/{fw}.{f}",
                                ["lint", "--no-config", "--format", f, os.path.join("fixtures", rule, fw)], ROOT))
            continue
        out.append((f"fixture-dirs/{rule}.json",
                    ["lint", "--no-config", "--format", "json", os.path.join("fixtures", rule)], ROOT))
        for name in sorted(os.listdir(d)):
            if not name.endswith(".sql"):
                continue
            path = os.path.join(d, name)
            with open(path, "rb") as fh:
                first = fh.readline().decode("utf-8", "replace")
            extra = []
            if first.startswith("-- pgsieve-test:"):
                extra = resolve_paths(shlex.split(first[len("-- pgsieve-test:"):]), path)
            if "--db-setup" in extra:
                continue
            rel = os.path.relpath(path, ROOT)
            for f in LINT_FORMATS:
                out.append((f"fixtures/{rule}/{name}.{f}",
                            ["lint", "--no-config", "--format", f] + extra + [rel], ROOT))
    return out


def cases_bench(workdir):
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "bench.py"), "--generate-only",
                    "--workdir", workdir], check=True, capture_output=True)
    out = []
    for name, path in (("big", os.path.join("big", "big.sql")), ("many", "many")):
        for f in LINT_FORMATS:
            out.append((f"bench/{name}.{f}", ["lint", "--no-config", "--format", f, path], workdir))
    return out


def cases_diff():
    out = []
    pairs = os.path.join(ROOT, "tests", "diff")
    for name in sorted(os.listdir(pairs)):
        a = os.path.join("tests", "diff", name, "a.sql")
        b = os.path.join("tests", "diff", name, "b.sql")
        for f in ("text", "json", "sql", "sarif"):
            out.append((f"diff/{name}.{f}", ["diff", "--from", a, "--to", b, "--format", f], ROOT))
    rich = os.path.join("tests", "schema", "rich")
    for f in ("json", "sql"):
        out.append((f"schema/rich.{f}", ["schema", "dump", "--format", f, rich], ROOT))
    return out


def run(pgsieve, out_dir, case):
    name, args, cwd = case
    env = dict(os.environ)
    for k in ("PGSIEVE_TIMING", "PGSIEVE_PARSE_UNPACK", "NO_COLOR", "FORCE_COLOR"):
        env.pop(k, None)
    p = subprocess.run([pgsieve] + args, cwd=cwd, capture_output=True, env=env, timeout=600)
    path = os.path.join(out_dir, name + ".out")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"$ pgsieve " + shlex.join(args).encode() + b"\n")
        f.write(b"exit %d\n--- stdout\n" % p.returncode)
        f.write(p.stdout)
        f.write(b"\n--- stderr\n")
        f.write(p.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pgsieve")
    ap.add_argument("out")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="rules,corpora,fixtures,bench,diff")
    args = ap.parse_args()
    pgsieve = os.path.abspath(args.pgsieve)
    only = set(args.only.split(","))
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        cases = []
        if "rules" in only:
            cases += cases_rules(pgsieve)
        if "corpora" in only:
            cases += cases_corpora()
        if "fixtures" in only:
            cases += cases_fixtures()
        if "bench" in only:
            cases += cases_bench(workdir)
        if "diff" in only:
            cases += cases_diff()
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(lambda c: run(pgsieve, args.out, c), cases))
    print(f"{len(cases)} cases written to {args.out}")


if __name__ == "__main__":
    main()
