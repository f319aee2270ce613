#!/usr/bin/env python3
"""Runners for real: migration tools run small projects against a PostgreSQL server this test
starts, and what each tool does (applies, fails, refuses) is compared with what `pgsieve lint`
predicts for the same files, and with what `pgsieve status` reads back from the tool's own
history table. sql-migrate comes from Debian; graphile-migrate from the npm registry (pinned).

Each case is a sql-migrate project of one or two migrations in a fresh database:
- a PL/pgSQL function without StatementBegin/End: sql-migrate cuts it at `RETURN NEW;` and the
  server rejects the first piece; pgsieve reports runner-statement-split at the statement;
- the same function between the markers: applied; pgsieve reports nothing of the kind;
- a last statement without ';' and a StatementBegin never closed: sql-migrate refuses the file;
  pgsieve reports runner-statement-split;
- CREATE INDEX CONCURRENTLY in a migration sql-migrate wraps in a transaction: the server refuses
  it and pgsieve reports not-in-transaction; with `notransaction` it is applied and pgsieve is
  silent about it;
- after the applied cases, `pgsieve status --db` lists as applied exactly what sql-migrate's
  own `status` lists.

graphile-migrate: `graphile-migrate commit` writes committed migrations with their hashes, which
pgsieve must take as intact; a committed body edited afterwards and a broken Previous chain are
reported by pgsieve (migration-graph) where graphile-migrate refuses to migrate a fresh database;
a current/ directory is linted file by file as the pending migration.

Drizzle: drizzle-orm's own migrator (drizzle-orm and pg from the npm registry, pinned) runs a
drizzle-kit project's pending migrations; while the last one runs, the ACCESS EXCLUSIVE lock the
first pending one took is still held by the migrator's backend (pg_locks), as `pgsieve lint
--db` says (slow-statement-under-lock naming that file); a CREATE INDEX CONCURRENTLY migration
makes the migrator fail, as not-in-transaction says.

Skips (exit 77) without the sql-migrate program or a PostgreSQL server, and fails instead when
CI=true (ci/deps.sh installs both). The graphile-migrate part is skipped, with the reason
printed, when npm cannot install it (no registry); so is the Drizzle part.

usage: runners_live.py PGSIEVE
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema"))
from pgcluster import Cluster, SKIP  # noqa: E402

PGSIEVE = os.path.abspath(sys.argv[1])
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def need(cond, why):
    if cond:
        return
    if os.environ.get("CI") == "true":
        print(f"FAIL: {why} (CI=true: ci/deps.sh installs it)")
        sys.exit(1)
    print(f"skip: {why}")
    sys.exit(SKIP)


FUNCTION = """CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.name := lower(NEW.name);
  RETURN NEW;
