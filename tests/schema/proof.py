#!/usr/bin/env python3
"""The proof of the lock table: every fixture of every locking and rewrite rule is traced on a
real server (the PostgreSQL the tests start, pgcluster.py), and lint's prediction for each
statement (the lock mode on each relation it names, a rewrite, a full scan: src/effects/) must
agree with what the server did. `pgsieve trace` does the comparison and reports each
disagreement as trace-mismatch; this test asserts there is none but the KNOWN ones below, each
with the reason lint cannot see it.

Fixtures name tables they do not create (lint needs no schema). Each fixture is traced alone on
a fresh database; when a statement fails because an object is missing (a table, a column, a
schema, an index, a view, a domain, a function, a tablespace, an extension's type...: Setup.learn),
the object is added to the fixture's starting schema (--schema) and the trace run again, up to a
limit. A fixture's own files are used as lint uses them (its --schema file, the migrations it
names before it). A fixture that still fails on a missing object, or that asks for another
--pg-version, is counted as not verified (printed), not failed.

The statements verified, with the lock, rewrite and scan the server showed, are the table in
docs/lock-table-verified.md; the test fails when that file differs from what it found
(UPDATE_PROOF=1 rewrites it, for review in git).

usage: proof.py PGSIEVE [RULE...]
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import Cluster, SKIP  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "docs", "lock-table-verified.md")
# Rules about what a statement locks, rewrites or scans. The others of the locking category are
# about settings and transactions (missing-lock-timeout, ...), not about a statement's effects.
RULES = ["create-index-blocking", "drop-index-blocking", "reindex-blocking", "add-foreign-key-blocking",
         "add-check-blocking", "add-unique-blocking", "set-not-null-blocking", "add-column-rewrite",
         "alter-type-rewrite", "table-rewrite-command", "refresh-matview-blocking", "detach-partition-blocking",
         "attach-partition-scan", "lock-table", "add-exclusion-blocking", "domain-constraint-blocking"]
# fixture -> why lint's prediction and the server differ there, by design
KNOWN = {
    # SET ACCESS METHOD heap rewrites a table of another access method; the fixture's table is
    # already heap (the only table access method of a plain server), so the server has nothing
    # to do. Lint cannot know a table's access method from the statement.
    "table-rewrite-command/bad-one-line.sql": "SET ACCESS METHOD heap on a heap table is a no-op",
    "table-rewrite-command/ok-new-table-in-transaction.sql": "SET ACCESS METHOD heap on a heap table is a no-op",
    # REINDEX TABLE reads the table to rebuild each of its indexes; this fixture's table has none
    "reindex-blocking/ok-crlf-comment.sql": "REINDEX TABLE of a table without indexes rebuilds nothing",
    # SET LOGGED rewrites an unlogged table; the table this fixture created is logged already, so
    # the server has nothing to do (lint does not follow a table's persistence)
    "table-rewrite-command/ok-new-table.sql": "SET LOGGED of a logged table is a no-op",
}
# fixture -> its starting schema, written by hand where the server's errors cannot tell it
# (a two-column key, a second table of another case, a column's type a function needs)
SETUP = {
    "add-foreign-key-blocking/bad-qualified-quoted.sql":
        'CREATE SCHEMA "Sales"; CREATE TABLE "Sales"."Customers" ("Id" int PRIMARY KEY);\n'
        'CREATE TABLE "Sales"."Orders" ("CustomerId" int);\n'
        "CREATE SCHEMA sales; CREATE TABLE sales.orders (id int, day date, UNIQUE (id, day));\n"
        "CREATE TABLE sales.lineitems (order_id int, order_day date);\n",
    "add-exclusion-blocking/bad-qualified-quoted.sql":
        'CREATE EXTENSION btree_gist; CREATE SCHEMA "Hotel";\n'
        'CREATE TABLE "Hotel"."Room Bookings" ("RoomId" int, "During" tstzrange);\n'
        "CREATE SCHEMA hotel; CREATE TABLE hotel.reservations (room int, stay tstzrange);\n",
    "create-index-blocking/ok-matview-ctas.sql":
        "CREATE TABLE orders (id int PRIMARY KEY, created_at timestamptz, total numeric);\n",
    "refresh-matview-blocking/ok-new-view.sql":
        "CREATE TABLE orders (id int PRIMARY KEY, created_at timestamptz, total numeric);\n",
}
MAX_TRIES = 12


def quote(name):
    return '"' + name.replace('"', '""') + '"'


# a name as written, maybe schema-qualified, maybe quoted: "Sales"."Orders", sales.orders
NAME = r'((?:"[^"]+"|\w+)(?:\s*\.\s*(?:"[^"]+"|\w+))?)'


def folded(written):
    """The name PostgreSQL reads from a written one: quoted parts kept, the others lower-cased."""
    parts = re.findall(r'"([^"]+)"|(\w+)', written)
    return ".".join(q if q else w.lower() for q, w in parts)


def qualified(name):
    return ".".join(quote(p) for p in name.split(".", 1)) if "." in name else quote(name)


class Setup:
    """The starting schema a fixture needs, grown from the server's errors."""

    def __init__(self, cluster, base=""):
        self.schemas, self.tables, self.columns, self.extra = [], {}, {}, []
        self.cluster, self.base, self.settings = cluster, base, {}

    def sql(self):
        out = [f"CREATE SCHEMA IF NOT EXISTS {quote(s)};" for s in self.schemas]
        for t, kind in self.tables.items():
            cols = ", ".join(f"{quote(c)} {ty}" for c, ty in self.columns.get(t, {}).items())
            if kind == "matview":
                out.append(f"CREATE MATERIALIZED VIEW {qualified(t)} AS SELECT 1 AS id;")
            else:
                # a primary key: REINDEX and the like have an index to rebuild
                # unlogged where the statement makes it logged: SET LOGGED of a logged table does nothing
                out.append(f"CREATE {'UNLOGGED ' if kind == 'unlogged' else ''}TABLE {qualified(t)} "
                           f"(id int PRIMARY KEY{', ' + cols if cols else ''});")
        return self.base + "\n".join(out + self.extra) + "\n"

    def table_of(self, stmt):
        # a view or table made from a query: the column is missing from what it reads
        if re.match(r"(?is)\s*CREATE\s+(?:MATERIALIZED\s+VIEW|(?:OR\s+REPLACE\s+)?VIEW|TABLE\s+\S+\s+AS)\b", stmt["sql"]):
            m = re.search(r"(?i)\bFROM\s+" + NAME, stmt["sql"])
            return folded(m.group(1)) if m else None
        for p in stmt.get("predicted", []):
            return p["relation"]
        m = re.search(r"(?i)\b(?:TABLE|ON|INTO|UPDATE|FROM)\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?" + NAME, stmt["sql"])
        return folded(m.group(1)) if m else None

    def learn(self, stmt):
        """Adds what the failed statement missed; False when it cannot tell what that is."""
        err = stmt["error"]
        msg, state = err["message"], err["sqlstate"]
        m = re.match(r'schema "(.+?)" does not exist', msg)
        if m and m.group(1) not in self.schemas:
            self.schemas.append(m.group(1))
            return True
        m = re.match(r'relation "(.+?)" does not exist', msg)
        if m and m.group(1) not in self.tables:
            name = m.group(1)
            if "." in name and name.split(".")[0] not in self.schemas and name.split(".")[0] != "public":
                self.schemas.append(name.split(".")[0])
            self.tables[name] = "matview" if re.search(r"(?i)materialized\s+view", stmt["sql"]) else \
                "unlogged" if re.search(r"(?i)\bSET\s+LOGGED\b", stmt["sql"]) else "table"
            return True
        m = re.match(r'"(.+?)" is not a materialized view', msg)
        if m:
            for t in self.tables:
                if t.split(".")[-1] == m.group(1):
                    self.tables[t] = "matview"
                    return True
        m = re.match(r'column "(.+?)"(?: of relation "(.+?)")? does not exist', msg)
        if m:
            table = m.group(2) or self.table_of(stmt)
            if not table:
                return False
            table = next((t for t in self.tables if t == table or t.split(".")[-1] == table), table)
            if table not in self.tables:
                self.tables[table] = "table"
            cols = self.columns.setdefault(table, {})
            if m.group(1) in cols:
                return False
            cols[m.group(1)] = "int"
            return True
        m = re.match(r"(?:function|operator does not exist): .*\((?:integer)", msg) or \
            re.match(r"function .*\(integer\) does not exist", msg) or ("integer" in msg and state in ("42883", "42804"))
        if m:
            for t, cols in self.columns.items():
                for c, ty in cols.items():
                    if ty == "int" and re.search(r'\b' + re.escape(c) + r'\b', stmt["sql"], re.I):
                        cols[c] = "text"
                        return True
            # not a column of ours: a function the setup may still create (below)
        m = re.match(r'index "([^"]+)"(?: for table "([^"]+)")? does not exist', msg)
        if m:
            # on the table the statement names (CLUSTER t USING i, ADD ... USING INDEX i: unique),
            # else on a table of its own
            using = re.search(r"(?i)\bUSING\s+INDEX\b", stmt["sql"])
            table = m.group(2) or (self.table_of(stmt) if using or re.match(r"(?i)\s*CLUSTER\b", stmt["sql"]) else None)
            if not table:
                # in the schema the statement names it in (DROP INDEX billing.invoices_due_idx)
                q = re.search(NAME + r"\s*\.\s*\"?" + re.escape(m.group(1)) + r"\b", stmt["sql"])
                table = folded(q.group(1)) + ".proof_indexed" if q else None
            table = next((t for t in self.tables if t == table or t.split(".")[-1] == table), table or "proof_indexed")
            self.need_schema_of(table)
            self.tables.setdefault(table, "table")
            index = m.group(1).split(".")[-1]
            self.need_schema_of(table)
            line = f"CREATE {'UNIQUE ' if using else ''}INDEX {quote(index)} ON {qualified(table)} (id);"
            if line in self.extra:  # made, and still missing: the statement's table is another (a temporary one)
                return False
            self.extra.append(line)
            return True
        # a key's column: on the table the ALTER names
        m = re.match(r'column "(.+?)" (?:referenced in foreign key constraint|named in key) does not exist', msg)
        if m:
            if self.add_column(self.table_of(stmt), m.group(1), "int"):
                return True
            ref = re.search(r"(?i)\bREFERENCES\s+" + NAME, stmt["sql"])
            return bool(ref) and self.add_column(folded(ref.group(1)), m.group(1), "int UNIQUE")
        # a range compared with && (an exclusion constraint): the column is a range
        m = re.match(r"operator does not exist: \w+ && \w+", msg)
        if m:
            col = re.search(r'(?i)([\w"]+)\s+WITH\s+&&', stmt["sql"])
            table = self.table_of(stmt)
            if col and table:
                return self.set_column_type(table, col.group(1).replace('"', ""), "tstzrange")
        # a domain's CHECK compares VALUE with a number: a numeric domain
        m = re.match(r"operator does not exist: text \S+ integer", msg)
        if m and re.search(r"(?i)\bALTER\s+DOMAIN\b", stmt["sql"]):
            dom = re.search(r"(?i)\bALTER\s+DOMAIN\s+" + NAME, stmt["sql"])
            text = f"CREATE DOMAIN {qualified(folded(dom.group(1)))} AS text;" if dom else None
            if text in self.extra:
                self.extra[self.extra.index(text)] = text[:-len(" AS text;")] + " AS int;"
                return True
        m = re.match(r'constraint "(.+?)" of domain "(.+?)" does not exist', msg)
        if m:
            dom = re.search(r"(?i)\bALTER\s+DOMAIN\s+" + NAME, stmt["sql"])
            self.extra.append(f"ALTER DOMAIN {dom.group(1) if dom else quote(m.group(2))} ADD CONSTRAINT {quote(m.group(1))} "
                              "CHECK (VALUE IS NOT NULL) NOT VALID;")
            return True
        m = re.match(r'type "(.+?)" does not exist', msg)
        if m and self.cluster.psql(f"SELECT count(*) FROM pg_available_extensions WHERE name = '{m.group(1)}'").strip() == "1":
            # a type of an extension this server has (citext, hstore)
            ext = f"CREATE EXTENSION IF NOT EXISTS {quote(m.group(1))};"
            if ext in self.extra:
                return False
            self.extra.insert(0, ext)
            return True
        if m and re.search(r"(?i)\bDOMAIN\b", stmt["sql"]):
            self.need_schema_of(m.group(1))
            self.extra.append(f"CREATE DOMAIN {qualified(m.group(1))} AS text;")
            return True
        m = re.match(r'view "(.+?)" does not exist', msg)
        if m:
            self.need_schema_of(m.group(1))
            self.extra.append(f"CREATE VIEW {qualified(m.group(1))} AS SELECT 1 AS id;")
            return True
        m = re.match(r'constraint "(.+?)" of relation "(.+?)" does not exist', msg)
        if m:
            table = next((t for t in self.tables if t.split(".")[-1] == m.group(2)), m.group(2))
            self.tables.setdefault(table, "table")
            self.extra.append(f"ALTER TABLE {qualified(table)} ADD CONSTRAINT {quote(m.group(1))} "
                              "CHECK (id IS NOT NULL) NOT VALID;")
            return True
        m = re.match(r'tablespace "(.+?)" does not exist', msg)
        if m:
            # cluster-wide, and CREATE TABLESPACE cannot run in the schema file's transaction
            where = os.path.join(self.cluster.dir, "tablespace-" + m.group(1))
            os.makedirs(where, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(where, "postgres", "postgres")
            self.cluster.psql(f"CREATE TABLESPACE {quote(m.group(1))} LOCATION '{where}'")
            return True
        if re.match(r'data type .+ has no default operator class for access method "gist"', msg):
            # equality on scalars in an exclusion constraint: btree_gist, as the docs say
            ext = "CREATE EXTENSION IF NOT EXISTS btree_gist;"
            if ext in self.extra:
                return False
            self.extra.insert(0, ext)
            return True
        m = re.match(r'server "(.+?)" does not exist', msg)
        if m:
            self.extra += ["CREATE EXTENSION IF NOT EXISTS postgres_fdw;",
                           f"CREATE SERVER {quote(m.group(1))} FOREIGN DATA WRAPPER postgres_fdw;"]
            return True
        m = re.match(r'unrecognized configuration parameter "(.+?)"', msg)
        if m and m.group(1) not in self.settings:
            self.settings[m.group(1)] = "1"
            return True
        m = re.match(r"function (.+?)\((.*?)\) does not exist", msg)
        builtin = m and "." not in m.group(1) and self.cluster.psql(
            f"SELECT count(*) > 0 FROM pg_proc WHERE proname = '{m.group(1)}'").strip() == "t"
        if m and not builtin and m.group(1) not in " ".join(self.extra):
            # a function of the user's own, volatile as lint assumes an unknown one is; it returns
            # the type of the column its result goes into when the statement names one
            col = re.search(r"(?i)ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?[\w\"]+\s+(\w+)", stmt["sql"])
            returns = col.group(1) if col else "int"
            body = {"uuid": "SELECT md5(random()::text)::uuid"}.get(returns.lower(), f"SELECT (random() * 100)::int::{returns}")
            self.need_schema_of(m.group(1))
            self.extra.append(f"CREATE FUNCTION {qualified(m.group(1))}({m.group(2)}) RETURNS {returns} "
                              f"LANGUAGE sql VOLATILE AS $$ {body} $$;")
            return True
        return False

    def need_schema_of(self, name):
        if "." in name and name.split(".")[0] not in self.schemas and name.split(".")[0] != "public":
            self.schemas.append(name.split(".")[0])

    def set_column_type(self, table, column, type_):
        table = next((t for t in self.tables if t == table or t.split(".")[-1] == table), table)
        cols = self.columns.setdefault(table, {})
        if cols.get(column) == type_:
            return False
        self.tables.setdefault(table, "table")
        cols[column] = type_
        return True

    def add_column(self, table, column, type_):
        if not table:
            return False
        table = next((t for t in self.tables if t == table or t.split(".")[-1] == table), table)
        self.need_schema_of(table)
        self.tables.setdefault(table, "table")
        cols = self.columns.setdefault(table, {})
        if column in cols:
            return False
        cols[column] = type_
        return True


def main():
    pgsieve = os.path.abspath(sys.argv[1])
    only = set(sys.argv[2:])
    update = os.environ.get("UPDATE_PROOF") == "1"
    failures, verified, unverified, rows = [], 0, [], set()
    work = tempfile.mkdtemp(prefix="pgsieve-proof-")
    count = 0
    with Cluster() as c:
        version = c.psql("SHOW server_version_num").strip()[:2]
        for rule in RULES:
            if only and rule not in only:
                continue
            d = os.path.join(ROOT, "fixtures", rule)
            for name in sorted(os.listdir(d)):
                if not name.endswith(".sql") or not name.startswith(("bad-", "ok-")):
                    continue
                path = os.path.join(d, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                first = text.split("\n", 1)[0]
                args = shlex.split(first[len("-- pgsieve-test:"):]) if first.startswith("-- pgsieve-test:") else []
                extra = []
                if "--pg-version" in args and args[args.index("--pg-version") + 1] != version:
                    unverified.append(f"{rule}/{name}: for PostgreSQL {args[args.index('--pg-version') + 1]}")
                    continue
                if "--framework" in args:
                    extra += ["--framework", args[args.index("--framework") + 1]]
                if "--db-setup" in args:
                    unverified.append(f"{rule}/{name}: needs a database of its own")
                    continue
                # the fixture's own files: its starting schema (--schema F) and the migrations
                # linted before it (F.sql), traced before it in the same order
                base = SETUP.get(f"{rule}/{name}", "")
                if "--schema" in args:
                    with open(os.path.join(d, args[args.index("--schema") + 1]), encoding="utf-8") as f:
                        base = f.read() + "\n"
                earlier = [a for i, a in enumerate(args) if a.endswith(".sql") and (i == 0 or args[i - 1] != "--schema")]
                alone_dir = os.path.join(work, f"f{count}")
                os.makedirs(alone_dir)
                paths = []
                for k, e in enumerate(earlier + [name]):
                    dest = os.path.join(alone_dir, f"{k:03d}_{e}")
                    shutil.copyfile(os.path.join(d, e), dest)
                    paths.append(dest)
                setup = Setup(c, base)
                out, why = None, "no run"
                for _ in range(MAX_TRIES):
                    count += 1
                    db = f"proof{count}"
                    c.psql(f"CREATE DATABASE {db}")
                    for k, v in setup.settings.items():
                        c.psql(f"ALTER DATABASE {db} SET {k} = '{v}'")
                    schema = os.path.join(work, f"schema{count}.sql")
                    with open(schema, "w") as f:
                        f.write(setup.sql())
                    r = subprocess.run([pgsieve, "trace", "--no-config", "--format", "json", "--fail-on", "never",
                                        "--rows", "100", "--db", c.dsn(db), "--schema", schema] + extra + paths,
                                       capture_output=True, text=True, timeout=120)
                    c.psql(f"DROP DATABASE {db}")
                    if r.returncode != 0:
                        out, why = None, r.stderr.strip()
                        # a schema grown wrong: give up on this fixture
                        break
                    out = json.loads(r.stdout)
                    failed = [s for s in out["statements"] if s["error"]]
                    if not failed or not setup.learn(failed[0]):
                        break
                if out is None:
                    unverified.append(f"{rule}/{name}: {why[:200]}")
                    continue
                failed = [s for s in out["statements"] if s["error"]]
                if failed and failed[0]["error"]["sqlstate"] in ("42P01", "42703", "3F000", "42704", "42883"):
                    unverified.append(f"{rule}/{name}: {failed[0]['error']['message']}")
                    continue
                verified += 1
                for s in out["statements"]:
                    if s["error"] or not s["observed"]:
                        continue
                    if s["mismatch"] and f"{rule}/{name}" not in KNOWN:
                        failures.append(f"{rule}/{name}:{s['line']}: {s['mismatch']}\n    {s['sql'][:120]}")
                    if not s["predicted"] and not s["rewrites"]:
                        continue
                    if not s["in_transaction"]:
                        continue
                    target = {p["relation"] for p in s["predicted"]}
                    locks = sorted({l["mode"] for l in s["locks"]
                                    if not l["created"] and l["relation"].split(".")[-1] in
                                    {t.split(".")[-1] for t in target}})
                    sql = " ".join(s["sql"].split())
                    rows.add((s["command"], sql[:90] + ("..." if len(sql) > 90 else ""), ", ".join(locks) or "-",
                              "yes" if s["rewrites"] else "no",
                              "yes" if any(x["seq_scans"] for x in s["scans"]) else "no", rule))
    shutil.rmtree(work, ignore_errors=True)

    table = ["# The lock table, verified on a real server", "",
             "Generated by `tests/schema/proof.py` (`UPDATE_PROOF=1` rewrites it): each statement of the",
             "fixtures of the locking and rewrite rules, traced with `pgsieve trace` on PostgreSQL "
             f"{version}, with the locks the server took on the relations the statement names (other "
             "than ones it created), whether it rewrote a table (a new relfilenode) and whether it read "
             "one whole (a sequential scan). For each, lint's prediction (`src/effects/`) agreed with the "
             "observation, or the difference is listed in the test's KNOWN table with its reason. "
             "Statements outside a transaction (CONCURRENTLY) are not listed: their locks end with them; "
             "a mode the transaction already held (a table created earlier in it) is not listed again.",
             "", f"PostgreSQL version: {version}", "",
             "| command | statement | locks observed | rewrite | scan | fixture of |",
             "|---|---|---|---|---|---|"]
    for row in sorted(rows):
        table.append("| " + " | ".join(x.replace("|", "\\|") for x in row) + " |")
    text = "\n".join(table) + "\n"
    if not only:
        if update:
            with open(DOC, "w") as f:
                f.write(text)
        else:
            old = open(DOC).read() if os.path.exists(DOC) else ""
            if old != text:
                failures.append("docs/lock-table-verified.md differs from what was verified (UPDATE_PROOF=1)")
    for u in unverified:
        print("not verified: " + u)
    for f in failures:
        print("FAIL " + f)
    print(f"{verified} fixtures verified, {len(unverified)} not verified, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
