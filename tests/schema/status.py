#!/usr/bin/env python3
"""Migration status against a real database (`pgsieve status`, and `pgsieve lint --db` skipping
what is applied), one database per framework on a server this test starts:

- each framework's history table is created as the tool creates it: Alembic by running the real
  `alembic upgrade` (python3-alembic, psycopg2); the others with the DDL the tool uses (from its
  source) and rows as the tool writes them; the migrations recorded as applied are really run,
  so that linting them again would report unknown-object;
- the checksums stored (Flyway's CRC-32 of the lines, Prisma's SHA-256, Sqitch's SHA-1) are
  computed here with zlib and hashlib, a second implementation the C code is checked against;
- applied / pending / failed (golang-migrate dirty, Flyway success = false, Prisma unfinished) /
  modified / missing-file, text and JSON, --exit-code, --history-table and a history table in
  another schema on the search_path;
- lint --db lints only the pending migrations, says how many it skipped, and reports
  modified-applied-migration at line 1 of an edited applied file;
- no history table, a refused connection (the password never printed), bad arguments;
- the history tables are unchanged afterwards.

usage: status.py PGSIEVE
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import Cluster  # noqa: E402

failures = 0
PGSIEVE = None


def check(name, ok, detail=""):
    global failures
    if not ok:
        failures += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


def run(args, env=None):
    return subprocess.run([PGSIEVE] + args, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **(env or {})))


def status(path, dsn, extra=(), env=None, want_rc=0):
    r = run(["status", "--format", "json", "--db", dsn] + list(extra) + [path], env)
    check(f"status {path} {' '.join(extra)} exits {want_rc}", r.returncode == want_rc,
          f"exit {r.returncode}: {r.stderr}")
    try:
        return json.loads(r.stdout)
    except ValueError:
        check(f"status {path}: JSON", False, r.stdout[:300] + r.stderr)
        return {"sets": [{"migrations": [], "summary": {}}]}


def states(doc):
    """{id: state} of the first set."""
    return {m["id"]: m["state"] for m in doc["sets"][0]["migrations"]}


def by_id(doc, ident):
    for m in doc["sets"][0]["migrations"]:
        if m["id"] == ident:
            return m
    return None


def lint(path, dsn, extra=(), env=None):
    r = run(["lint", "--no-config", "--format", "json", "--fail-on", "never", "--db", dsn] + list(extra) + [path],
            env)
    check(f"lint --db {path} exits 0", r.returncode == 0, f"exit {r.returncode}: {r.stderr}")
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {"findings": [], "files": [], "summary": {}}


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


# ---- the checksums, as each tool computes them (second implementation) ----

def flyway_checksum(data):
    """java.util.zip.CRC32 over each line's UTF-8 bytes as BufferedReader.readLine() returns them
    (\\r\\n, \\r and \\n end lines), a BOM dropped from the first line; stored as a Java int."""
    text = data.decode("utf-8")
    crc = 0
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for i, line in enumerate(lines):
        if i == 0 and line.startswith("\ufeff"):
            line = line[1:]
        crc = zlib.crc32(line.encode("utf-8"), crc)
    return crc - (1 << 32) if crc >= 1 << 31 else crc


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def sha1(data):
    return hashlib.sha1(data).hexdigest()


def create_db(pg, name, sql=""):
    pg.psql(f"CREATE DATABASE {name}")
    if sql:
        pg.psql(sql, dbname=name)
    return pg.dsn(name)


def apply_files(pg, db, paths):
    for p in paths:
        pg.psql(file=p, dbname=db)


# ---- golang-migrate ----

def test_golang_migrate(pg, tmp):
    d = os.path.join(tmp, "gm")
    write(f"{d}/000001_accounts.up.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n")
    write(f"{d}/000001_accounts.down.sql", "DROP TABLE accounts;\n")
    write(f"{d}/000002_orders.up.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint);\n")
    write(f"{d}/000002_orders.down.sql", "DROP TABLE orders;\n")
    write(f"{d}/000003_orders_index.up.sql", "CREATE INDEX orders_account_idx ON orders (account_id);\n")
    write(f"{d}/000003_orders_index.down.sql", "DROP INDEX orders_account_idx;\n")
    # golang-migrate's postgres driver: CREATE TABLE IF NOT EXISTS <table> (version bigint not null
    # primary key, dirty boolean not null); SetVersion truncates it and inserts one row
    dsn = create_db(pg, "gm", "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, "
                              "dirty boolean not null)")
    apply_files(pg, "gm", [f"{d}/000001_accounts.up.sql", f"{d}/000002_orders.up.sql"])
    pg.psql("TRUNCATE schema_migrations; INSERT INTO schema_migrations (version, dirty) VALUES (2, false)", dbname="gm")

    doc = status(d, dsn)
    check("golang-migrate: states", states(doc) == {"000001": "applied", "000002": "applied", "000003": "pending"},
          states(doc))
    s = doc["sets"][0]
    check("golang-migrate: framework and table", s["framework"] == "golang-migrate" and
          s["history_table"] == "public.schema_migrations" and s["history_found"] is True, s)
    check("golang-migrate: summary", s["summary"] == {"pending": 1, "applied": 2, "failed": 0, "modified": 0,
                                                      "missing_file": 0}, s["summary"])
    status(d, dsn, ["--exit-code"], want_rc=1)

    text = run(["status", "--db", dsn, d])
    check("golang-migrate: text lists each migration", "applied      000001" in text.stdout and
          "pending      000003" in text.stdout and "2 applied, 1 pending" in text.stdout, text.stdout)

    # lint --db: the applied migrations are in the database already; only 3 is linted
    out = lint(d, dsn)
    rules = {(os.path.basename(f["file"]), f["rule"]) for f in out["findings"]}
    check("golang-migrate: lint --db reports no unknown-object for applied migrations",
          not any(r == "unknown-object" for _, r in rules), rules)
    check("golang-migrate: lint --db lints the pending one against the live model",
          ("000003_orders_index.up.sql", "create-index-blocking") in rules, rules)
    files = {os.path.basename(f["path"]) for f in out["files"]}
    check("golang-migrate: applied files are not linted", "000001_accounts.up.sql" not in files and
          "000002_orders.down.sql" not in files and "000003_orders_index.up.sql" in files, files)
    check("golang-migrate: the summary says how many were skipped", out["summary"].get("skipped_applied") == 2,
          out["summary"])
    r = run(["lint", "--no-config", "--fail-on", "never", "--db", dsn, d])
    check("golang-migrate: the text report says how many were skipped",
          "2 migrations skipped as applied in the database" in r.stdout, r.stdout)

    # dirty: migration 3 failed half-way
    apply_files(pg, "gm", [f"{d}/000003_orders_index.up.sql"])
    pg.psql("TRUNCATE schema_migrations; INSERT INTO schema_migrations VALUES (3, true)", dbname="gm")
    doc = status(d, dsn)
    m = by_id(doc, "000003")
    check("golang-migrate: dirty is failed", m and m["state"] == "failed" and "dirty" in (m["detail"] or ""), m)
    status(d, dsn, ["--exit-code"], want_rc=1)
    out = lint(d, dsn)
    check("golang-migrate: the dirty migration is linted again", any(
        os.path.basename(f["path"]) == "000003_orders_index.up.sql" for f in out["files"]), out["files"])

    # a version the directory does not have
    pg.psql("TRUNCATE schema_migrations; INSERT INTO schema_migrations VALUES (7, false)", dbname="gm")
    doc = status(d, dsn)
    check("golang-migrate: a version without a file is missing-file",
          states(doc).get("7") == "missing-file" and doc["sets"][0]["summary"]["applied"] == 3, states(doc))
    status(d, dsn, ["--exit-code"], want_rc=0)  # everything on disk is applied
    pg.psql("TRUNCATE schema_migrations; INSERT INTO schema_migrations VALUES (3, false)", dbname="gm")
    status(d, dsn, ["--exit-code"], want_rc=0)
    return d, dsn


# ---- dbmate ----

def test_dbmate(pg, tmp):
    d = os.path.join(tmp, "dbmate")
    write(f"{d}/20240101000000_accounts.sql",
          "-- migrate:up\nCREATE TABLE accounts (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE accounts;\n")
    write(f"{d}/20240102000000_orders.sql",
          "-- migrate:up\nCREATE TABLE orders (id bigint PRIMARY KEY, n int);\n\n-- migrate:down\nDROP TABLE orders;\n")
    write(f"{d}/20240103000000_orders_n.sql",
          "-- migrate:up\nALTER TABLE orders ALTER COLUMN n SET NOT NULL;\n\n-- migrate:down\n"
          "ALTER TABLE orders ALTER COLUMN n DROP NOT NULL;\n")
    # dbmate's postgres driver: create table if not exists <table> (version varchar(128) primary key)
    dsn = create_db(pg, "dbm", "create table if not exists schema_migrations (version varchar(128) primary key);"
                               "CREATE TABLE accounts (id bigint PRIMARY KEY);"
                               "CREATE TABLE orders (id bigint PRIMARY KEY, n int);"
                               "insert into schema_migrations (version) values ('20240101000000'), "
                               "('20240102000000'), ('20231231000000')")
    doc = status(d, dsn)
    check("dbmate: states", states(doc) == {"20240101000000": "applied", "20240102000000": "applied",
                                            "20240103000000": "pending", "20231231000000": "missing-file"},
          states(doc))
    out = lint(d, dsn)
    rules = {(os.path.basename(f["file"]), f["rule"]) for f in out["findings"]}
    check("dbmate: only the pending migration is linted", {f for f, _ in rules} == {"20240103000000_orders_n.sql"},
          rules)
    check("dbmate: it is linted against the live table", ("20240103000000_orders_n.sql", "set-not-null-blocking")
          in rules, rules)


# ---- Flyway ----

FLYWAY_DDL = """CREATE TABLE {q}."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INT,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INT NOT NULL,
    "success" BOOLEAN NOT NULL,
    CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank")
);
CREATE INDEX "flyway_schema_history_s_idx" ON {q}."flyway_schema_history" ("success");
"""


def flyway_row(rank, version, description, script, checksum, success=True, type_="SQL"):
    v = "NULL" if version is None else f"'{version}'"
    c = "NULL" if checksum is None else str(checksum)
    return (f"({rank}, {v}, '{description}', '{type_}', '{script}', {c}, 'postgres', now(), 12, "
            f"{'true' if success else 'false'})")


def test_flyway(pg, tmp):
    d = os.path.join(tmp, "flyway")
    # V1 with a byte order mark and CRLF line ends: Flyway's checksum ignores both
    write(f"{d}/V1__accounts.sql", "\ufeff-- accounts\r\nCREATE TABLE accounts (id bigint PRIMARY KEY);\r\n",
          "w")
    write(f"{d}/V1_1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint);\n")
    write(f"{d}/V2__orders_note.sql", "ALTER TABLE orders ADD COLUMN note text;\n")
    write(f"{d}/V3__orders_index.sql", "CREATE INDEX orders_account_idx ON orders (account_id);\n")
    write(f"{d}/R__order_totals.sql", "CREATE OR REPLACE VIEW order_totals AS SELECT count(*) AS n FROM orders;\n")
    sums = {n: flyway_checksum(read_bytes(f"{d}/{n}")) for n in os.listdir(d)}
    check("flyway: the BOM and CRLF do not count", sums["V1__accounts.sql"] ==
          flyway_checksum(b"-- accounts\nCREATE TABLE accounts (id bigint PRIMARY KEY);\n"))
    # the history lives in schema app, which is first on the database's search_path
    # (the tables in public: the model's search_path is "$user", public whatever the database says)
    dsn = create_db(pg, "fly", "CREATE SCHEMA app;" + FLYWAY_DDL.format(q='"app"'))
    apply_files(pg, "fly", [f"{d}/V1__accounts.sql", f"{d}/V1_1__orders.sql", f"{d}/V2__orders_note.sql",
                            f"{d}/R__order_totals.sql"])
    pg.psql("ALTER DATABASE fly SET search_path = app, public")
    rows = [flyway_row(1, None, "<< Flyway Schema Creation >>", '"app"', None, type_="SCHEMA"),
            flyway_row(2, "1", "accounts", "V1__accounts.sql", sums["V1__accounts.sql"]),
            flyway_row(3, "1.1", "orders", "V1_1__orders.sql", sums["V1_1__orders.sql"]),
            flyway_row(4, "2", "orders note", "V2__orders_note.sql", sums["V2__orders_note.sql"]),
            flyway_row(5, None, "order totals", "R__order_totals.sql", sums["R__order_totals.sql"])]
    pg.psql('INSERT INTO app.flyway_schema_history VALUES ' + ", ".join(rows), dbname="fly")

    doc = status(d, dsn)
    st = {m["path"] and os.path.basename(m["path"]): m["state"] for m in doc["sets"][0]["migrations"]}
    check("flyway: states", st == {"V1__accounts.sql": "applied", "V1_1__orders.sql": "applied",
                                   "V2__orders_note.sql": "applied", "V3__orders_index.sql": "pending",
                                   "R__order_totals.sql": "applied"}, st)
    check("flyway: found on the search_path", doc["sets"][0]["history_table"] == "app.flyway_schema_history",
          doc["sets"][0]["history_table"])

    # an applied migration edited afterwards, a repeatable one changed
    write(f"{d}/V2__orders_note.sql", "ALTER TABLE orders ADD COLUMN note text NOT NULL DEFAULT '';\n")
    write(f"{d}/R__order_totals.sql", "CREATE OR REPLACE VIEW order_totals AS SELECT count(*) AS n, 1 AS x FROM orders;\n")
    doc = status(d, dsn, ["--exit-code"], want_rc=1)
    m = by_id(doc, "2")
    new_sum = flyway_checksum(read_bytes(f"{d}/V2__orders_note.sql"))
    check("flyway: an edited applied migration is modified", m and m["state"] == "modified" and
          m["stored_checksum"] == str(sums["V2__orders_note.sql"]) and m["file_checksum"] == str(new_sum), m)
    r = [x for x in doc["sets"][0]["migrations"] if x["repeatable"]]
    check("flyway: a changed repeatable migration is pending, not modified",
          len(r) == 1 and r[0]["state"] == "pending" and "runs it again" in (r[0]["detail"] or ""), r)

    out = lint(d, dsn)
    mods = [f for f in out["findings"] if f["rule"] == "modified-applied-migration"]
    check("flyway: lint --db reports modified-applied-migration once, at line 1 of V2",
          len(mods) == 1 and os.path.basename(mods[0]["file"]) == "V2__orders_note.sql" and mods[0]["line"] == 1
          and mods[0]["severity"] == "warning" and "never runs it again" in mods[0]["message"], mods)
    linted = {os.path.basename(f["path"]) for f in out["files"] if f["statements"]}
    check("flyway: lint --db lints the pending and the changed repeatable migration only",
          linted == {"V3__orders_index.sql", "R__order_totals.sql"}, linted)
    check("flyway: no unknown-object", not [f for f in out["findings"] if f["rule"] == "unknown-object"],
          [f["message"] for f in out["findings"] if f["rule"] == "unknown-object"])
    check("flyway: 3 skipped", out["summary"].get("skipped_applied") == 3, out["summary"])
    r = run(["lint", "--no-config", "--fail-on", "never", "--ignore", "modified-applied-migration", "--db", dsn, d])
    check("flyway: the rule can be switched off", "modified-applied-migration" not in r.stdout, r.stdout)

    # a failed run of V3
    pg.psql("INSERT INTO app.flyway_schema_history VALUES " +
            flyway_row(6, "3", "orders index", "V3__orders_index.sql", sums["V3__orders_index.sql"], success=False),
            dbname="fly")
    m = by_id(status(d, dsn), "3")
    check("flyway: success = false is failed", m and m["state"] == "failed", m)

    # --history-table: the same table named explicitly, from a database whose path lacks app
    pg.psql("ALTER DATABASE fly RESET search_path")
    doc = status(d, dsn)
    check("flyway: not on the search_path, no history table", doc["sets"][0]["history_found"] is False and
          set(states(doc).values()) == {"pending"}, doc["sets"][0])
    doc = status(d, dsn, ["--history-table", "app.flyway_schema_history"])
    check("flyway: --history-table", doc["sets"][0]["history_found"] is True and
          by_id(doc, "1")["state"] == "applied", doc["sets"][0]["history_table"])

    # Flyway scans its locations recursively: one history for several directories, which pgsieve
    # reads as sets of their own; a row is missing only when no directory has its migration
    d2 = os.path.join(tmp, "flyway-tree")
    write(f"{d2}/2.40/V2_40_1__a.sql", "SELECT 1;\n")
    write(f"{d2}/2.41/V2_41_1__b.sql", "SELECT 2;\n")
    dsn2 = create_db(pg, "flytree", FLYWAY_DDL.format(q='"public"'))
    pg.psql("INSERT INTO flyway_schema_history VALUES " + ", ".join([
        flyway_row(1, "2.40.1", "a", "V2_40_1__a.sql", flyway_checksum(b"SELECT 1;\n")),
        flyway_row(2, "2.41.1", "b", "V2_41_1__b.sql", flyway_checksum(b"SELECT 2;\n")),
        flyway_row(3, "2.42.1", "c", "V2_42_1__c.sql", 5)]), dbname="flytree")
    doc = status(d2, dsn2)
    got = sorted((os.path.basename(s["dir"]), m["id"], m["state"]) for s in doc["sets"] for m in s["migrations"])
    check("flyway: one history over several directories", got == [
        ("2.40", "2.40.1", "applied"), ("2.40", "2.42.1", "missing-file"), ("2.41", "2.41.1", "applied")], got)
    return d, dsn


# ---- Prisma ----

PRISMA_DDL = """CREATE TABLE "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);"""