END;
$$;
"""

CASES = {
    # name: (files, sql-migrate applies everything?, text its failure shows, pgsieve rule, line)
    "cut": ({"1_accounts.sql": "-- +migrate Up\nCREATE TABLE accounts (id bigint PRIMARY KEY, name text);\n\n"
             + FUNCTION + "\n-- +migrate Down\nDROP FUNCTION touch();\nDROP TABLE accounts;\n"},
            False, "unterminated dollar-quoted string", "runner-statement-split", 4),
    "wrapped": ({"1_accounts.sql": "-- +migrate Up\nCREATE TABLE accounts (id bigint PRIMARY KEY, name text);\n\n"
                 "-- +migrate StatementBegin\n" + FUNCTION + "-- +migrate StatementEnd\n\n"
                 "-- +migrate Down\nDROP FUNCTION touch();\nDROP TABLE accounts;\n"},
                True, None, None, None),
    "unfinished": ({"1_accounts.sql": "-- +migrate Up\nCREATE TABLE accounts (id bigint PRIMARY KEY);\n"
                    "CREATE TABLE orders (id bigint PRIMARY KEY)\n\n-- +migrate Down\nDROP TABLE orders;\n"
                    "DROP TABLE accounts;\n"},
                   False, "must be ended by a semicolon", "runner-statement-split", 3),
    "unclosed": ({"1_accounts.sql": "-- +migrate Up\nCREATE TABLE accounts (id bigint PRIMARY KEY, name text);\n"
                  "-- +migrate StatementBegin\n" + FUNCTION},
                 False, "no matching", "runner-statement-split", 3),
    "concurrently-wrapped": ({"1_accounts.sql": "-- +migrate Up\nCREATE TABLE accounts (id bigint PRIMARY KEY, name text);\n"
                              "-- +migrate Down\nDROP TABLE accounts;\n",
                              "2_index.sql": "-- +migrate Up\nCREATE INDEX CONCURRENTLY accounts_name ON accounts (name);\n"
                              "-- +migrate Down\nDROP INDEX CONCURRENTLY accounts_name;\n"},
                             False, "cannot run inside a transaction block", "not-in-transaction", 2),
    "concurrently-notransaction": ({"1_accounts.sql": "-- +migrate Up\nCREATE TABLE accounts (id bigint PRIMARY KEY, name text);\n"
                                    "-- +migrate Down\nDROP TABLE accounts;\n",
                                    "2_index.sql": "-- +migrate Up notransaction\nSET lock_timeout = '5s';\n"
                                    "CREATE INDEX CONCURRENTLY accounts_name ON accounts (name);\n"
                                    "-- +migrate Down notransaction\nDROP INDEX CONCURRENTLY accounts_name;\n"},
                                   True, None, None, None),
}

# rules that say the migration fails (what the runs above can show wrong)
FAILING_RULES = {"runner-statement-split", "not-in-transaction", "syntax-error"}


def lint(project):
    r = subprocess.run([PGSIEVE, "lint", "--no-config", "--format", "json", project], capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise RuntimeError(f"pgsieve lint exited {r.returncode}: {r.stderr}")
    return json.loads(r.stdout)["findings"], r.stderr


GRAPHILE_MIGRATE = "graphile-migrate@1.4.1"


def install_npm(work, what, packages, needed):
    """npm-installs packages under work/what: that prefix's node_modules, or None (the reason
    printed) when npm cannot get them; needed is a path inside node_modules that must exist."""
    if not shutil.which("npm"):
        print(f"skip {what}: npm is not installed")
        return None
    prefix = os.path.join(work, what)
    r = subprocess.run(["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund", *packages],
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, npm_config_update_notifier="false",
                                npm_config_cache=os.path.join(work, "npm-cache")))
    modules = os.path.join(prefix, "node_modules")
    if r.returncode != 0 or not os.path.exists(os.path.join(modules, needed)):
        print(f"skip {what}: npm install {' '.join(packages)} failed: {r.stderr.strip()[-300:]}")
        return None
    return modules


def install_graphile(work):
    """graphile-migrate's bin directory, or None (the reason printed) when npm cannot get it."""
    modules = install_npm(work, "npm", [GRAPHILE_MIGRATE], os.path.join(".bin", "graphile-migrate"))
    return os.path.join(modules, ".bin") if modules else None


