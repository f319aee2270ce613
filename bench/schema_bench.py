#!/usr/bin/env python3
"""Benchmark of the schema sources (issue 5): introspecting a live database of 10,000 tables,
loading the same schema as a schema file, and loading Lago's structure.sql.

What it does:
  1. writes the schema bench/schema_gen.py generates (10,000 tables, 50,000 columns, 20,000
     indexes by default) into --workdir, once;
  2. starts a throwaway PostgreSQL server (tests/schema/pgcluster.py: initdb + pg_ctl in a
     temporary directory, unix socket only, removed at the end), loads the schema into it with
     psql -f, runs VACUUM ANALYZE and a CHECKPOINT, turns autovacuum off (on that throwaway
     server only), and checks the counts. The cluster is made anew on every
     run of the script rather than cached: initdb and loading take about 10 s, a cached data
     directory would tie the benchmark to one server version and to whatever was left in it;
  3. times whole pgsieve processes, --runs times after one warm-up (bench/timing.py), and prints
     the median, minimum and maximum wall seconds, CPU seconds and peak memory:
        pgsieve schema dump --db DSN --format json
        pgsieve schema dump --schema FILE --format json        (the same schema)
        pgsieve schema dump --schema LAGO --format json
  4. prints where the time goes: every run has PGSIEVE_TIMING=1, with which pgsieve prints the
     time of each phase on stderr ("pgsieve: timing: query: reading tables 0.123 s"); the table
     gives the median of each area (query: the catalog queries, the connection included; parse;
     apply: the model; output: the JSON; ...) and, with --phases, of each phase.

usage: bench/schema_bench.py [--pgsieve build/pgsieve] [--runs 5] [--workdir build-bench]
                             [--tables 10000] [--lago PATH] [--phases] [--no-db]

The targets (issue 5, a 2-core machine): the database under 2 s, Lago under 0.3 s. The script
reports; it does not judge, and it is not part of `meson test`. Timing `pgsieve diff` of two
big models belongs here too: add a case to cases() once the command exists.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "schema"))
from timing import bench, common_arguments, machine  # noqa: E402

LAGO = os.path.join(ROOT, "..", "shared", "corpora", "dump-lago-structure", "db", "structure.sql")
PHASE = re.compile(r"^pgsieve: timing: (\S+): (.*) ([0-9.]+) s$")


def generate(workdir, tables):
    path = os.path.join(workdir, "schema-%d.sql" % tables)
    if not os.path.exists(path):
        os.makedirs(workdir, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(HERE, "schema_gen.py"), "--tables", str(tables),
                        "--output", path + ".tmp"], check=True)
        os.rename(path + ".tmp", path)
    return path


def phases(errs):
    """The median seconds of each area and of each phase over the runs' stderr texts."""
    areas, each = {}, {}
    for err in errs:
        run_areas, run_each = {}, {}
        for line in err.splitlines():
            m = PHASE.match(line)
            if m:
                area, what, secs = m.group(1), m.group(2), float(m.group(3))
                # numbers in labels ("21010 statements") are the same in every run
                run_areas[area] = run_areas.get(area, 0.0) + secs
                key = area + ": " + what
                run_each[key] = run_each.get(key, 0.0) + secs
        for k, v in run_areas.items():
            areas.setdefault(k, []).append(v)
        for k, v in run_each.items():
            each.setdefault(k, []).append(v)
    med = lambda d: {k: statistics.median(v) for k, v in d.items()}  # noqa: E731
    return med(areas), med(each)


def report(label, cmd, runs, show_phases):
    env = dict(os.environ, PGSIEVE_TIMING="1")
    walls, rsss, cpus, errs = bench(cmd, runs, ok=(0,), env=env)
    print("%-34s %8.3f %8.3f %8.3f %8.3f %9.1f" %
          (label[-34:], statistics.median(walls), min(walls), max(walls), statistics.median(cpus),
           statistics.median(rsss) / 2**20), flush=True)
    areas, each = phases(errs)
    print("%-34s %s" % ("", "  ".join("%s %.3f" % (k, v) for k, v in areas.items())))
    if show_phases:
        for k, v in each.items():
            print("%-34s   %-52s %8.4f" % ("", k[:52], v))
    print("%-34s   command: %s" % ("", " ".join(cmd)))


def count_objects(cluster):
    out = cluster.psql(
        "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        "  WHERE c.relkind = 'r' AND n.nspname ~ '^s[0-9]'),"
        " (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        "  JOIN pg_namespace n ON n.oid = c.relnamespace"
        "  WHERE c.relkind = 'r' AND n.nspname ~ '^s[0-9]' AND a.attnum > 0 AND NOT a.attisdropped),"
        " (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        "  WHERE c.relkind = 'i' AND n.nspname ~ '^s[0-9]'),"
        " current_setting('server_version')")
    return out.strip().split("|")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    common_arguments(ap, ROOT, runs=5)
    ap.add_argument("--tables", type=int, default=10000)
    ap.add_argument("--lago", default=LAGO, help="Lago's structure.sql (../shared/corpora)")
    ap.add_argument("--phases", action="store_true", help="print every phase, not only the areas")
    ap.add_argument("--no-db", action="store_true", help="time only the schema files (no server)")
    args = ap.parse_args()
    pgsieve = os.path.abspath(args.pgsieve)
    schema = generate(args.workdir, args.tables)

    print("machine: " + machine())
    out = subprocess.run([pgsieve, "--version"], capture_output=True, text=True)
    print("pgsieve: %s (%s)" % (out.stdout.strip(), pgsieve))
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    print("commit: %s" % (commit.stdout.strip() or "unknown"))
    print("runs: %d after one warm-up; median, min and max wall seconds of the whole process, median "
          "CPU seconds (user + system) and median peak RSS; below each, the median seconds per area "
          "from PGSIEVE_TIMING=1\n" % args.runs)
    print("%-34s %8s %8s %8s %8s %9s" % ("source", "median", "min", "max", "cpu", "peak MiB"))

    if not args.no_db:
        from pgcluster import Cluster
        with Cluster() as cluster:
            cluster.psql(file=schema)
            # a quiet server: statistics in place, the load checkpointed, no autovacuum
            # worker starting in the middle of the runs
            cluster.psql("VACUUM ANALYZE")
            cluster.psql("ALTER SYSTEM SET autovacuum = off")
            cluster.psql("SELECT pg_reload_conf()")
            cluster.psql("CHECKPOINT")
            tables, columns, indexes, version = count_objects(cluster)
            report("database: %s tables" % tables,
                   [pgsieve, "schema", "dump", "--db", cluster.dsn(), "--format", "json"], args.runs, args.phases)
            print("%-34s   (PostgreSQL %s: %s tables, %s columns, %s indexes)" % ("", version, tables, columns, indexes))
    report("schema file: %d tables" % args.tables,
           [pgsieve, "schema", "dump", "--schema", schema, "--format", "json"], args.runs, args.phases)
    if os.path.exists(args.lago):
        report("schema file: lago structure.sql",
               [pgsieve, "schema", "dump", "--schema", os.path.abspath(args.lago), "--format", "json"],
               args.runs, args.phases)
    else:
        print("(lago not found at %s: skipped)" % args.lago)


if __name__ == "__main__":
    main()