def test_prisma(pg, tmp):
    d = os.path.join(tmp, "prisma", "migrations")
    write(f"{d}/migration_lock.toml", 'provider = "postgresql"\n')
    names = ["20240101000000_init", "20240102000000_orders", "20240103000000_note", "20240104000000_index"]
    write(f"{d}/{names[0]}/migration.sql", "-- CreateTable\nCREATE TABLE \"User\" (\"id\" SERIAL PRIMARY KEY);\n")
    write(f"{d}/{names[1]}/migration.sql", "CREATE TABLE \"Order\" (\"id\" SERIAL PRIMARY KEY, \"userId\" INT);\n")
    write(f"{d}/{names[2]}/migration.sql", "ALTER TABLE \"Order\" ADD COLUMN \"note\" TEXT;\n")
    write(f"{d}/{names[3]}/migration.sql", "CREATE INDEX \"Order_userId_idx\" ON \"Order\"(\"userId\");\n")
    dsn = create_db(pg, "prisma", PRISMA_DDL)
    apply_files(pg, "prisma", [f"{d}/{n}/migration.sql" for n in names[:3]])
    sums = {n: sha256(read_bytes(f"{d}/{n}/migration.sql")) for n in names}
    pg.psql("INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES "
            f"('a1', '{sums[names[0]]}', now(), '{names[0]}', 1), "
            f"('a2', '{sums[names[1]]}', now(), '{names[1]}', 1), "
            f"('a3', '{sums[names[2]]}', now(), '{names[2]}', 1), "
            f"('a4', '{sums[names[3]]}', NULL, '{names[3]}', 0)", dbname="prisma")
    # git converted the first file's line ends to CRLF: Prisma still matches it
    write(f"{d}/{names[0]}/migration.sql", read_bytes(f"{d}/{names[0]}/migration.sql").replace(b"\n", b"\r\n"), "wb")
    doc = status(d, dsn)
    check("prisma: states", states(doc) == {names[0]: "applied", names[1]: "applied", names[2]: "applied",
                                            names[3]: "failed"}, states(doc))
    write(f"{d}/{names[2]}/migration.sql", "ALTER TABLE \"Order\" ADD COLUMN \"note\" TEXT NOT NULL DEFAULT '';\n")
    doc = status(d, dsn, ["--exit-code"], want_rc=1)
    m = by_id(doc, names[2])
    check("prisma: an edited applied migration is modified", m and m["state"] == "modified" and
          m["stored_checksum"] == sums[names[2]] and
          m["file_checksum"] == sha256(read_bytes(f"{d}/{names[2]}/migration.sql")), m)
    out = lint(d, dsn)
    mods = [(os.path.basename(os.path.dirname(f["file"])), f["line"]) for f in out["findings"]
            if f["rule"] == "modified-applied-migration"]
    check("prisma: modified-applied-migration at line 1", mods == [(names[2], 1)], mods)
    check("prisma: the failed migration is linted again", {os.path.basename(os.path.dirname(f["path"]))
                                                          for f in out["files"] if f["statements"]} == {names[3]},
          out["files"])
    # rolled back: pending again
    pg.psql(f"UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = 'a4'", dbname="prisma")
    check("prisma: rolled back is pending", states(status(d, dsn))[names[3]] == "pending")
    return d, dsn