def graphile(c, work, bin_dir):
    project = os.path.join(work, "graphile")
    migrations = os.path.join(project, "migrations")
    os.makedirs(migrations)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])

    def gmrc(db):
        url = f"postgres://postgres@/%s?host={c.dir}&port={c.port}"
        with open(os.path.join(project, ".gmrc"), "w") as fh:
            json.dump({"connectionString": url % db, "shadowConnectionString": url % f"{db}_shadow",
                       "rootConnectionString": url % "postgres"}, fh)

    def gm(*args):
        return subprocess.run(["graphile-migrate", *args], cwd=project, capture_output=True, text=True, env=env,
                              timeout=120)

    def graph_findings():
        findings, _ = lint(migrations)
        return [(os.path.basename(f["file"]), f["line"], f["message"]) for f in findings if f["rule"] == "migration-graph"]

    for db in ("gm", "gm_shadow", "gm_fresh", "gm_fresh_shadow"):
        c.psql(f'CREATE DATABASE "{db}"')
    gmrc("gm")
    bodies = ["CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
              "-- the e-mail index\nCREATE INDEX users_email ON users (email);\n\n"]
    for body in bodies:
        with open(os.path.join(migrations, "current.sql"), "w") as fh:
            fh.write(body)
        r = gm("commit")
        check(r.returncode == 0, f"graphile-migrate commit ({(r.stdout + r.stderr).strip()[-200:]})")
    os.remove(os.path.join(migrations, "current.sql"))
    committed = os.path.join(migrations, "committed")
    check(graph_findings() == [], f"graphile: the hashes graphile-migrate wrote are intact to pgsieve ({graph_findings()})")

    # an edit after commit: pgsieve reports it; graphile-migrate refuses a fresh database
    first = os.path.join(committed, "000001.sql")
    with open(first) as fh:
        original = fh.read()
    with open(first, "a") as fh:
        fh.write("ALTER TABLE users ADD COLUMN name text;\n")
    got = graph_findings()
    check([(f, line) for f, line, _ in got] == [("000001.sql", 2)] and "edited after it was committed" in got[0][2],
          f"graphile: an edited committed migration is reported at its Hash line ({got})")
    gmrc("gm_fresh")
    r = gm("migrate")
    check(r.returncode != 0 and "tampered" in r.stdout + r.stderr,
          f"graphile: graphile-migrate refuses it too ({(r.stdout + r.stderr).strip()[-200:]})")
    with open(first, "w") as fh:
        fh.write(original)

    # a third migration chained to the first, as after a merge of two branches
    with open(os.path.join(committed, "000002.sql")) as fh:
        second = fh.read()
    with open(os.path.join(committed, "000003.sql"), "w") as fh:
        fh.write(second.replace("users_email ", "users_email_2 "))
    got = graph_findings()
    check(any(f == "000003.sql" and "Previous" in m for f, _, m in got),
          f"graphile: a Previous line naming the wrong migration is reported ({got})")
    r = gm("migrate")
    check(r.returncode != 0 and "Previous migration with hash" in r.stdout + r.stderr,
          f"graphile: graphile-migrate refuses that too ({(r.stdout + r.stderr).strip()[-200:]})")
    os.remove(os.path.join(committed, "000003.sql"))

    # current/ instead of current.sql: its files, in number order, are the pending migration
    os.makedirs(os.path.join(migrations, "current"))
    for name, body in (("002-email-index.sql", "CREATE INDEX users_email_lower ON users (lower(email));\n"),
                       ("001-name.sql", "ALTER TABLE users ADD COLUMN name text;\n"),
                       ("notes.txt", "not SQL\n")):
        with open(os.path.join(migrations, "current", name), "w") as fh:
            fh.write(body)
    out = subprocess.run([PGSIEVE, "lint", "--no-config", "--format", "json", migrations], capture_output=True, text=True)
    files = [os.path.relpath(f["path"], migrations) for f in json.loads(out.stdout)["files"]]
    check(files[-2:] == ["current/001-name.sql", "current/002-email-index.sql"],
          f"graphile: current/'s files are linted in number order after the committed ones ({files})")
    # graphile-migrate runs the same two files, in that order, as the current migration
    gmrc("gm")
    r = gm("watch", "--once")
    ran = c.psql("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email_lower'", dbname="gm").strip()
    check(r.returncode == 0 and ran == "1",
          f"graphile: graphile-migrate watch --once runs current/ ({(r.stdout + r.stderr).strip()[-200:]})")


