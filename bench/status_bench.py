#!/usr/bin/env python3
"""Times `pgsieve status` and `pgsieve lint --db` on the real corpora with a history table that
records every migration as applied (Flyway: dhis2's 345 scripts with their CRC-32 checksums;
Prisma: documenso's 163 migrations with their SHA-256), against a throwaway server
(tests/schema/pgcluster.py). Prints the median wall time of RUNS runs of each command.

usage: bench/status_bench.py PGSIEVE CORPORA_DIR [RUNS]
"""
import hashlib
import os
import re
import statistics
import subprocess
import sys
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "schema"))
from pgcluster import Cluster  # noqa: E402


def flyway_checksum(data):
    crc = 0
    text = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    for i, line in enumerate(text.split("\n")):
        if i == 0 and line.startswith("\ufeff"):
            line = line[1:]
        crc = zlib.crc32(line.encode("utf-8"), crc)
    return crc - (1 << 32) if crc >= 1 << 31 else crc


def median_time(cmd, runs):
    times = []
    for _ in range(runs):
        t = time.monotonic()
        r = subprocess.run(cmd, capture_output=True)
        times.append(time.monotonic() - t)
        if r.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.decode()[:300]}")
    return statistics.median(times)


def main():
    pgsieve, corpora = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    flyway = os.path.join(corpora, "flyway-dhis2")
    prisma = os.path.join(corpora, "prisma-documenso")
    with Cluster() as pg:
        pg.psql("CREATE DATABASE fly")
        pg.psql('CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version VARCHAR(50), '
                'description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, '
                'checksum INT, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT now(), '
                'execution_time INT NOT NULL, success BOOLEAN NOT NULL)', dbname="fly")
        rows = []
        for root, _, files in os.walk(flyway):
            for f in files:
                m = re.match(r"V([0-9_.]+)__(.*)\.sql$", f)
                if not m:
                    continue
                with open(os.path.join(root, f), "rb") as fh:
                    sum_ = flyway_checksum(fh.read())
                rows.append((m.group(1).replace("_", "."), m.group(2).replace("_", " ").replace("'", "''"), f, sum_))
        values = ", ".join(f"({i + 1}, '{v}', '{d}', 'SQL', '{s}', {c}, 'postgres', now(), 1, true)"
                           for i, (v, d, s, c) in enumerate(rows))
        pg.psql("INSERT INTO flyway_schema_history VALUES " + values, dbname="fly")
        pg.psql("CREATE DATABASE prisma")
        pg.psql("CREATE TABLE _prisma_migrations (id VARCHAR(36) PRIMARY KEY, checksum VARCHAR(64) NOT NULL, "
                "finished_at TIMESTAMPTZ, migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at "
                "TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL "
                "DEFAULT 0)", dbname="prisma")
        prows = []
        for root, _, files in os.walk(prisma):
            if "migration.sql" in files:
                with open(os.path.join(root, "migration.sql"), "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
                name = os.path.basename(root)
                prows.append(f"('{len(prows)}', '{digest}', now(), '{name}', 1)")
        pg.psql("INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) "
                "VALUES " + ", ".join(prows), dbname="prisma")
        pg.psql("CREATE DATABASE empty")
        print(f"flyway-dhis2: {len(rows)} history rows; prisma-documenso: {len(prows)}; {runs} runs each, median")
        cases = [
            ("status, flyway-dhis2, all applied", [pgsieve, "status", "--db", pg.dsn("fly"), flyway]),
            ("status --format json, flyway-dhis2", [pgsieve, "status", "--format", "json", "--db", pg.dsn("fly"),
                                                   flyway]),
            ("status, prisma-documenso, all applied", [pgsieve, "status", "--db", pg.dsn("prisma"), prisma]),
            ("lint --db, flyway-dhis2, all applied (skipped)", [pgsieve, "lint", "--no-config", "--fail-on",
                                                               "never", "--db", pg.dsn("fly"), flyway]),
            ("lint --db, flyway-dhis2, no history table (all linted)", [pgsieve, "lint", "--no-config",
                                                                       "--fail-on", "never", "--db",
                                                                       pg.dsn("empty"), flyway]),
            ("lint, flyway-dhis2, no database", [pgsieve, "lint", "--no-config", "--fail-on", "never", flyway]),
        ]
        for name, cmd in cases:
            print(f"{median_time(cmd, runs):7.3f} s  {name}")


if __name__ == "__main__":
    main()
