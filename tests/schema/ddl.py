#!/usr/bin/env python3
"""The DDL the catalog source writes itself, where it does not ask the server's pg_get_*def
functions, is what those functions would have written.

The catalog source writes CREATE INDEX for indexes on plain columns with format() instead of
pg_get_indexdef() (which costs the server about 30 microseconds an index). On a database with
indexes of every shape the model knows (methods, operator classes, collations, orderings,
expressions, predicates, INCLUDE, storage parameters, NULLS NOT DISTINCT, partitioned tables,
materialized views, quoted names, domains, arrays, enums, types whose default operator class is
another type's), every CREATE INDEX line of `pgsieve schema dump --db --format sql` must be
pg_get_indexdef()'s text for that index, and the model must be the one its pg_dump gives.

Also: a database whose encoding is not UTF-8 is read (the session sets client_encoding).

usage: ddl.py PGSIEVE
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import Cluster  # noqa: E402

SCHEMA = r"""
CREATE SCHEMA "Odd Schema";
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TABLE t (
    id bigint PRIMARY KEY, a int, b text, c varchar(20), d text COLLATE "C", e timestamptz,
    f uuid, g numeric(10,2), h boolean, i bytea, j char(3), k "char", l int[], m jsonb,
    n mood, o posint, p cidr, q tsvector, "select" text, "Mixed Col" int
);
CREATE INDEX t_a ON t (a);
CREATE INDEX t_a_b ON t (a, b);
CREATE UNIQUE INDEX t_unique_f ON t (f);
CREATE INDEX t_c ON t (c);
CREATE INDEX t_d ON t (d);
CREATE INDEX t_b_collate ON t (b COLLATE "C");
CREATE INDEX t_d_collate ON t (d COLLATE "default");
CREATE INDEX t_b_pattern ON t (b text_pattern_ops);
CREATE INDEX t_e_desc ON t (e DESC);
CREATE INDEX t_e_nulls ON t (e NULLS FIRST);
CREATE INDEX t_g_h_i_j_k ON t (g, h, i, j, k);
CREATE INDEX t_l_btree ON t (l);
CREATE INDEX t_l_gin ON t USING gin (l);
CREATE INDEX t_m_gin ON t USING gin (m);
CREATE INDEX t_m_path ON t USING gin (m jsonb_path_ops);
CREATE INDEX t_n ON t (n);
CREATE INDEX t_o ON t (o);
CREATE INDEX t_p ON t (p);
CREATE INDEX t_p_gist ON t USING gist (p inet_ops);
CREATE INDEX t_q ON t USING gin (q);
CREATE INDEX t_a_hash ON t USING hash (a);
CREATE INDEX t_e_brin ON t USING brin (e);
CREATE INDEX t_select ON t ("select");
CREATE INDEX "t Mixed Index" ON t ("Mixed Col");
CREATE INDEX t_expr ON t (lower(b));
CREATE INDEX t_partial ON t (a) WHERE a > 0;
CREATE INDEX t_include ON t (a) INCLUDE (b);
CREATE INDEX t_fill ON t (a) WITH (fillfactor = 70);
CREATE UNIQUE INDEX t_nnd ON t (a, b) NULLS NOT DISTINCT;
CREATE TABLE "Odd Schema"."Odd Table" ("Odd Column" int, plain int);
CREATE INDEX "odd index" ON "Odd Schema"."Odd Table" ("Odd Column", plain);
CREATE TABLE parted (k int, v text) PARTITION BY RANGE (k);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
CREATE INDEX parted_k ON parted (k);
CREATE INDEX parted_1_v ON parted_1 (v);
CREATE MATERIALIZED VIEW mv AS SELECT a, b FROM t;
CREATE INDEX mv_a ON mv (a);
ALTER TABLE t ADD CONSTRAINT t_b_key UNIQUE (b);
"""

failures = passes = 0


def check(name, ok, detail=""):
    global failures, passes
    if ok:
        passes += 1
    else:
        failures += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


def main():
    pgsieve = os.path.abspath(sys.argv[1])
    with Cluster() as pg, tempfile.TemporaryDirectory() as tmp:
        pg.psql("CREATE DATABASE shapes")
        pg.psql(SCHEMA, dbname="shapes")
        # every index the source writes a CREATE INDEX for (not constraints', not partitions'
        # copies of their parent's), as the server writes it
        want = pg.psql(
            "SELECT pg_get_indexdef(i.indexrelid) || ';' FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid"
            "  AND con.contype IN ('p', 'u', 'x'))"
            " AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)"
            " ORDER BY 1", dbname="shapes").splitlines()
        check("the database has its indexes", len(want) >= 30, f"{len(want)} indexes")
        r = subprocess.run([pgsieve, "schema", "dump", "--db", pg.dsn("shapes"), "--format", "sql"],
                           capture_output=True, text=True, timeout=120)
        check("schema dump --format sql exits 0", r.returncode == 0, r.stderr.strip()[:300])
        got = sorted(line for line in r.stdout.splitlines()
                     if line.startswith("CREATE INDEX") or line.startswith("CREATE UNIQUE INDEX"))
        for line in sorted(set(want) - set(got)):
            check("pg_get_indexdef's text is written", False, line)
        for line in sorted(set(got) - set(want)):
            check("only pg_get_indexdef's text is written", False, line)
        check("as many indexes as the server has", len(got) == len(want), f"{len(got)} != {len(want)}")

        # and the model agrees with the one pg_dump's output gives
        dump_file = os.path.join(tmp, "dump.sql")
        pg.pg_dump(dump_file, dbname="shapes")
        models = []
        for args in (["--db", pg.dsn("shapes")], ["--schema", dump_file]):
            r = subprocess.run([pgsieve, "schema", "dump"] + args, capture_output=True, text=True, timeout=120)
            check(f"schema dump {args[0]} exits 0", r.returncode == 0, r.stderr.strip()[:300])
            models.append(json.loads(r.stdout) if r.returncode == 0 else None)
        check("the database and its pg_dump give one model", models[0] == models[1] and models[0],
              "they differ")
        if models[0]:
            check("the model has the indexes", len(models[0]["indexes"]) >= len(want),
                  f"{len(models[0]['indexes'])} indexes")

        # a database in another encoding is read in UTF-8 (the session asks for it)
        pg.psql("CREATE DATABASE latin ENCODING 'LATIN1' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'")
        # psql converts what it sends from UTF-8 (the server stores LATIN1)
        env = dict(pg.env("latin"), PGCLIENTENCODING="UTF8")
        subprocess.run([os.path.join(pg.bindir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                        "CREATE TABLE caf\u00e9 (cr\u00e8me text DEFAULT 'd\u00e9j\u00e0');"
                        " COMMENT ON TABLE caf\u00e9 IS 'na\u00efve'"], env=env, check=True)
        stored = subprocess.run([os.path.join(pg.bindir, "psql"), "-X", "-A", "-t", "-c",
                                 "SELECT convert_to(relname::text, 'LATIN1') FROM pg_class"
                                 " WHERE relname LIKE 'caf%'"], env=env, capture_output=True, text=True)
        check("the test table's name is stored in LATIN1", stored.stdout.strip() == "\\x636166e9",
              stored.stdout.strip())
        r = subprocess.run([pgsieve, "schema", "dump", "--db", pg.dsn("latin")], capture_output=True,
                           timeout=120)
        check("a LATIN1 database is read", r.returncode == 0, r.stderr.decode(errors="replace").strip()[:300])
        if r.returncode == 0:
            table = json.loads(r.stdout.decode("utf-8"))["tables"].get("public.caf\u00e9", {})
            check("its names and texts arrive as UTF-8",
                  table.get("comment") == "na\u00efve" and table["columns"][0]["name"] == "cr\u00e8me"
                  and table["columns"][0]["default"] == "'d\u00e9j\u00e0'", json.dumps(table)[:300])
    print(f"{passes} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