# ---- Diesel ----

def test_diesel(pg, tmp):
    d = os.path.join(tmp, "diesel", "migrations")
    write(f"{d}/2024-01-01-000000_create_users/up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n")
    write(f"{d}/2024-01-01-000000_create_users/down.sql", "DROP TABLE users;\n")
    write(f"{d}/2024-02-01-000000_users_name/up.sql", "ALTER TABLE users ADD COLUMN name varchar(10);\n")
    write(f"{d}/2024-02-01-000000_users_name/down.sql", "ALTER TABLE users DROP COLUMN name;\n")
    # diesel_migrations: CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50)
    # PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)
    dsn = create_db(pg, "diesel", "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) "
                                  "PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);"
                                  "CREATE TABLE users (id bigint PRIMARY KEY);"
                                  "INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000000')")
    doc = status(d, dsn)
    check("diesel: states", states(doc) == {"20240101000000": "applied", "20240201000000": "pending"}, states(doc))
    out = lint(d, dsn)
    check("diesel: skipped 1", out["summary"].get("skipped_applied") == 1, out["summary"])


# ---- Sqitch ----

SQITCH_DDL = """CREATE SCHEMA sqitch;
CREATE TABLE sqitch.projects (
    project         TEXT        PRIMARY KEY,
    uri             TEXT            NULL UNIQUE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    creator_name    TEXT        NOT NULL,
    creator_email   TEXT        NOT NULL
);
CREATE TABLE sqitch.changes (
    change_id       TEXT        PRIMARY KEY,
    script_hash     TEXT            NULL,
    change          TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    committed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      TIMESTAMPTZ NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL,
    UNIQUE(project, script_hash)
);
INSERT INTO sqitch.projects (project, creator_name, creator_email) VALUES ('flipr', 'a', 'a@x'), ('other', 'b', 'b@x');
"""


