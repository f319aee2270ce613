#!/usr/bin/env python3
"""Rule claims that were wrong or missing once (issue 15), each checked on a real server next to
what pgsieve says about the same SQL:

- what PostgreSQL does: locks held (pg_locks of the session), rewrites (pg_relation_filenode()
  before and after), sequential scans (pg_stat_xact_user_tables.seq_scan, read before and after
  the statement in the same transaction), rows left behind, names it makes, errors;
- what pgsieve says: the findings of the rule concerned, linting the same statements.

Each case states both sides, so that a change in PostgreSQL's behaviour or in the rule fails
here. The tables have 20,000 rows, so a scan is a real one. Nothing is kept: the database is
created for the test and the cluster removed.

usage: accuracy.py PGSIEVE
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import Cluster  # noqa: E402

failures = 0
checks = 0


def check(ok, what):
    global failures, checks
    checks += 1
    if ok:
        print(f"ok: {what.split(' (got ')[0]}")
    else:
        failures += 1
        print(f"FAIL: {what}")


def lint(pgsieve, sql, rule, *args, before=None):
    """The findings of `rule` for the migration `sql` (with an earlier migration `before`)."""
    with tempfile.TemporaryDirectory() as d:
        files = []
        if before is not None:
            files.append(os.path.join(d, "001_before.sql"))
            with open(files[-1], "w") as f:
                f.write(before)
        files.append(os.path.join(d, "002_migration.sql"))
        with open(files[-1], "w") as f:
            f.write(sql)
        r = subprocess.run([pgsieve, "lint", "--no-config", "--format", "json", "--fail-on", "never",
                            "--select", rule, *args, *files], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"pgsieve failed ({r.returncode}): {r.stderr}")
        return [f for f in json.loads(r.stdout)["findings"] if f["file"].endswith("002_migration.sql")]


def rows(cluster, sql, db):
    """psql's unaligned rows of the script's SELECTs, each split at '|'."""
    out = cluster.psql(sql, dbname=db)
    return [line.split("|") for line in out.splitlines() if line]


SETUP = """
CREATE EXTENSION citext;
CREATE TABLE orders (id bigint, total numeric, note varchar(200), code varchar(10), email text,
                     user_id bigint);
