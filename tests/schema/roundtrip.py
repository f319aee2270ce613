#!/usr/bin/env python3
"""The three sources of the schema model agree: a database built by running the migrations of
tests/schema/rich/ (every kind of object the model knows), its pg_dump -s output read as a schema
file, and the same migrations replayed by pgsieve must give the same `pgsieve schema dump`.

Also: the catalog source reads sizes (--stats), and a pg_dump file with psql meta-commands
(\\restrict, \\connect) loads.

usage: roundtrip.py PGSIEVE
"""
import difflib
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import Cluster  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RICH = os.path.join(HERE, "rich")


def dump(pgsieve, *args, env=None):
    r = subprocess.run([pgsieve, "schema", "dump"] + list(args), capture_output=True, text=True, env=env,
                       timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"pgsieve schema dump {' '.join(args)} exited {r.returncode}: {r.stderr}")
    if r.stderr.strip():
        print(f"stderr of schema dump {' '.join(args)}: {r.stderr.strip()}")
    return json.loads(r.stdout)


def compare(name_a, a, name_b, b):
    if a == b:
        return True
    ta = json.dumps(a, indent=1, sort_keys=True).splitlines()
    tb = json.dumps(b, indent=1, sort_keys=True).splitlines()
    print(f"FAIL: the model of {name_a} differs from the model of {name_b}:")
    for line in difflib.unified_diff(ta, tb, name_a, name_b, n=4, lineterm=""):
        print("  " + line)
    return False


def main():
    pgsieve = os.path.abspath(sys.argv[1])
    failures = 0
    with Cluster() as pg, tempfile.TemporaryDirectory() as tmp:
        pg.psql("CREATE ROLE reader; CREATE ROLE writer")
        pg.create_from("rich", RICH)
        pg.psql("ANALYZE", dbname="rich")

        live = dump(pgsieve, "--db", pg.dsn("rich"))
        dump_file = os.path.join(tmp, "dump.sql")
        pg.pg_dump(dump_file, dbname="rich")
        from_dump = dump(pgsieve, "--schema", dump_file)
        replayed = dump(pgsieve, RICH)

        # every kind of object is there (a test that compares empty models proves nothing)
        for kind in ("schemas", "extensions", "types", "sequences", "tables", "indexes", "views",
                     "functions", "triggers", "policies"):
            if not live.get(kind):
                print(f"FAIL: the live model has no {kind}")
                failures += 1
        failures += not compare("the database", live, "its pg_dump", from_dump)
        failures += not compare("the database", live, "the migrations replayed", replayed)

        # the same database through the PG* environment variables and a URI
        env_dump = dump(pgsieve, "--db", "", env=pg.env("rich"))
        failures += not compare("the database (--db '')", env_dump, "the database", live)
        uri = f"postgresql://postgres@/rich?host={pg.dir}&port={pg.port}"
        failures += not compare("the database (URI)", dump(pgsieve, "--db", uri), "the database", live)

        # statistics: a table with rows has an estimate and a size
        pg.psql("INSERT INTO app.scratchpad SELECT g::text, 'x', 1 FROM generate_series(1, 5000) g;"
                "ANALYZE app.scratchpad", dbname="rich")
        stats = dump(pgsieve, "--db", pg.dsn("rich"), "--stats")
        st = stats["tables"]["app.scratchpad"]["stats"]
        if not st or st["rows"] != 5000 or st["bytes"] <= 0:
            print(f"FAIL: statistics of app.scratchpad: {st}")
            failures += 1
        seq = stats["sequences"]["app.invoice_numbers"]
        if "last_value" not in seq:
            print("FAIL: sequences have no last_value with --stats")
            failures += 1

        # psql meta-commands in a dump (pg_dump 17.6 and later write \restrict) are skipped
        with open(dump_file) as f:
            text = f.read()
        meta_file = os.path.join(tmp, "meta.sql")
        with open(meta_file, "w") as f:
            f.write("\\restrict abc123\n\\connect rich\n" + text + "\n\\unrestrict abc123\n")
        failures += not compare("a dump with meta-commands", dump(pgsieve, "--schema", meta_file),
                                "the database", live)

    print(f"{'FAILED' if failures else 'passed'}: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