def test_sqitch(pg, tmp):
    d = os.path.join(tmp, "sqitch")
    write(f"{d}/sqitch.plan", "%syntax-version=1.0.0\n%project=flipr\n\n"
                              "appschema 2024-01-01T00:00:00Z A <a@x> # schema\n"
                              "users [appschema] 2024-01-02T00:00:00Z A <a@x> # users\n"
                              "flips [users] 2024-01-03T00:00:00Z A <a@x> # flips\n")
    for c, sql in (("appschema", "BEGIN;\nCREATE SCHEMA flipr;\nCOMMIT;\n"),
                   ("users", "BEGIN;\nCREATE TABLE flipr.users (nickname text PRIMARY KEY);\nCOMMIT;\n"),
                   ("flips", "BEGIN;\nCREATE TABLE flipr.flips (id bigint PRIMARY KEY);\nCOMMIT;\n")):
        write(f"{d}/deploy/{c}.sql", sql)
        write(f"{d}/revert/{c}.sql", "SELECT 1;\n")
    dsn = create_db(pg, "sqitch", SQITCH_DDL)
    apply_files(pg, "sqitch", [f"{d}/deploy/appschema.sql", f"{d}/deploy/users.sql"])
    rows = []
    for i, c in enumerate(("appschema", "users")):
        rows.append(f"('id{i}', '{sha1(read_bytes(f'{d}/deploy/{c}.sql'))}', '{c}', 'flipr', "
                    f"clock_timestamp(), 'a', 'a@x', now(), 'a', 'a@x')")
    # another project's change of the same name is not this project's
    rows.append("('other1', 'x', 'flips', 'other', clock_timestamp(), 'b', 'b@x', now(), 'b', 'b@x')")
    pg.psql("INSERT INTO sqitch.changes (change_id, script_hash, change, project, committed_at, committer_name, "
            "committer_email, planned_at, planner_name, planner_email) VALUES " + ", ".join(rows), dbname="sqitch")
    doc = status(d, dsn)
    check("sqitch: states", states(doc) == {"appschema": "applied", "users": "applied", "flips": "pending"},
          states(doc))
    write(f"{d}/deploy/users.sql", "BEGIN;\nCREATE TABLE flipr.users (nickname text PRIMARY KEY, x int);\nCOMMIT;\n")
    m = by_id(status(d, dsn), "users")
    check("sqitch: an edited deploy script is modified", m and m["state"] == "modified" and
          m["file_checksum"] == sha1(read_bytes(f"{d}/deploy/users.sql")), m)
    out = lint(d, dsn)
    mods = [os.path.basename(f["file"]) for f in out["findings"] if f["rule"] == "modified-applied-migration"]
    check("sqitch: modified-applied-migration", mods == ["users.sql"], mods)


# ---- Alembic, for real ----

ALEMBIC_REVISIONS = {
    "a1_accounts.py": ('a1', None, 'op.create_table("accounts", sa.Column("id", sa.BigInteger, primary_key=True))',
                       'op.drop_table("accounts")'),
    "b2_orders.py": ('b2', 'a1', 'op.create_table("orders", sa.Column("id", sa.BigInteger, primary_key=True), '
                                  'sa.Column("account_id", sa.BigInteger))', 'op.drop_table("orders")'),
    "c3_orders_index.py": ('c3', 'b2', 'op.create_index("orders_account_idx", "orders", ["account_id"])',
                           'op.drop_index("orders_account_idx")'),
}