DRIZZLE = ["drizzle-orm@0.45.4", "pg@8.23.1"]
# drizzle-orm's migrator as an application calls it (src/db/migrate.ts of a drizzle-kit project)
MIGRATE_JS = """const { Pool } = require("pg");
const { drizzle } = require("drizzle-orm/node-postgres");
const { migrate } = require("drizzle-orm/node-postgres/migrator");
const [host, port, database, folder] = process.argv.slice(2);
const pool = new Pool({ host, port: Number(port), user: "postgres", database });
migrate(drizzle(pool), { migrationsFolder: folder })
  .then(() => pool.end())
  .catch((e) => { console.error(String(e.cause || e.message)); pool.end(); process.exit(1); });
"""
DRIZZLE_FILES = [
    ("0000_curious_lockjaw", 'CREATE TABLE "users" ("id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, '
     '"email" text NOT NULL);\n--> statement-breakpoint\n'
     'INSERT INTO "users" ("email") SELECT \'u\' || g FROM generate_series(1, 1000) g;\n'),
    ("0001_wakeful_stardust", 'ALTER TABLE "users" ADD COLUMN "display_name" text;\n'),
    # the backfill, and a pause standing for the time a large one takes
    ("0002_backfill_display_name", 'UPDATE "users" SET "display_name" = "email" WHERE "display_name" IS NULL;'
     '--> statement-breakpoint\nSELECT pg_sleep(3);\n'),
    ("0003_lean_squadron", 'CREATE INDEX CONCURRENTLY "users_email_idx" ON "users" ("email");\n'),
]


