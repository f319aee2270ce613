#!/usr/bin/env python3
"""Schema-aware linting against a real database (--db) and its pg_dump (--schema):
- findings of the locking and rewrite rules carry the table's estimated rows and size, and drop
  to info under the small-table thresholds (small-table-rows / small-table-bytes in the config);
- alter-type-rewrite knows the old type (a binary-coercible change is silent), set-not-null-
  blocking sees a validated CHECK (col IS NOT NULL), both from the database and from the dump;
- unknown-object reports what the database lacks;
- the database is never written: the migration is only read.

usage: lint.py PGSIEVE
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import Cluster  # noqa: E402

failures = 0

SETUP = """
CREATE TABLE big (id bigint PRIMARY KEY, v text, n int, code varchar(10));
INSERT INTO big SELECT g, repeat('x', 100), g, 'c' FROM generate_series(1, 200000) g;
CREATE TABLE small (id bigint PRIMARY KEY, v varchar(10), n int);
INSERT INTO small SELECT g, 'x', g FROM generate_series(1, 500) g;
ALTER TABLE small ADD CONSTRAINT small_n_present CHECK (n IS NOT NULL);
ANALYZE;
"""

MIGRATION = """ALTER TABLE big ADD COLUMN created timestamptz DEFAULT clock_timestamp();
CREATE INDEX big_n_idx ON big (n);
ALTER TABLE small ADD COLUMN created timestamptz DEFAULT clock_timestamp();
CREATE INDEX small_n_idx ON small (n);
ALTER TABLE small ALTER COLUMN v TYPE varchar(20);
ALTER TABLE small ALTER COLUMN n SET NOT NULL;
ALTER TABLE big ALTER COLUMN code TYPE varchar(5);
ALTER TABLE missing ADD COLUMN x int;
"""


def check(name, ok, detail=""):
    global failures
    if not ok:
        failures += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


def lint(pgsieve, args, path):
    r = subprocess.run([pgsieve, "lint", "--format", "json", "--fail-on", "never"] + args + [path],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"pgsieve lint {' '.join(args)} exited {r.returncode}: {r.stderr}")
    return json.loads(r.stdout)["findings"]


def at(findings, line, rule):
    return [f for f in findings if f["line"] == line and f["rule"] == rule]


def expect(findings, src, line, rule, severity=None, contains=None):
    got = at(findings, line, rule)
    if not got:
        check(f"{src}: line {line} {rule}", False, "no finding")
        return
    f = got[0]
    if severity:
        check(f"{src}: line {line} {rule} is {severity}", f["severity"] == severity, f["severity"] + ": " + f["message"])
    if contains:
        check(f"{src}: line {line} {rule} says {contains!r}", contains in f["message"], f["message"])


def expect_none(findings, src, line, rule):
    got = at(findings, line, rule)
    check(f"{src}: no {rule} on line {line}", not got, got[0]["message"] if got else "")


def main():
    pgsieve = os.path.abspath(sys.argv[1])
    with Cluster() as pg, tempfile.TemporaryDirectory() as tmp:
        pg.psql(SETUP)
        mig = os.path.join(tmp, "migrations")
        os.mkdir(mig)
        path = os.path.join(mig, "001_change.sql")
        with open(path, "w") as f:
            f.write(MIGRATION)
        no_config = ["--no-config"]

        db = lint(pgsieve, no_config + ["--db", pg.dsn()], path)
        expect(db, "--db", 1, "add-column-rewrite", "error", "public.big: ~200k rows")
        expect(db, "--db", 1, "add-column-rewrite", contains="a rewrite takes")
        expect(db, "--db", 2, "create-index-blocking", "error", "a full scan takes")
        expect(db, "--db", 3, "add-column-rewrite", "info", "public.small: ~500 rows")
        expect(db, "--db", 3, "add-column-rewrite", contains="a small table, so reported as info")
        expect(db, "--db", 4, "create-index-blocking", "info")
        expect_none(db, "--db", 5, "alter-type-rewrite")   # varchar(10) -> varchar(20): catalog only
        expect_none(db, "--db", 6, "set-not-null-blocking")  # the validated CHECK proves it
        expect(db, "--db", 7, "alter-type-rewrite", "error", "(from varchar(10))")
        expect(db, "--db", 8, "unknown-object", "error", "has no table")

        dump = os.path.join(tmp, "schema.sql")
        pg.pg_dump(dump)
        fromdump = lint(pgsieve, no_config + ["--schema", dump], path)
        expect(fromdump, "--schema", 1, "add-column-rewrite", "error")
        check("--schema: a dump has no sizes", "rows" not in at(fromdump, 1, "add-column-rewrite")[0]["message"])
        expect_none(fromdump, "--schema", 5, "alter-type-rewrite")
        expect_none(fromdump, "--schema", 6, "set-not-null-blocking")
        expect(fromdump, "--schema", 7, "alter-type-rewrite", "error", "(from varchar(10))")
        expect(fromdump, "--schema", 8, "unknown-object", "error", "the schema file schema.sql has no table")

        # without a source: nothing known, as before
        plain = lint(pgsieve, no_config, path)
        expect(plain, "no source", 5, "alter-type-rewrite")
        expect_none(plain, "no source", 8, "unknown-object")

        # the thresholds come from the configuration
        cfg = os.path.join(tmp, "pgsieve.yml")
        with open(cfg, "w") as f:
            f.write("small-table-rows: 1000000\nsmall-table-bytes: 1GB\n")
        tuned = lint(pgsieve, ["--config", cfg, "--db", pg.dsn()], path)
        expect(tuned, "raised thresholds", 1, "add-column-rewrite", "info")
        with open(cfg, "w") as f:
            f.write("small-table-rows: 10\n")
        tuned = lint(pgsieve, ["--config", cfg, "--db", pg.dsn()], path)
        expect(tuned, "lowered thresholds", 3, "add-column-rewrite", "error")
        with open(cfg, "w") as f:
            f.write("small-table-bytes: lots\n")
        r = subprocess.run([pgsieve, "lint", "--config", cfg, path], capture_output=True, text=True)
        check("a bad small-table-bytes is a configuration error", r.returncode == 2 and "small-table-bytes" in r.stderr,
              r.stderr)

        # nothing was written: the tables are as they were
        cols = pg.psql("SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute "
                       "WHERE attrelid = 'big'::regclass AND attnum > 0").strip()
        check("the database is not changed", cols == "id,v,n,code", cols)

        r = subprocess.run([pgsieve, "lint", "--no-config", "--db", pg.dsn(), "--schema", dump, path],
                           capture_output=True, text=True)
        check("--db with --schema is a usage error", r.returncode == 2, r.stderr)

    print(f"{'FAILED' if failures else 'passed'}: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
