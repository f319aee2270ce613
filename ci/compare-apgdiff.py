#!/usr/bin/env python3
"""Compares `pgsieve diff` with apgdiff (Debian's apgdiff package) on the schema pairs of
tests/diff/: each pair is loaded into two databases of a throwaway server
(tests/schema/pgcluster.py), both are dumped with pg_dump -s (apgdiff reads pg_dump output), and
each tool writes the SQL from dump A to dump B. That SQL is applied to a fresh copy of A
(psql -v ON_ERROR_STOP=1); the result is compared with B by pg_dump -s (text equal once the
pg_dump header is left out) and by `pgsieve diff`. The table it prints is the one in docs/diff.md.

usage: ci/compare-apgdiff.py PGSIEVE [PAIR...]
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "schema"))
from pgcluster import Cluster  # noqa: E402

PAIRS = os.path.join(ROOT, "tests", "diff")


def dump(pg, db, path):
    pg.pg_dump(path, dbname=db)
    with open(path, encoding="utf-8") as f:
        # the header names the dumped database and the \restrict key changes every run
        return "".join(line for line in f if not line.startswith(("\\restrict", "\\unrestrict", "-- Dumped")))


def apply(pg, db, sql_path):
    try:
        pg.psql(file=sql_path, dbname=db)
        return "ran"
    except RuntimeError as e:
        first = str(e).strip().splitlines()
        return "failed: " + (first[1] if len(first) > 1 else first[0])[:120]


def main():
    pgsieve = os.path.abspath(sys.argv[1])
    apgdiff = shutil.which("apgdiff")
    if not apgdiff:
        sys.exit("apgdiff is not installed (apt-get install apgdiff)")
    pairs = sys.argv[2:] or sorted(d for d in os.listdir(PAIRS) if os.path.isdir(os.path.join(PAIRS, d)))
    rows = []
    keep = os.environ.get("COMPARE_KEEP")  # a directory to leave the dumps and SQL in
    with Cluster() as pg, tempfile.TemporaryDirectory() as tmpdir:
        tmp = keep or tmpdir
        pg.psql("CREATE ROLE reader; CREATE ROLE writer")
        for name in pairs:
            ident = name.replace("-", "_")
            dumps = {}
            for side in ("a", "b"):
                db = f"{side}_{ident}"
                pg.psql(f"CREATE DATABASE {db}")
                pg.psql(file=os.path.join(PAIRS, name, f"{side}.sql"), dbname=db)
                # apgdiff (2.4, 2012) stops at the \\restrict lines pg_dump writes since 2025:
                # both tools read the dump without them
                dumps[side] = os.path.join(tmp, f"{name}-{side}.sql")
                text = dump(pg, db, dumps[side])
                with open(dumps[side], "w", encoding="utf-8") as f:
                    f.write(text)
            want = dump(pg, f"b_{ident}", os.path.join(tmp, f"{name}-b2.sql"))
            row = [name]
            for tool in ("pgsieve", "apgdiff"):
                out = os.path.join(tmp, f"{name}-{tool}.sql")
                if tool == "pgsieve":
                    cmd = [pgsieve, "diff", "--from", dumps["a"], "--to", dumps["b"], "--format", "sql"]
                else:
                    cmd = [apgdiff, dumps["a"], dumps["b"]]
                r = subprocess.run(cmd, capture_output=True, text=True)
                with open(out, "w", encoding="utf-8") as f:
                    f.write(r.stdout)
                if r.returncode != 0:
                    row.append(f"tool error: {r.stderr.strip().splitlines()[-1][:100] if r.stderr.strip() else r.returncode}")
                    continue
                db = f"{tool}_{ident}"
                pg.psql(f"CREATE DATABASE {db}")
                pg.psql(file=os.path.join(PAIRS, name, "a.sql"), dbname=db)
                result = apply(pg, db, out)
                if result == "ran":
                    same_dump = dump(pg, db, os.path.join(tmp, f"{name}-{tool}-after.sql")) == want
                    d = subprocess.run([pgsieve, "diff", "--from", pg.dsn(db), "--to", pg.dsn(f"b_{ident}")],
                                       capture_output=True, text=True)
                    with open(os.path.join(tmp, f"{name}-{tool}-left.txt"), "w", encoding="utf-8") as f:
                        f.write(d.stdout)
                    left = d.stdout.strip().splitlines()[-1] if d.stdout.strip() else d.stderr.strip()
                    result = f"ran; pg_dump {'equal' if same_dump else 'differs'}; pgsieve diff: {left}"
                stmts = sum(1 for line in r.stdout.splitlines() if line.strip() and not line.startswith("--")
                            and line.rstrip().endswith(";"))
                row.append(f"{stmts} statements, {result}")
            rows.append(row)
    print("| pair | pgsieve | apgdiff |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