def alembic_python():
    for c in (os.environ.get("PGSIEVE_PYTHON"), sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        if c and os.path.exists(c) and subprocess.run([c, "-c", "import alembic, sqlalchemy, psycopg2"],
                                                      capture_output=True).returncode == 0:
            return c
    return None


def test_alembic(pg, tmp):
    py = alembic_python()
    if not py:
        print("note: no Python with alembic, sqlalchemy and psycopg2: the Alembic part is skipped")
        return
    d = os.path.join(tmp, "alembic")
    os.makedirs(d)
    r = subprocess.run([py, "-m", "alembic", "init", "migrations"], capture_output=True, text=True, cwd=d)
    check("alembic init", r.returncode == 0, r.stderr)
    dsn = create_db(pg, "alem")
    ini = os.path.join(d, "alembic.ini")
    with open(ini) as f:
        text = f.read()
    # alembic init writes alembic.ini in the working directory, the scripts in migrations/
    url = f"postgresql+psycopg2://postgres@/alem?host={pg.dir}&port={pg.port}"
    text = text.replace("driver://user:pass@localhost/dbname", url)
    with open(ini, "w") as f:
        f.write(text)
    for name, (rev, down, up, dn) in ALEMBIC_REVISIONS.items():
        write(os.path.join(d, "migrations", "versions", name),
              f'"""{name}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "{rev}"\n'
              f'down_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n\n'
              f'def upgrade():\n    {up}\n\n\ndef downgrade():\n    {dn}\n')
    r = subprocess.run([py, "-m", "alembic", "-c", ini, "upgrade", "b2"], capture_output=True, text=True, cwd=d)
    check("alembic upgrade b2", r.returncode == 0, r.stderr)
    env = {"PGSIEVE_PYTHON": py}
    doc = status(d, dsn, env=env)
    check("alembic: states", states(doc) == {"a1": "applied", "b2": "applied", "c3": "pending"}, states(doc))
    check("alembic: the table", doc["sets"][0]["history_table"] == "public.alembic_version",
          doc["sets"][0]["history_table"])
    out = lint(d, dsn, env=env)
    rules = {(os.path.basename(f["file"]), f["rule"]) for f in out["findings"]}
    check("alembic: only c3 is linted", {f for f, _ in rules} <= {"c3_orders_index.py"} and
          ("c3_orders_index.py", "create-index-blocking") in rules, rules)
    r = subprocess.run([py, "-m", "alembic", "-c", ini, "upgrade", "head"], capture_output=True, text=True, cwd=d)
    check("alembic upgrade head", r.returncode == 0, r.stderr)
    status(d, dsn, ["--exit-code"], env=env, want_rc=0)
    doc = status(d, dsn, env=env)
    check("alembic: all applied at head", set(states(doc).values()) == {"applied"}, states(doc))


# ---- no history table, errors ----

def test_errors(pg, tmp, gm_dir):
    dsn = create_db(pg, "empty")
    doc = status(gm_dir, dsn)
    s = doc["sets"][0]
    check("no history table: found is false, everything pending", s["history_found"] is False and
          set(states(doc).values()) == {"pending"} and "public" in s["history_table"], s)
    status(gm_dir, dsn, ["--exit-code"], want_rc=1)
    out = lint(gm_dir, dsn)
    check("no history table: lint --db as before (no skipped count)", "skipped_applied" not in out["summary"] and
          any(f["rule"] == "create-index-blocking" for f in out["findings"]), out["summary"])
    r = run(["lint", "--no-config", "--fail-on", "never", "--db", dsn, gm_dir])
    check("no history table: the text report has no skipped line", "skipped as applied" not in r.stdout, r.stdout)

    # a refused connection: nobody listens on that port; the password is never printed
    bad = f"host={pg.dir} port=1 user=postgres dbname=postgres password=sekrit-pw connect_timeout=3"
    for args in (["status", "--db", bad, gm_dir], ["lint", "--no-config", "--db", bad, gm_dir]):
        r = run(args)
        check(f"refused: {args[0]} exits 2", r.returncode == 2, f"exit {r.returncode}: {r.stderr}")
        check(f"refused: {args[0]} says it cannot connect", "cannot connect to the database" in r.stderr and
              "port=1" in r.stderr, r.stderr)
        check(f"refused: {args[0]} never prints the password", "sekrit-pw" not in r.stderr + r.stdout, r.stderr)

    # a table that is not the framework's: a clear error, exit 2
    dsn2 = create_db(pg, "wrong", "CREATE TABLE schema_migrations (id int)")
    r = run(["status", "--db", dsn2, gm_dir])
    check("a foreign schema_migrations: exit 2 with the table named", r.returncode == 2 and
          "public.schema_migrations" in r.stderr and "golang-migrate" in r.stderr, r.stderr)

    for args, what in ((["status", gm_dir], "--db is needed"),
                       (["status", "--db", dsn], "no migrations directory"),
                       (["status", "--db", dsn, "--format", "xml", gm_dir], "--format takes"),
                       (["status", "--db", dsn, "--frobnicate", gm_dir], "unknown option"),
                       (["status", "--db", dsn, "--framework", "sql", gm_dir], "plain SQL"),
                       (["status", "--db", dsn, os.path.join(tmp, "nope")], "nope"),
                       (["lint", "--history-table", "x", gm_dir], "--history-table")):
        r = run(args)
        check(f"bad arguments {args[1:]}: exit 2", r.returncode == 2 and what in r.stderr,
              f"exit {r.returncode}: {r.stderr}")
    plain = os.path.join(tmp, "plain")
    write(f"{plain}/001_x.sql", "SELECT 1;\n")
    r = run(["status", "--db", dsn, plain])
    check("plain SQL: exit 2, no history table to read", r.returncode == 2 and "no migration framework" in r.stderr,
          r.stderr)


# ---- the runners of issue 11: goose, sqlx, sql-migrate, tern, node-pg-migrate ----
# Each history table as the runner creates it (the DDL from its source, cited beside it) with
# rows as the runner writes them; the applied migrations are really run first.

def runner_case(pg, tmp, name, files, ddl, applied_sql, want, pending_file, extra=()):
    d = os.path.join(tmp, name)
    for f, text in files.items():
        write(f"{d}/{f}", text)
    dsn = create_db(pg, name.replace("-", "_"), ddl + applied_sql)
    doc = status(d, dsn, extra)
    check(f"{name}: framework", doc["sets"][0].get("framework") == name, doc["sets"][0].get("framework"))
    check(f"{name}: states", states(doc) == want, states(doc))
    out = lint(d, dsn, extra)
    linted = {os.path.basename(f["file"]) for f in out["findings"]}
    check(f"{name}: only the pending migration is linted", linted == {pending_file}, linted)
    return d, dsn


def test_goose(pg, tmp):
    files = {
        "00001_accounts.sql": "-- +goose Up\nCREATE TABLE accounts (id bigint PRIMARY KEY);\n\n"
                              "-- +goose Down\nDROP TABLE accounts;\n",
        "00002_orders.sql": "-- +goose Up\nCREATE TABLE orders (id bigint PRIMARY KEY, n int);\n\n"
                            "-- +goose Down\nDROP TABLE orders;\n",
        "00003_orders_n.sql": "-- +goose Up\nALTER TABLE orders ALTER COLUMN n SET NOT NULL;\n\n"
                              "-- +goose Down\nALTER TABLE orders ALTER COLUMN n DROP NOT NULL;\n",
    }
    # goose internal/dialects/postgres.go CreateTable, and the version 0 row goose writes with it;
    # InsertVersion: INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, $2).
    # Version 2 was applied, rolled back by a goose before v3.8 (a row with is_applied false)
    # and applied again; version 7 has no file any more.
    ddl = ("CREATE TABLE goose_db_version (id integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "
           "version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NOT NULL DEFAULT now());"
           "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), "
           "(2, false), (2, true), (7, true);")
    runner_case(pg, tmp, "goose", files, ddl,
                "CREATE TABLE accounts (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, n int);",
                {"1": "applied", "2": "applied", "3": "pending", "7": "missing-file"},
                "00003_orders_n.sql")


def test_sqlx(pg, tmp):
    files = {
        "Cargo.toml": "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\nsqlx = \"0.8\"\n",
        "migrations/20240101000000_accounts.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY);\n",
        "migrations/20240102000000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, n int);\n",
        "migrations/20240103000000_orders_n.sql": "ALTER TABLE orders ALTER COLUMN n SET NOT NULL;\n",
    }
    # sqlx-postgres migrate.rs ensure_migrations_table; a row per migration with its SHA-384
    def row(v, desc, text, ok=True):
        return (f"INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) "
                f"VALUES ({v}, '{desc}', {str(ok).lower()}, '\\x{hashlib.sha384(text.encode()).hexdigest()}', 1);")
    ddl = ("CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, "
           "installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, "
           "execution_time BIGINT NOT NULL);"
           + row(20240101000000, "accounts", files["migrations/20240101000000_accounts.sql"])
           + row(20240102000000, "orders", files["migrations/20240102000000_orders.sql"]))
    d, dsn = runner_case(pg, tmp, "sqlx", files, ddl,
                         "CREATE TABLE accounts (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, n int);",
                         {"20240101000000": "applied", "20240102000000": "applied", "20240103000000": "pending"},
                         "20240103000000_orders_n.sql")
    # a migration that failed part-way: success = false (sqlx calls the database dirty)
    pg.psql("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) "
            "VALUES (20240103000000, 'orders n', false, '\\x00', -1)", dbname="sqlx")
    doc = status(d, dsn)
    check("sqlx: a row with success = false is failed", states(doc).get("20240103000000") == "failed", states(doc))
    # an applied migration edited since (one byte more): its SHA-384 no longer matches the row,
    # which sqlx refuses ("was previously applied but has been modified"); the row of the
    # unedited one still matches
    with open(os.path.join(d, "migrations/20240101000000_accounts.sql"), "a") as f:
        f.write("-- a comment is an edit too\n")
    doc = status(d, dsn)
    check("sqlx: an edited applied migration is modified (SHA-384 of the file)",
          states(doc).get("20240101000000") == "modified" and states(doc).get("20240102000000") == "applied",
          states(doc))


def test_sql_migrate(pg, tmp):
    files = {
        "1_accounts.sql": "-- +migrate Up\nCREATE TABLE accounts (id bigint PRIMARY KEY);\n\n"
                          "-- +migrate Down\nDROP TABLE accounts;\n",
        "2_orders.sql": "-- +migrate Up\nCREATE TABLE orders (id bigint PRIMARY KEY, n int);\n\n"
                        "-- +migrate Down\nDROP TABLE orders;\n",
        "10_orders_n.sql": "-- +migrate Up\nALTER TABLE orders ALTER COLUMN n SET NOT NULL;\n\n"
                           "-- +migrate Down\nALTER TABLE orders ALTER COLUMN n DROP NOT NULL;\n",
    }
    # gorp's PostgresDialect table for migrate.go's MigrationRecord (id, checksum, applied_at);
    # Id is the file name
    ddl = ('create table if not exists "gorp_migrations" ("id" text not null primary key, "checksum" text, '
           '"applied_at" timestamp with time zone);'
           "INSERT INTO gorp_migrations (id, applied_at) VALUES ('1_accounts.sql', now()), ('2_orders.sql', now()), "
           "('3_gone.sql', now());")
    runner_case(pg, tmp, "sql-migrate", files, ddl,
                "CREATE TABLE accounts (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, n int);",
                {"1_accounts.sql": "applied", "2_orders.sql": "applied", "10_orders_n.sql": "pending",
                 "3_gone.sql": "missing-file"},
                "10_orders_n.sql")


def test_tern(pg, tmp):
    files = {
        "001_accounts.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY);\n\n"
                            "---- create above / drop below ----\n\nDROP TABLE accounts;\n",
        "002_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, n int);\n\n"
                          "---- create above / drop below ----\n\nDROP TABLE orders;\n",
        "003_orders_n.sql": "ALTER TABLE orders ALTER COLUMN n SET NOT NULL;\n\n"
                            "---- create above / drop below ----\n\nALTER TABLE orders ALTER COLUMN n DROP NOT NULL;\n",
    }
    # tern migrate.go ensureSchemaVersionTableExists, then `update ... set version=$1` per migration
    ddl = ("create table if not exists public.schema_version(version int4 not null);"
           "insert into public.schema_version(version) select 0 where 0=(select count(*) from public.schema_version);"
           "update public.schema_version set version=2;")
    runner_case(pg, tmp, "tern", files, ddl,
                "CREATE TABLE accounts (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, n int);",
                {"001": "applied", "002": "applied", "003": "pending"}, "003_orders_n.sql")


def test_node_pg_migrate(pg, tmp):
    files = {
        "1700000000001_accounts.sql": "-- Up Migration\nCREATE TABLE accounts (id bigint PRIMARY KEY);\n\n"
                                      "-- Down Migration\nDROP TABLE accounts;\n",
        "1700000000002_orders.sql": "-- Up Migration\nCREATE TABLE orders (id bigint PRIMARY KEY, n int);\n\n"
                                    "-- Down Migration\nDROP TABLE orders;\n",
        "1700000000003_orders-n.sql": "-- Up Migration\nALTER TABLE orders ALTER COLUMN n SET NOT NULL;\n\n"
                                      "-- Down Migration\nALTER TABLE orders ALTER COLUMN n DROP NOT NULL;\n",
    }
    # node-pg-migrate runner.ts ensureMigrationsTable; migration.ts _getMarkAsRun:
    # INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ('<file name without extension>', NOW())
    ddl = ('CREATE TABLE "public"."pgmigrations" ( id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, '
           'run_on timestamp NOT NULL);'
           "INSERT INTO \"public\".\"pgmigrations\" (name, run_on) VALUES ('1700000000001_accounts', NOW());"
           "INSERT INTO \"public\".\"pgmigrations\" (name, run_on) VALUES ('1700000000002_orders', NOW());")
    runner_case(pg, tmp, "node-pg-migrate", files, ddl,
                "CREATE TABLE accounts (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, n int);",
                {"1700000000001_accounts": "applied", "1700000000002_orders": "applied",
                 "1700000000003_orders-n": "pending"}, "1700000000003_orders-n.sql")


def atlas_sum(files):
    """atlas.sum as `atlas migrate hash` writes it (sql/migrate/dir.go NewHashFile, HashFile.Sum,
    MarshalText): a running SHA-256 over each .sql file's name and content, in name order."""
    running, lines = hashlib.sha256(), []
    for name in sorted(f for f in files if f.endswith(".sql")):
        running.update(name.encode())
        running.update(files[name].encode())
        lines.append((name, base64.b64encode(running.copy().digest()).decode()))
    total = hashlib.sha256()
    for name, h in lines:
        total.update(name.encode())
        total.update(h.encode())
    return "h1:" + base64.b64encode(total.digest()).decode() + "\n" + "".join(f"{n} h1:{h}\n" for n, h in lines)


def test_atlas(pg, tmp):
    files = {
        "20240101000000_accounts.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY);\n",
        "20240102000000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, n int);\n",
        "20240103000000_orders_n.sql": "ALTER TABLE orders ALTER COLUMN n SET NOT NULL;\n",
    }
    files["atlas.sum"] = atlas_sum(files)
    # the revisions table of cmd/atlas/internal/migrate/ent/migrate/schema.go, in the schema
    # atlas_schema_revisions; a row per file, applied of total statements
    ddl = ("CREATE SCHEMA atlas_schema_revisions;"
           "CREATE TABLE atlas_schema_revisions.atlas_schema_revisions (version character varying NOT NULL PRIMARY KEY, "
           "description character varying NOT NULL, type bigint NOT NULL DEFAULT 2, applied bigint NOT NULL DEFAULT 0, "
           "total bigint NOT NULL DEFAULT 0, executed_at timestamptz NOT NULL, execution_time bigint NOT NULL, "
           "error text NULL, error_stmt text NULL, hash character varying NOT NULL, partial_hashes jsonb NULL, "
           "operator_version character varying NOT NULL);"
           "INSERT INTO atlas_schema_revisions.atlas_schema_revisions (version, description, type, applied, total, "
           "executed_at, execution_time, hash, operator_version) VALUES "
           "('20240101000000', 'accounts', 2, 1, 1, now(), 1000, 'h1', 'Atlas CLI v0.28.0'), "
           "('20240102000000', 'orders', 2, 1, 1, now(), 1000, 'h2', 'Atlas CLI v0.28.0');")
    d, dsn = runner_case(pg, tmp, "atlas", files, ddl,
                         "CREATE TABLE accounts (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, n int);",
                         {"20240101000000": "applied", "20240102000000": "applied", "20240103000000": "pending"},
                         "20240103000000_orders_n.sql")
    pg.psql("INSERT INTO atlas_schema_revisions.atlas_schema_revisions (version, description, type, applied, total, "
            "executed_at, execution_time, error, hash, operator_version) VALUES ('20240103000000', 'orders_n', 2, 0, 1, "
            "now(), 10, 'column \"n\" contains null values', 'h3', 'Atlas CLI v0.28.0')", dbname="atlas")
    doc = status(d, dsn)
    check("atlas: applied < total is failed", states(doc).get("20240103000000") == "failed", states(doc))


def graphile_hash(body, previous):
    """src/hash.ts calculateHash: what `graphile-migrate commit` writes in `--! Hash:`."""
    text = ((previous or "") + "\n" + body).strip(" \t\n\r\v\f") + "\n"
    return "sha1:" + hashlib.sha1(text.encode()).hexdigest()


def test_graphile(pg, tmp):
    b1 = "CREATE TABLE accounts (id bigint PRIMARY KEY);\n"
    b2 = "CREATE TABLE orders (id bigint PRIMARY KEY, n int);\n"
    h1 = graphile_hash(b1, None)
    h2 = graphile_hash(b2, h1)
    files = {
        "migrations/committed/000001.sql": f"--! Previous: -\n--! Hash: {h1}\n\n" + b1,
        "migrations/committed/000002.sql": f"--! Previous: {h1}\n--! Hash: {h2}\n\n" + b2,
        "migrations/current.sql": "-- Enter migration here\nALTER TABLE orders ALTER COLUMN n SET NOT NULL;\n",
    }
    # src/migration.ts _migrateMigrationSchema, and runStringMigration's migration-insert
    ddl = ("create schema if not exists graphile_migrate;"
           "create table if not exists graphile_migrate.migrations (hash text primary key, previous_hash text "
           "references graphile_migrate.migrations, filename text not null, date timestamptz not null default now());"
           f"insert into graphile_migrate.migrations(hash, previous_hash, filename) values ('{h1}', null, '000001.sql');"
           f"insert into graphile_migrate.migrations(hash, previous_hash, filename) values ('{h2}', '{h1}', '000002.sql');")
    runner_case(pg, tmp, "graphile-migrate", files, ddl,
                "CREATE TABLE accounts (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, n int);",
                {"000001.sql": "applied", "000002.sql": "applied", "current.sql": "pending"}, "current.sql")


def test_drizzle(pg, tmp):
    journal = {"version": "7", "dialect": "postgresql", "entries": [
        {"idx": 0, "version": "7", "when": 1704067200000, "tag": "0000_accounts", "breakpoints": True},
        {"idx": 1, "version": "7", "when": 1704153600000, "tag": "0001_orders", "breakpoints": True},
        {"idx": 2, "version": "7", "when": 1704240000000, "tag": "0002_orders_n", "breakpoints": True}]}
    files = {
        "drizzle/meta/_journal.json": json.dumps(journal),
        "drizzle/0000_accounts.sql": "CREATE TABLE \"accounts\" (\"id\" bigint PRIMARY KEY);\n",
        "drizzle/0001_orders.sql": "CREATE TABLE \"orders\" (\"id\" bigint PRIMARY KEY, \"n\" integer);\n",
        "drizzle/0002_orders_n.sql": "ALTER TABLE \"orders\" ALTER COLUMN \"n\" SET NOT NULL;\n",
    }
    # drizzle-orm pg-core/dialect.ts PgDialect.migrate: the table, and a row (hash, created_at =
    # the journal entry's when) per migration it ran
    rows = ""
    for e in journal["entries"][:2]:
        digest = sha256(files["drizzle/%s.sql" % e["tag"]].encode())
        rows += ('insert into "drizzle"."__drizzle_migrations" ("hash", "created_at") values (\'%s\', %d);'
                 % (digest, e["when"]))
    ddl = ('CREATE SCHEMA IF NOT EXISTS "drizzle";'
           'CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, '
           'created_at bigint);' + rows)
    runner_case(pg, tmp, "drizzle", files, ddl,
                'CREATE TABLE "accounts" ("id" bigint PRIMARY KEY); CREATE TABLE "orders" ("id" bigint PRIMARY KEY, "n" integer);',
                {"1704067200000": "applied", "1704153600000": "applied", "1704240000000": "pending"},
                "0002_orders_n.sql")

    # The pending migrations run in the migrator's one transaction: with 0001 and 0002 pending,
    # the ACCESS EXCLUSIVE lock 0001's ADD COLUMN takes is held through 0002's backfill; with
    # only 0002 pending (0001 recorded), it is not.
    d = os.path.join(tmp, "drizzle-one-tx")
    tx_files = {
        "drizzle/meta/_journal.json": json.dumps(journal),
        "drizzle/0000_accounts.sql": files["drizzle/0000_accounts.sql"],
        "drizzle/0001_orders.sql": "ALTER TABLE \"accounts\" ADD COLUMN \"note\" text;\n",
        "drizzle/0002_orders_n.sql": "UPDATE \"accounts\" SET \"note\" = '';\n",
    }
    for f, text in tx_files.items():
        write(f"{d}/{f}", text)
    for pending, want in ((2, True), (1, False)):
        rows = ""
        for e in journal["entries"][:3 - pending]:
            rows += ('insert into "drizzle"."__drizzle_migrations" ("hash", "created_at") values (\'%s\', %d);'
                     % (sha256(tx_files["drizzle/%s.sql" % e["tag"]].encode()), e["when"]))
        applied = ' ALTER TABLE "accounts" ADD COLUMN "note" text;' if pending == 1 else ""
        ddl = ('CREATE SCHEMA IF NOT EXISTS "drizzle";'
               'CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, '
               'created_at bigint);' + rows + 'CREATE TABLE "accounts" ("id" bigint PRIMARY KEY);' + applied)
        dsn = create_db(pg, "drizzle_one_tx_%d" % pending, ddl)
        out = lint(os.path.join(d, "drizzle"), dsn)
        held = [f for f in out["findings"] if f["rule"] == "slow-statement-under-lock"]
        linted = sorted(os.path.basename(f["path"]) for f in out["files"])
        check(f"drizzle: {pending} pending migrations linted", len(linted) == pending, linted)
        if want:
            check("drizzle: the backfill runs under the lock 0001 took, in the same transaction",
                  len(held) == 1 and held[0]["file"].endswith("0002_orders_n.sql") and
                  "at line 1 of " in held[0]["message"] and "0001_orders.sql" in held[0]["message"], held)
        else:
            check("drizzle: 0001 applied before, no lock of it is held", held == [], held)


def test_liquibase(pg, tmp):
    files = {
        "db.changelog-master.yaml": "databaseChangeLog:\n  - include:\n      file: changes/001.sql\n"
                                    "      relativeToChangelogFile: true\n",
        "changes/001.sql": "--liquibase formatted sql\n\n--changeset alice:accounts\n"
                           "CREATE TABLE accounts (id bigint PRIMARY KEY);\n--rollback DROP TABLE accounts;\n\n"
                           "--changeset alice:orders\nCREATE TABLE orders (id bigint PRIMARY KEY, n int);\n"
                           "--rollback DROP TABLE orders;\n\n"
                           "--changeset bob:orders-n\nALTER TABLE orders ALTER COLUMN n SET NOT NULL;\n"
                           "--rollback ALTER TABLE orders ALTER COLUMN n DROP NOT NULL;\n",
    }
    # the table as liquibase update-sql creates it on PostgreSQL, and its rows (ID, AUTHOR,
    # FILENAME, DATEEXECUTED, ORDEREXECUTED, EXECTYPE, MD5SUM, ...)
    ddl = ("CREATE TABLE public.databasechangelog (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, "
           "FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TIMESTAMP WITHOUT TIME ZONE NOT NULL, ORDEREXECUTED INT NOT NULL, "
           "EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), "
           "TAG VARCHAR(255), LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255), LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10));"
           "INSERT INTO public.databasechangelog (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, MD5SUM, DESCRIPTION, "
           "COMMENTS, EXECTYPE, LIQUIBASE, DEPLOYMENT_ID) VALUES "
           "('accounts', 'alice', 'changes/001.sql', NOW(), 1, '9:aa', 'sql', '', 'EXECUTED', '4.20.0', '1234567890'), "
           "('orders', 'alice', 'changes/001.sql', NOW(), 2, '9:bb', 'sql', '', 'EXECUTED', '4.20.0', '1234567890');")
    runner_case(pg, tmp, "liquibase", files, ddl,
                "CREATE TABLE accounts (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, n int);",
                {"alice:accounts": "applied", "alice:orders": "applied", "bob:orders-n": "pending"}, "001.sql")


def main():
    global PGSIEVE
    PGSIEVE = os.path.abspath(sys.argv[1])
    with Cluster() as pg, tempfile.TemporaryDirectory() as tmp:
        gm_dir, gm_dsn = test_golang_migrate(pg, tmp)
        test_dbmate(pg, tmp)
        fly_dir, _ = test_flyway(pg, tmp)
        test_prisma(pg, tmp)
        test_diesel(pg, tmp)
        test_sqitch(pg, tmp)
        test_alembic(pg, tmp)
        test_goose(pg, tmp)
        test_sqlx(pg, tmp)
        test_sql_migrate(pg, tmp)
        test_tern(pg, tmp)
        test_node_pg_migrate(pg, tmp)
        test_atlas(pg, tmp)
        test_graphile(pg, tmp)
        test_drizzle(pg, tmp)
        test_liquibase(pg, tmp)
        test_errors(pg, tmp, gm_dir)
        # nothing was written: the history tables are as the test left them
        before = pg.psql("SELECT version, dirty FROM schema_migrations", dbname="gm")
        run(["status", "--db", gm_dsn, gm_dir])
        lint(gm_dir, gm_dsn)
        check("the history table is unchanged", pg.psql("SELECT version, dirty FROM schema_migrations",
                                                         dbname="gm") == before)
        n = pg.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgsieve'")
        check("no pgsieve session is left", n.strip() == "0", n)
    print("status: " + ("ok" if failures == 0 else f"{failures} failures"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