INSERT INTO orders SELECT g, g, 'n' || g, 'c' || g, 'e' || g || '@x', g FROM generate_series(1, 20000) g;
CREATE UNIQUE INDEX orders_id_idx ON orders (id);
CREATE UNIQUE INDEX orders_email_key ON orders (email);
CREATE INDEX orders_code_lower_idx ON orders (lower(code));
CREATE INDEX orders_note_idx ON orders (note);
CREATE TABLE settings (key text PRIMARY KEY, value text);
ANALYZE;
"""

# A function whose calls the planner cannot inline, so an index on it is really used.
FUNCTION_SETUP = """
CREATE FUNCTION plus(int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS 'BEGIN RETURN $1 + 1; END';
CREATE TABLE nums (a int, g int GENERATED ALWAYS AS (plus(a)) STORED);
INSERT INTO nums (a) SELECT g FROM generate_series(1, 20000) g;
CREATE INDEX nums_plus_idx ON nums (plus(a));
ANALYZE nums;
"""

SCANS = "(SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'orders')"


def runner_commit(pgsieve, c, db):
    # the runner's BEGIN, the migration, the runner's COMMIT: a failure after the file's COMMIT
    sql = ("INSERT INTO settings VALUES ('a', '1');\nCOMMIT;\n"
           "INSERT INTO settings VALUES ('a', '2');\n")
    r = subprocess.run([os.path.join(c.bindir, "psql"), "-X", "-q", "-c", "BEGIN", "-c", sql.split("\n")[0],
                        "-c", "COMMIT", "-c", "INSERT INTO settings VALUES ('a', '2')"],
                       capture_output=True, text=True, env=c.env(db))
    left = rows(c, "SELECT count(*) FROM settings WHERE key = 'a'", db)
    check(r.returncode != 0 and left == [["1"]],
          "server: after the file's COMMIT inside the runner's transaction a later failure leaves the "
          "first row committed")
    f = lint(pgsieve, sql, "transaction-nesting", "--assume-in-transaction")
    check([x["line"] for x in f] == [2], f"pgsieve: transaction-nesting at the COMMIT (got {f})")
    c.psql("DELETE FROM settings", dbname=db)

    sql = ("INSERT INTO settings VALUES ('b', '1');\nROLLBACK;\n"
           "INSERT INTO settings VALUES ('c', '1');\n")
    c.psql("BEGIN; INSERT INTO settings VALUES ('b', '1'); ROLLBACK; "
           "INSERT INTO settings VALUES ('c', '1'); COMMIT;", dbname=db)
    left = rows(c, "SELECT string_agg(key, ',' ORDER BY key) FROM settings", db)
    check(left == [["c"]], "server: the file's ROLLBACK undid the row before it, the rest committed outside it")
    f = lint(pgsieve, sql, "transaction-nesting", "--assume-in-transaction")
    check([x["line"] for x in f] == [2], f"pgsieve: transaction-nesting at the ROLLBACK (got {f})")
    c.psql("DELETE FROM settings", dbname=db)


def validate_same_transaction(pgsieve, c, db):
    add = "ALTER TABLE orders ADD CONSTRAINT orders_total_chk CHECK (total >= 0) NOT VALID;"
    validate = "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_chk;"
    out = rows(c, f"""BEGIN; {add}
        CREATE TEMP TABLE s AS SELECT {SCANS} AS v;
        {validate}
        SELECT {SCANS} - (SELECT v FROM s),
               (SELECT string_agg(mode, ',' ORDER BY mode) FROM pg_locks
                WHERE pid = pg_backend_pid() AND relation = 'orders'::regclass);
        ROLLBACK;""", db)
    scans, locks = out[0]
    check(int(scans) >= 1 and "AccessExclusiveLock" in locks,
          f"server: VALIDATE after ADD ... NOT VALID in one transaction scans ({scans}) while "
          f"ACCESS EXCLUSIVE is held ({locks})")
    f = lint(pgsieve, f"BEGIN;\n{add}\n{validate}\nCOMMIT;\n", "slow-statement-under-lock",
             before="CREATE TABLE orders (id bigint, total numeric);")
    check([x["line"] for x in f] == [3], f"pgsieve: slow-statement-under-lock at the VALIDATE (got {f})")


def citext_indexes(pgsieve, c, db):
    out = rows(c, """BEGIN;
        CREATE TEMP TABLE f AS SELECT pg_relation_filenode('orders') t, pg_relation_filenode('orders_email_key') e,
            pg_relation_filenode('orders_code_lower_idx') l, pg_relation_filenode('orders_note_idx') n;
        ALTER TABLE orders ALTER COLUMN email TYPE citext;
        ALTER TABLE orders ALTER COLUMN code TYPE text;
        ALTER TABLE orders ALTER COLUMN note TYPE text;
        SELECT pg_relation_filenode('orders') = t, pg_relation_filenode('orders_email_key') = e,
               pg_relation_filenode('orders_code_lower_idx') = l, pg_relation_filenode('orders_note_idx') = n FROM f;
        ROLLBACK;""", db)
    check(out == [["t", "f", "f", "t"]],
          f"server: text -> citext and varchar -> text keep the table, rebuild the citext index and the "
          f"expression index, keep the plain varchar index ({out})")
    before = ("CREATE TABLE orders (id bigint, email text, code varchar(10), note varchar(200));\n"
              "CREATE UNIQUE INDEX orders_email_key ON orders (email);\n"
              "CREATE INDEX orders_code_lower_idx ON orders (lower(code));\n"
              "CREATE INDEX orders_note_idx ON orders (note);\n")
    f = lint(pgsieve, "ALTER TABLE orders ALTER COLUMN email TYPE citext;\n"
             "ALTER TABLE orders ALTER COLUMN code TYPE text;\n"
             "ALTER TABLE orders ALTER COLUMN note TYPE text;\n", "alter-type-rewrite", before=before)
    check([x["line"] for x in f] == [1, 2] and "orders_email_key" in f[0]["message"] and
          "orders_code_lower_idx" in f[1]["message"],
          f"pgsieve: alter-type-rewrite names the rebuilt indexes, nothing for the plain varchar one (got {f})")


def primary_key_using_index(pgsieve, c, db):
    stmt = "ALTER TABLE orders ADD PRIMARY KEY USING INDEX orders_id_idx;"
    out = rows(c, f"""BEGIN; CREATE TEMP TABLE s AS SELECT {SCANS} AS v; {stmt}
        SELECT {SCANS} - (SELECT v FROM s); ROLLBACK;""", db)
    check(out == [["1"]], f"server: ADD PRIMARY KEY USING INDEX on a nullable column scans the table ({out})")
    out = rows(c, f"""BEGIN; ALTER TABLE orders ALTER COLUMN id SET NOT NULL;
        CREATE TEMP TABLE s AS SELECT {SCANS} AS v; {stmt}
        SELECT {SCANS} - (SELECT v FROM s); ROLLBACK;""", db)
    check(out == [["0"]], f"server: ... and not when the column is NOT NULL already ({out})")
    f = lint(pgsieve, stmt + "\n", "set-not-null-blocking")
    check([x["severity"] for x in f] == ["warning"], f"pgsieve: an unknown index is a possible scan (got {f})")
    f = lint(pgsieve, stmt + "\n", "set-not-null-blocking",
             before="CREATE TABLE orders (id bigint);\nCREATE UNIQUE INDEX orders_id_idx ON orders (id);\n")
    check([x["severity"] for x in f] == ["error"], f"pgsieve: a known nullable column is a scan (got {f})")
    f = lint(pgsieve, stmt + "\n", "set-not-null-blocking",
             before="CREATE TABLE orders (id bigint NOT NULL);\nCREATE UNIQUE INDEX orders_id_idx ON orders (id);\n")
    check(f == [], f"pgsieve: a known NOT NULL column is no scan (got {f})")


def select_under_lock(pgsieve, c, db):
    alter = "ALTER TABLE orders ADD COLUMN plan text;"
    out = rows(c, f"""BEGIN; {alter} CREATE TEMP TABLE s AS SELECT {SCANS} AS v;
        SELECT count(*) FROM orders;
        SELECT {SCANS} - (SELECT v FROM s), (SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid()
            AND relation = 'orders'::regclass AND mode = 'AccessExclusiveLock');
        ROLLBACK;""", db)
    check(out[-1] == ["1", "1"], f"server: SELECT count(*) scans the table while ALTER's ACCESS EXCLUSIVE is held ({out})")
    f = lint(pgsieve, f"{alter}\nSELECT count(*) FROM orders;\n", "slow-statement-under-lock",
             "--assume-in-transaction", before="CREATE TABLE orders (id bigint);")
    check([x["line"] for x in f] == [2], f"pgsieve: slow-statement-under-lock at the SELECT (got {f})")


def validated_check_then_set_not_null(pgsieve, c, db):
    c.psql("ALTER TABLE orders ADD CONSTRAINT orders_user_id_not_null CHECK (user_id IS NOT NULL) NOT VALID; "
           "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_not_null;", dbname=db)
    out = rows(c, f"""BEGIN; CREATE TEMP TABLE s AS SELECT {SCANS} AS v;
        ALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;
        SELECT {SCANS} - (SELECT v FROM s); ROLLBACK;""", db)
    check(out == [["0"]], f"server: SET NOT NULL after a validated CHECK (col IS NOT NULL) scans nothing ({out})")
    sql = ("ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_not_null;\n"
           "ALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;\n")
    f = lint(pgsieve, sql, "set-not-null-blocking")
    check([x["severity"] for x in f] == ["warning"] and "unless" in f[0]["message"],
          f"pgsieve: without the migration that added the CHECK, a possible scan (got {f})")
    f = lint(pgsieve, sql, "set-not-null-blocking",
             before="CREATE TABLE orders (user_id bigint);\nALTER TABLE orders ADD CONSTRAINT "
                    "orders_user_id_not_null CHECK (user_id IS NOT NULL) NOT VALID;\n")
    check(f == [], f"pgsieve: with it, no finding (got {f})")


def function_replaced(pgsieve, c, db):
    c.psql(FUNCTION_SETUP, dbname=db)
    replace = "CREATE OR REPLACE FUNCTION plus(int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS 'BEGIN RETURN $1 + 2; END';"
    out = rows(c, f"""{replace} SET enable_seqscan = off;
        SELECT (SELECT string_agg(a::text, ',') FROM nums WHERE plus(a) = 3),
               (SELECT g FROM nums WHERE a = 1), plus(1);""", db)
    check(out == [["2", "2", "3"]],
          f"server: after the replacement the index finds a = 2 for plus(a) = 3 and the stored column "
          f"keeps plus(1) = 2, while plus(1) is now 3 ({out})")
    f = lint(pgsieve, replace + "\n", "immutable-function-replaced", before=FUNCTION_SETUP)
    check(len(f) == 1 and "nums_plus_idx" in f[0]["message"] and "column g" in f[0]["message"],
          f"pgsieve: immutable-function-replaced names the index and the generated column (got {f})")


def enum_label_renamed(pgsieve, c, db):
    c.psql("CREATE TYPE mood AS ENUM ('happy', 'sad'); CREATE TABLE moods (m mood); "
           "INSERT INTO moods VALUES ('sad');", dbname=db)
    stmt = "ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';"
    c.psql(stmt, dbname=db)
    stored = rows(c, "SELECT m FROM moods", db)
    r = subprocess.run([os.path.join(c.bindir, "psql"), "-X", "-q", "-c", "INSERT INTO moods VALUES ('sad')"],
                       capture_output=True, text=True, env=c.env(db))
    check(stored == [["unhappy"]] and "invalid input value for enum" in r.stderr,
          f"server: stored rows read the new label, a write of the old one fails ({stored}, {r.stderr.strip()})")
    f = lint(pgsieve, stmt + "\n", "rename-enum-value")
    check(len(f) == 1 and f[0]["severity"] == "error", f"pgsieve: rename-enum-value (got {f})")


def names_made_and_cut(pgsieve, c, db):
    table = ("CREATE TABLE billing_accounts (id bigint PRIMARY KEY);\n"
             "CREATE TABLE customer_subscription_invoices (id bigint,\n"
             "  customer_billing_account_reference bigint REFERENCES billing_accounts (id),\n"
             "  external_payment_provider_transaction_identifier text UNIQUE);\n")
    c.psql(table, dbname=db)
    made = rows(c, "SELECT conname FROM pg_constraint WHERE conrelid = 'customer_subscription_invoices'::regclass "
                   "ORDER BY conname", db)
    f = lint(pgsieve, table, "identifier-too-long")
    said = sorted(x["message"].split(" is named ")[1].split('"')[1] for x in f if " is named " in x["message"])
    check(said == [m[0] for m in made] and len(said) == 2,
          f"pgsieve: the names it says PostgreSQL makes are the server's ({said} vs {made})")
    prefix = "notification_deliveries_by_recipient_and_scheduled_at_covering_"
    two = (f"CREATE TABLE nd (r int, s int);\nCREATE INDEX {prefix}asc ON nd (r, s);\n"
           f"CREATE INDEX {prefix}desc ON nd (r, s DESC);\n")
    r = subprocess.run([os.path.join(c.bindir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", two],
                       capture_output=True, text=True, env=c.env(db))
    check("already exists" in r.stderr, f"server: two names equal in their first 63 bytes collide ({r.stderr.strip()})")
    f = lint(pgsieve, two, "identifier-too-long")
    check([x["severity"] for x in f] == ["warning", "error"] and f[1]["line"] == 3,
          f"pgsieve: a warning for the long name, an error at the collision (got {f})")


def main():
    pgsieve = os.path.abspath(sys.argv[1])
    with Cluster() as c:
        c.psql("CREATE DATABASE accuracy")
        c.psql(SETUP, dbname="accuracy")
        for case in (runner_commit, validate_same_transaction, citext_indexes, primary_key_using_index,
                     select_under_lock, validated_check_then_set_not_null, function_replaced,
                     enum_label_renamed, names_made_and_cut):
            try:
                case(pgsieve, c, "accuracy")
            except Exception as e:  # a case that cannot run is a failure, not a skip
                check(False, f"{case.__name__}: {e}")
    print(f"{checks - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
