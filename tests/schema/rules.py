#!/usr/bin/env python3
"""The schema-aware rules against a real server, from --db and from its pg_dump (--schema):

- drop-with-dependents: each DROP is run on the server (in a transaction rolled back) and the
  objects PostgreSQL names as depending on the target (the DETAIL of its error, or of the
  NOTICE of a CASCADE) must be the objects pgsieve names, from the database and from the dump;
  a DROP PostgreSQL accepts without CASCADE must give no finding.

- foreign-key-without-index, invalid-index-present, not-valid-never-validated and
  sequence-near-limit on one database with an unindexed foreign key, an INVALID index left by a
  CREATE UNIQUE INDEX CONCURRENTLY that failed for real, a NOT VALID constraint and sequences
  moved with setval(); from --db, and from the dump, which has the foreign keys and NOT VALID
  but neither validity nor sequence positions (so those two rules must say nothing there).

The database is never written by pgsieve: the tests check it is unchanged afterwards.

usage: rules.py PGSIEVE
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import Cluster  # noqa: E402

failures = 0

DEPENDENTS_SETUP = """
CREATE TYPE mood AS ENUM ('a', 'b');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE DOMAIN moodd AS mood;
CREATE TABLE parent (id bigint PRIMARY KEY, code text UNIQUE, m mood, p posint, note text, extra int);
CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent (id),
                    pcode text REFERENCES parent (code));