def drizzle_live(c, work, modules):
    """drizzle-orm's migrator runs the pending migrations in one transaction: 0001's ACCESS
    EXCLUSIVE lock on users is still held while 0002 runs, as pgsieve lint --db says; and
    CREATE INDEX CONCURRENTLY fails in it, as not-in-transaction says."""
    project = os.path.join(work, "drizzle-app")
    folder = os.path.join(project, "drizzle")
    os.makedirs(os.path.join(folder, "meta"))
    with open(os.path.join(project, "migrate.js"), "w") as fh:
        fh.write(MIGRATE_JS)
    env = dict(os.environ, NODE_PATH=modules)

    def journal(n):
        entries = [{"idx": i, "version": "7", "when": 1718000000000 + i * 60000, "tag": tag, "breakpoints": True}
                   for i, (tag, _) in enumerate(DRIZZLE_FILES[:n])]
        with open(os.path.join(folder, "meta", "_journal.json"), "w") as fh:
            json.dump({"version": "7", "dialect": "postgresql", "entries": entries}, fh, indent=2)
        for tag, text in DRIZZLE_FILES[:n]:
            with open(os.path.join(folder, tag + ".sql"), "w") as fh:
                fh.write(text)

    def migrate():
        return subprocess.Popen(["node", os.path.join(project, "migrate.js"), c.dir, str(c.port), "dz", folder],
                                cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def lint_db():
        r = subprocess.run([PGSIEVE, "lint", "--no-config", "--format", "json", "--fail-on", "never", "--db",
                            c.dsn("dz"), folder], capture_output=True, text=True)
        return json.loads(r.stdout)["findings"] if r.returncode == 0 else []

    c.psql('CREATE DATABASE "dz"')
    journal(1)
    p = migrate()
    out, err = p.communicate(timeout=60)
    check(p.returncode == 0, f"drizzle: the migrator applies 0000 ({err.strip()[-200:]})")
    # 0001 and 0002 pending: pgsieve says the backfill runs under 0001's lock
    journal(3)
    held = [f for f in lint_db() if f["rule"] == "slow-statement-under-lock"]
    check(len(held) == 1 and held[0]["file"].endswith("0002_backfill_display_name.sql") and
          "at line 1 of " + os.path.join(folder, "0001_wakeful_stardust.sql") in held[0]["message"],
          f"drizzle: pgsieve lint --db reports 0002 under 0001's lock ({[(f['file'], f['message'][:80]) for f in held]})")
    # and the migrator holds it: while 0002's pg_sleep runs, its backend still has 0001's lock
    p = migrate()
    seen = False
    for _ in range(50):
        n = c.psql("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                   "WHERE l.relation = 'users'::regclass AND l.mode = 'AccessExclusiveLock' AND l.granted "
                   "AND a.query LIKE '%pg_sleep(3)%' AND a.pid <> pg_backend_pid()", dbname="dz").strip()
        if n == "1":
            seen = True
            break
        if p.poll() is not None:
            break
        time.sleep(0.1)
    out, err = p.communicate(timeout=60)
    check(p.returncode == 0, f"drizzle: the migrator applies 0001 and 0002 ({err.strip()[-200:]})")
    check(seen, "drizzle: while 0002 runs, the migrator still holds the ACCESS EXCLUSIVE lock 0001 took on users")
    # CREATE INDEX CONCURRENTLY in a Drizzle migration: refused, as pgsieve predicts
    journal(4)
    notx = [f for f in lint_db() if f["rule"] == "not-in-transaction"]
    check([(os.path.basename(f["file"]), f["line"]) for f in notx] == [("0003_lean_squadron.sql", 1)],
          f"drizzle: pgsieve reports not-in-transaction at 0003 ({[(f['file'], f['line']) for f in notx]})")
    p = migrate()
    out, err = p.communicate(timeout=60)
    check(p.returncode != 0 and "cannot run inside a transaction block" in err,
          f"drizzle: the migrator fails on it ({err.strip()[-200:]})")
    rows = c.psql('SELECT count(*) FROM drizzle.__drizzle_migrations', dbname="dz").strip()
    check(rows == "3", f"drizzle: its history has the three migrations that ran ({rows})")


def main():
    need(shutil.which("sql-migrate"), "the sql-migrate program is not installed (apt-get install sql-migrate)")
    work = tempfile.mkdtemp(prefix="pgsieve-runners-")
    try:
        bin_dir = install_graphile(work)
        drizzle_modules = install_npm(work, "npm-drizzle", DRIZZLE, os.path.join("drizzle-orm", "package.json"))
        with Cluster() as c:
            if bin_dir:
                graphile(c, work, bin_dir)
            if drizzle_modules:
                drizzle_live(c, work, drizzle_modules)
            for i, (name, (files, applies, failure, rule, line)) in enumerate(CASES.items()):
                db = f"case{i}"
                c.psql(f'CREATE DATABASE "{db}"')
                project = os.path.join(work, name)
                os.makedirs(os.path.join(project, "migrations"))
                for f, text in files.items():
                    with open(os.path.join(project, "migrations", f), "w") as fh:
                        fh.write(text)
                with open(os.path.join(project, "dbconfig.yml"), "w") as fh:
                    fh.write(f"development:\n  dialect: postgres\n  datasource: host={c.dir} port={c.port} "
                             f"user=postgres dbname={db} sslmode=disable\n  dir: migrations\n")
                findings, stderr = lint(os.path.join(project, "migrations"))
                fails = [f for f in findings if f["rule"] in FAILING_RULES]
                run = subprocess.run(["sql-migrate", "up"], cwd=project, capture_output=True, text=True, timeout=60)
                out = run.stdout + run.stderr
                if applies:
                    check(run.returncode == 0, f"{name}: sql-migrate applies it ({out.strip()[:200]})")
                    check(not fails, f"{name}: pgsieve predicts no failure ({[(f['rule'], f['line']) for f in fails]})")
                    # what sql-migrate recorded, read back by pgsieve status
                    st = subprocess.run([PGSIEVE, "status", "--format", "json", "--db", c.dsn(db),
                                         os.path.join(project, "migrations")], capture_output=True, text=True)
                    check(st.returncode == 0, f"{name}: pgsieve status runs ({st.stderr.strip()[:200]})")
                    if st.returncode == 0:
                        migs = [m for s in json.loads(st.stdout)["sets"] for m in s["migrations"]]
                        states = {os.path.basename(m["path"] or m["id"]): m["state"] for m in migs}
                        check(all(states.get(f) == "applied" for f in files),
                              f"{name}: pgsieve status reads every migration as applied ({states})")
                        listed = subprocess.run(["sql-migrate", "status"], cwd=project, capture_output=True, text=True)
                        check(all(f in listed.stdout for f in files) and "no" not in listed.stdout.lower().split(),
                              f"{name}: sql-migrate status agrees ({listed.stdout.strip()[:300]})")
                else:
                    check(run.returncode != 0 and failure in out,
                          f"{name}: sql-migrate fails with '{failure}' ({out.strip()[:200]})")
                    hit = [f for f in fails if f["rule"] == rule and f["line"] == line]
                    check(bool(hit), f"{name}: pgsieve reports {rule} at line {line} "
                          f"({[(f['rule'], f['line']) for f in findings]})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("all checks passed")


main()