CREATE INDEX parent_note_idx ON parent (note);
CREATE INDEX parent_expr_idx ON parent (lower(note));
CREATE INDEX parent_part_idx ON parent (id) WHERE extra > 0;
ALTER TABLE parent ADD CONSTRAINT parent_extra_chk CHECK (extra > 0);
ALTER TABLE parent ADD CONSTRAINT parent_multi UNIQUE (note, extra);
CREATE VIEW v_parent AS SELECT id, note FROM parent;
CREATE VIEW v_v AS SELECT note FROM v_parent;
CREATE MATERIALIZED VIEW mv AS SELECT id FROM parent;
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER t1 BEFORE UPDATE OF extra ON parent FOR EACH ROW EXECUTE FUNCTION trg();
CREATE TRIGGER t2 BEFORE INSERT ON child FOR EACH ROW WHEN (NEW.pcode IS NOT NULL) EXECUTE FUNCTION trg();
ALTER TABLE child ENABLE ROW LEVEL SECURITY;
CREATE POLICY pol ON child USING (pcode <> 'x');
CREATE POLICY pol2 ON child USING (EXISTS (SELECT 1 FROM parent WHERE parent.id = child.parent_id));
CREATE FUNCTION mf(m mood) RETURNS mood LANGUAGE sql AS 'SELECT m';
CREATE FUNCTION pf(p parent) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TABLE holder (m mood, pp parent);
CREATE TABLE inh_child () INHERITS (parent);
CREATE FUNCTION idf(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE TABLE usef (a int, b int GENERATED ALWAYS AS (idf(a)) STORED, c int DEFAULT idf(1) CHECK (idf(a) > 0));
CREATE INDEX usef_idx ON usef (idf(a));
CREATE VIEW v_f AS SELECT idf(a) FROM usef;
CREATE SCHEMA app;
CREATE TABLE app.t (id int);
CREATE VIEW public.v_app AS SELECT * FROM app.t;
CREATE TABLE selfref (id int PRIMARY KEY, up int REFERENCES selfref (id));
CREATE TABLE part (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE part_2024 PARTITION OF part FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
"""

# Each is linted alone against the database above. Those PostgreSQL accepts without CASCADE
# must give no finding.
DROPS = [
    "DROP TABLE parent", "DROP TABLE parent CASCADE", "DROP TABLE child", "DROP TABLE selfref",
    "DROP TABLE part", "DROP TABLE child, parent, holder, inh_child",
    "ALTER TABLE parent DROP COLUMN note", "ALTER TABLE parent DROP COLUMN note CASCADE",
    "ALTER TABLE parent DROP COLUMN extra", "ALTER TABLE parent DROP COLUMN id",
    "ALTER TABLE parent DROP COLUMN code", "ALTER TABLE parent DROP COLUMN m",
    "ALTER TABLE child DROP COLUMN pcode", "ALTER TABLE child DROP COLUMN parent_id",
    "ALTER TABLE usef DROP COLUMN a", "ALTER TABLE usef DROP COLUMN c",
    "DROP TYPE mood", "DROP TYPE mood CASCADE", "DROP DOMAIN posint", "DROP DOMAIN moodd",
    "DROP FUNCTION trg()", "DROP FUNCTION idf(int)", "DROP FUNCTION mf(mood)", "DROP FUNCTION pf(parent)",
    "DROP VIEW v_parent", "DROP VIEW v_v", "DROP MATERIALIZED VIEW mv",
    "DROP SCHEMA app", "DROP SCHEMA app CASCADE",
]


def check(name, ok, detail=""):
    global failures
    if not ok:
        failures += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


def lint(pgsieve, args, path):
    r = subprocess.run([pgsieve, "lint", "--no-config", "--format", "json", "--fail-on", "never"] + args + [path],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"pgsieve lint {' '.join(args)} exited {r.returncode}: {r.stderr}")
    return json.loads(r.stdout)["findings"]


def normalise(what):
    """One object name from PostgreSQL's DETAIL or from a pgsieve finding, in one form: no
    public. qualification, no argument list, domains called types (as PostgreSQL does)."""
    what = re.sub(r"\(.*\)$", "", what.strip())
    what = re.sub(r"\bpublic\.", "", what)
    return re.sub(r"^domain ", "type ", what)


def server_dependents(pg, stmt):
    """What PostgreSQL says depends on what stmt drops: None when it drops without complaint
    and without cascading."""
    r = subprocess.run([os.path.join(pg.bindir, "psql"), "-X", "-q", "-c", f"BEGIN; {stmt}; ROLLBACK;"],
                       capture_output=True, text=True, env=pg.env("deps"))
    out = set()
    for line in r.stderr.splitlines():
        line = re.sub(r"^(DETAIL|NOTICE):\s*", "", line)
        m = re.match(r"^drop cascades to (.*)$", line)
        if m and not re.match(r"^\d+ other objects$", m.group(1)):
            out.add(normalise(m.group(1)))
            continue
        m = re.match(r"^(.*) depends on .*$", line)
        if m:
            out.add(normalise(m.group(1)))
    return out


def pgsieve_dependents(finding):
    """The objects a drop-with-dependents message lists after its colon."""
    listed = re.search(r" depends? on [^:]*: (.*)$", finding["message"]).group(1)
    # names hold no ", " in these tests (no function has two arguments)
    return {normalise(re.sub(r" \(through .*\)$", "", x)) for x in listed.split(", ")}


def test_dependents(pgsieve, pg, tmp):
    pg.psql(DEPENDENTS_SETUP, dbname="deps")
    dump = os.path.join(tmp, "deps.sql")
    pg.pg_dump(dump, dbname="deps")
    for i, stmt in enumerate(DROPS):
        path = os.path.join(tmp, f"drop{i:02}.sql")
        with open(path, "w") as f:
            f.write(stmt + ";\n")
        want = server_dependents(pg, stmt)
        for src, args in (("--db", ["--db", pg.dsn("deps")]), ("--schema", ["--schema", dump])):
            got = [f for f in lint(pgsieve, args + ["--select", "drop-with-dependents"], path)]
            name = f"drop-with-dependents {src}: {stmt}"
            if not want:
                check(name + " gives no finding", not got, got[0]["message"] if got else "")
                continue
            if not got:
                check(name, False, f"no finding; PostgreSQL names {sorted(want)}")
                continue
            check(name + " is an error", got[0]["severity"] == "error", got[0]["severity"])
            cascade = "CASCADE" in stmt
            check(name + (" says what CASCADE drops" if cascade else " says it fails"),
                  ("CASCADE also drops" if cascade else " fails: ") in got[0]["message"], got[0]["message"])
            have = pgsieve_dependents(got[0])
            check(name + " names what PostgreSQL names", have == want,
                  f"missing {sorted(want - have)}, extra {sorted(have - want)}")


FACTS_SETUP = """
CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE orders (id serial PRIMARY KEY, customer_id bigint REFERENCES customers, email text, total numeric);
INSERT INTO orders (email) VALUES ('a@x'), ('a@x');
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
SELECT setval('orders_id_seq', 1932735283);
CREATE TABLE tags (id smallserial PRIMARY KEY, name text);
SELECT setval('tags_id_seq', 25000);
"""

FACTS_MIGRATION = """ALTER TABLE orders ADD COLUMN note text;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS orders_email_key ON orders (email);
ALTER TABLE orders ADD COLUMN parent_id int REFERENCES orders (id);
ALTER TABLE tags ADD COLUMN color text;
ALTER TABLE tags ADD CONSTRAINT tags_customer_fk FOREIGN KEY (id) REFERENCES customers NOT VALID;
"""

FACTS_LATER = """ALTER TABLE tags VALIDATE CONSTRAINT tags_customer_fk;
"""


def by_rule(findings, line, rule):
    return [f for f in findings if f["line"] == line and f["rule"] == rule]


def test_facts(pgsieve, pg, tmp):
    pg.psql(FACTS_SETUP, dbname="facts")
    # a CREATE UNIQUE INDEX CONCURRENTLY that fails on the duplicate leaves an INVALID index
    r = subprocess.run([os.path.join(pg.bindir, "psql"), "-X", "-q", "-c",
                        "CREATE UNIQUE INDEX CONCURRENTLY orders_email_key ON orders (email)"],
                       capture_output=True, text=True, env=pg.env("facts"))
    check("the CONCURRENTLY build fails on the duplicate", r.returncode != 0, r.stderr)
    invalid = pg.psql("SELECT count(*) FROM pg_index WHERE NOT indisvalid", dbname="facts").strip()
    check("it leaves an INVALID index", invalid == "1", invalid)
    dump = os.path.join(tmp, "facts.sql")
    pg.pg_dump(dump, dbname="facts")
    mig = os.path.join(tmp, "facts")
    os.mkdir(mig)
    with open(os.path.join(mig, "001_touch.sql"), "w") as f:
        f.write(FACTS_MIGRATION)
    with open(os.path.join(mig, "002_validate.sql"), "w") as f:
        f.write(FACTS_LATER)
    first = os.path.join(mig, "001_touch.sql")

    def of_first(findings):
        return [f for f in findings if f["file"].endswith("001_touch.sql")]

    db = of_first(lint(pgsieve, ["--db", pg.dsn("facts")], mig))
    def has(findings, src, line, rule, severity=None, contains=None, want=True):
        got = by_rule(findings, line, rule)
        name = f"{src}: line {line} {rule}" + (f" says {contains!r}" if contains else "")
        if not want:
            check(name + " is silent", not got, got[0]["message"] if got else "")
            return
        if not got:
            check(name, False, "no finding")
            return
        check(name + (f" is {severity}" if severity else ""), not severity or got[0]["severity"] == severity,
              got[0]["severity"])
        if contains:
            check(name, any(contains in g["message"] or contains in (g.get("help") or "") for g in got),
                  " | ".join(g["message"] + " / " + (g.get("help") or "") for g in got))

    # the database's own unindexed foreign key of orders, at the first statement on it
    has(db, "--db", 1, "foreign-key-without-index", contains="orders_customer_id_fkey")
    has(db, "--db", 1, "invalid-index-present", contains="orders_email_key")
    has(db, "--db", 2, "invalid-index-present", contains="does nothing")
    has(db, "--db", 1, "not-valid-never-validated", contains="orders_total_check")
    has(db, "--db", 1, "sequence-near-limit", "error", "(90 %)")
    has(db, "--db", 3, "prefer-bigint", contains="already at 90 %")
    has(db, "--db", 4, "sequence-near-limit", "warning", "(76 %)")  # of smallint's 32767
    has(db, "--db", 5, "not-valid-never-validated", want=False)    # validated by 002
    has(db, "--db", 3, "foreign-key-without-index", contains="parent_id")

    fromdump = of_first(lint(pgsieve, ["--schema", dump], mig))
    has(fromdump, "--schema", 1, "foreign-key-without-index", contains="orders_customer_id_fkey")
    has(fromdump, "--schema", 1, "not-valid-never-validated", contains="orders_total_check")
    has(fromdump, "--schema", 1, "invalid-index-present", want=False)
    has(fromdump, "--schema", 2, "invalid-index-present", want=False)
    has(fromdump, "--schema", 1, "sequence-near-limit", want=False)
    has(fromdump, "--schema", 5, "not-valid-never-validated", want=False)

    # linted alone, nothing validates tags_customer_fk
    alone = lint(pgsieve, ["--db", pg.dsn("facts")], first)
    has(alone, "--db, one file", 5, "not-valid-never-validated", contains="tags_customer_fk")


def main():
    pgsieve = os.path.abspath(sys.argv[1])
    with Cluster() as pg, tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        pg.psql("CREATE DATABASE deps")
        test_dependents(pgsieve, pg, tmp)
        pg.psql("CREATE DATABASE facts")
        test_facts(pgsieve, pg, tmp)
        # pgsieve only read: every object is still there
        left = pg.psql("SELECT count(*) FROM pg_class WHERE relname IN ('parent', 'child', 'v_v', 'mv')",
                       dbname="deps").strip()
        check("the database is not changed", left == "4", left)
    print(f"{'FAILED' if failures else 'passed'}: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
