#!/usr/bin/env python3
"""Fixes against a real server (issue 17).

The lock rules' fixes: each statement is fixed by `pgsieve lint --fix` (in a migration of its
own after one that creates the table, so the table is an existing one), then the statement as
written and as fixed each run while another session holds a row lock on the table in an open
transaction (an UPDATE: ROW EXCLUSIVE, what every writing application holds). pg_locks shows, for
the session running the statement, the locks it holds or waits for on the table: as written it
waits for SHARE or ACCESS EXCLUSIVE (it blocks, and everything queued behind it); as fixed it
holds SHARE UPDATE EXCLUSIVE, granted, which no reader or writer conflicts with. The fixed one
then finishes once the other transaction ends, and leaves a valid index (or none, for DROP).

The constraint rules' fixes (NOT VALID + VALIDATE, the SET NOT NULL recipe): each statement of
the fixed migration runs in a transaction of its own, as the fix means it to, and the test reads
what that transaction did: the sequential scans of the table (pg_stat_xact_user_tables) and the
locks it holds on it (pg_locks). As written, the statement scans the table while it holds a lock
writers wait for; as fixed, the one step that scans holds only SHARE UPDATE EXCLUSIVE, and the
steps that take a stronger lock scan nothing. The constraint is there, validated, at the end.

Fixes that write a new migration (a concurrent build moved out of a file it shared, a VALIDATE
in the migration after its ADD): the fixed golang-migrate tree lints clean of them and runs on the
server file by file, as golang-migrate sends each file.

And `lint --db --fix` on golang-migrate migrations whose history table records two as applied:
those two are not touched (the second has a fix pgsieve would otherwise apply), the pending one
is fixed.

usage: fixes.py PGSIEVE
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import Cluster  # noqa: E402

failures = 0
checks = 0


def check(ok, what):
    global failures, checks
    checks += 1
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures += 1
    return ok


TABLE = "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric, note text);\n"
SETUP = TABLE + """INSERT INTO orders SELECT g, g, 'n' || g FROM generate_series(1, 20000) g;
CREATE INDEX orders_note_idx ON orders (note);
"""


def fix(pgsieve, sql):
    """The migration `sql`, after one creating the table, as `lint --fix` leaves it."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "001_orders.sql"), "w") as f:
            f.write(TABLE + "CREATE INDEX orders_note_idx ON orders (note);\n")
        with open(os.path.join(d, "002_change.sql"), "w") as f:
            f.write(sql)
        p = subprocess.run([pgsieve, "lint", "--no-config", "--fix", "--fail-on", "never", d],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"lint --fix failed ({p.returncode}): {p.stderr}")
        with open(os.path.join(d, "002_change.sql")) as f:
            return f.read()


def locks_while_blocked(c, db, sql):
    """Runs sql (a psql script) while another session holds ROW EXCLUSIVE on orders in an open
    transaction; returns the (mode, granted) rows of pg_locks on orders of the session running
    it, once it waits, and its exit status after the other transaction ended."""
    psql = os.path.join(c.bindir, "psql")
    holder = subprocess.Popen([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              env=dict(c.env(db), PGAPPNAME="holder"))
    holder.stdin.write("BEGIN; UPDATE orders SET total = total WHERE id = 1;\n")
    holder.stdin.flush()
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s' AND %s"
    for _ in range(200):
        if c.psql(waiting % ("holder", "state = 'idle in transaction'"), dbname=db).strip() == "1":
            break
        time.sleep(0.05)
    # the script on standard input: psql sends its statements one by one, as a runner without a
    # transaction does (with -c they would form one implicit transaction)
    runner = subprocess.Popen([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=dict(c.env(db), PGAPPNAME="fixcheck"))
    runner.stdin.write(sql)
    runner.stdin.close()
    rows = []
    for _ in range(200):
        if c.psql(waiting % ("fixcheck", "wait_event_type = 'Lock'"), dbname=db).strip() == "1":
            out = c.psql("SELECT l.mode, l.granted FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                         "WHERE a.application_name = 'fixcheck' AND l.relation = 'orders'::regclass "
                         "ORDER BY 1", dbname=db)
            rows = [tuple(line.split("|")) for line in out.splitlines() if line]
            break
        time.sleep(0.05)
    holder.stdin.write("ROLLBACK;\n")
    holder.stdin.close()
    holder.wait(timeout=60)
    runner.wait(timeout=120)
    return rows, runner.returncode, runner.stderr.read()


CASES = [
    # (rule, statement as written, what the fixed text holds)
    ("create-index-blocking", "CREATE INDEX orders_total_idx ON orders (total);\n",
     "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_total_idx"),
    ("drop-index-blocking", "DROP INDEX orders_note_idx;\n", "DROP INDEX CONCURRENTLY IF EXISTS orders_note_idx"),
    ("reindex-blocking", "REINDEX INDEX orders_note_idx;\n", "REINDEX INDEX CONCURRENTLY orders_note_idx"),
    ("reindex-blocking", "REINDEX TABLE orders;\n", "REINDEX TABLE CONCURRENTLY orders"),
]


def lock_cases(pgsieve, c):
    for n, (rule, sql, want) in enumerate(CASES):
        db = f"fix{n}"
        c.psql(f"CREATE DATABASE {db}")
        c.psql(SETUP, dbname=db)
        fixed = fix(pgsieve, sql)
        if not check(want in fixed, f"{rule}: --fix writes {want!r} (got {fixed!r})"):
            continue
        rows, rc, err = locks_while_blocked(c, db, sql)
        strong = [m for m, g in rows if m in ("ShareLock", "AccessExclusiveLock") and g == "f"]
        check(strong and rc == 0, f"{rule}: as written, {sql.strip()!r} waits for a lock writers conflict "
                                  f"with (pg_locks: {rows}; exit {rc} {err.strip()})")
        c.psql("DROP DATABASE " + db)
        c.psql(f"CREATE DATABASE {db}")
        c.psql(SETUP, dbname=db)
        rows, rc, err = locks_while_blocked(c, db, fixed)
        check(rows and all(m == "ShareUpdateExclusiveLock" and g == "t" for m, g in rows) and rc == 0,
              f"{rule}: as fixed, it holds only SHARE UPDATE EXCLUSIVE, granted, and finishes "
              f"(pg_locks: {rows}; exit {rc} {err.strip()})")
        invalid = c.psql("SELECT count(*) FROM pg_index WHERE NOT indisvalid", dbname=db).strip()
        check(invalid == "0", f"{rule}: the fixed statement leaves no INVALID index ({invalid})")
        c.psql("DROP DATABASE " + db)


SCANS = "(SELECT coalesce(sum(seq_scan), 0) FROM pg_stat_xact_user_tables WHERE relname = 'orders')"


def step_effects(c, db, stmt):
    """(scans of orders, its lock modes held) by stmt in a transaction of its own."""
    out = c.psql(f"""BEGIN; CREATE TEMP TABLE s AS SELECT {SCANS} AS v;
        {stmt};
        SELECT {SCANS} - (SELECT v FROM s), (SELECT string_agg(mode, ',' ORDER BY mode) FROM pg_locks
            WHERE pid = pg_backend_pid() AND relation = 'orders'::regclass);
        COMMIT;""", dbname=db)
    scans, locks = [line for line in out.splitlines() if line][-1].split("|")
    return int(scans), set(locks.split(",")) if locks else set()


WEAK = {"AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock"}

RECIPES = [
    ("add-foreign-key-blocking",
     "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n",
     'NOT VALID;\nALTER TABLE "orders" VALIDATE CONSTRAINT "orders_user_fk"',
     "SELECT convalidated FROM pg_constraint WHERE conname = 'orders_user_fk'"),
    ("add-foreign-key-blocking",
     "ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id);\n",
     'ADD CONSTRAINT "orders_user_id_fkey" FOREIGN KEY',
     "SELECT convalidated FROM pg_constraint WHERE conname = 'orders_user_id_fkey'"),
    ("add-check-blocking",
     "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);\n",
     'NOT VALID;\nALTER TABLE "orders" VALIDATE CONSTRAINT "orders_total_positive"',
     "SELECT convalidated FROM pg_constraint WHERE conname = 'orders_total_positive'"),
    ("set-not-null-blocking",
     "ALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n",
     "VALIDATE CONSTRAINT",
     "SELECT attnotnull AND NOT EXISTS (SELECT FROM pg_constraint WHERE conrelid = 'orders'::regclass "
     "AND contype = 'c') FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'note'"),
]

RECIPE_SETUP = """CREATE TABLE users (id bigint PRIMARY KEY);
INSERT INTO users SELECT g FROM generate_series(1, 100) g;
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric, note text);
INSERT INTO orders SELECT g, g % 100 + 1, g, 'n' || g FROM generate_series(1, 20000) g;
"""


def recipe_cases(pgsieve, c):
    before = ("CREATE TABLE users (id bigint PRIMARY KEY);\n"
              "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric, note text);\n")
    for n, (rule, sql, want, done) in enumerate(RECIPES):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "001_tables.sql"), "w") as f:
                f.write(before)
            with open(os.path.join(d, "002_change.sql"), "w") as f:
                f.write(sql)
            subprocess.run([pgsieve, "lint", "--no-config", "--fix", "--fail-on", "never", d],
                           capture_output=True, check=True)
            with open(os.path.join(d, "002_change.sql")) as f:
                fixed = f.read()
        if not check(want in fixed, f"{rule}: --fix writes {want!r} (got {fixed!r})"):
            continue
        db = f"recipe{n}"
        c.psql(f"CREATE DATABASE {db}")
        c.psql(RECIPE_SETUP, dbname=db)
        scans, locks = step_effects(c, db, sql.strip().rstrip(";"))
        check(scans >= 1 and not locks <= WEAK,
              f"{rule}: as written, it scans orders ({scans}) holding {sorted(locks)}")
        c.psql(f"DROP DATABASE {db}")
        c.psql(f"CREATE DATABASE {db}")
        c.psql(RECIPE_SETUP, dbname=db)
        steps = [s.strip() for s in fixed.split(";") if s.strip() and not s.strip().startswith("SET ")]
        seen = []
        for stmt in steps:
            scans, locks = step_effects(c, db, stmt)
            seen.append((stmt.split(" CONSTRAINT")[0][-30:], scans, sorted(locks)))
            check(scans == 0 or locks <= WEAK,
                  f"{rule}: as fixed, a step that scans holds no lock writers wait for: {stmt!r} "
                  f"scans {scans}, holds {sorted(locks)}")
        check(any(s for _, s, _ in seen), f"{rule}: as fixed, the validation still scans once ({seen})")
        check(c.psql(done, dbname=db).strip() == "t", f"{rule}: as fixed, the end state is the same ({done})")
        c.psql(f"DROP DATABASE {db}")


def applied_untouched(pgsieve, c):
    with tempfile.TemporaryDirectory() as d:
        files = {
            "000001_orders.up.sql": TABLE,
            "000002_orders_note.up.sql": "CREATE INDEX orders_note_idx ON orders (note);\n",
            "000003_orders_total.up.sql": "CREATE INDEX orders_total_idx ON orders (total);\n",
        }
        for name, text in files.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        c.psql("CREATE DATABASE gm")
        c.psql("CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null)",
               dbname="gm")
        c.psql(TABLE + files["000002_orders_note.up.sql"], dbname="gm")
        c.psql("INSERT INTO schema_migrations VALUES (2, false)", dbname="gm")
        p = subprocess.run([pgsieve, "lint", "--no-config", "--fix", "--fail-on", "never", "--format", "json",
                            "--db", c.dsn("gm"), d], capture_output=True, text=True)
        check(p.returncode == 0, f"lint --db --fix runs ({p.returncode}: {p.stderr})")
        for name in ("000001_orders.up.sql", "000002_orders_note.up.sql"):
            with open(os.path.join(d, name)) as f:
                check(f.read() == files[name], f"lint --db --fix leaves the applied {name} as it was")
        with open(os.path.join(d, "000003_orders_total.up.sql")) as f:
            text = f.read()
        check("CONCURRENTLY" in text, f"lint --db --fix fixes the pending migration ({text!r})")
        # golang-migrate sends a file as one query: a second statement (a SET lock_timeout fix)
        # would make it an implicit transaction, where the concurrent build fails
        p = subprocess.run([pgsieve, "lint", "--no-config", "--format", "json", "--fail-on", "never",
                            "--db", c.dsn("gm"), d], capture_output=True, text=True)
        left = [f["rule"] for f in json.loads(p.stdout)["findings"]]
        check("not-in-transaction" not in left and "syntax-error" not in left,
              f"the fixed pending migration runs as golang-migrate sends it ({left})")
        # without --db, the same tree would have had 000002 fixed too: the test above means something
        p = subprocess.run([pgsieve, "lint", "--no-config", "--format", "json", "--fail-on", "never", d],
                           capture_output=True, text=True)
        fixable = {os.path.basename(f["file"]) for f in json.loads(p.stdout)["findings"] if f.get("fix")}
        check("000002_orders_note.up.sql" in fixable,
              f"without --db, the applied migration has a fix ({sorted(fixable)})")


def rewrite_cases(pgsieve, c):
    """add-column-rewrite's fix: as written, ADD COLUMN ... DEFAULT gen_random_uuid() rewrites
    the table (pg_class.relfilenode changes); as fixed (the column added bare, then SET DEFAULT),
    nothing is rewritten, the existing rows are left NULL for the batched backfill the fix's
    comment describes, and a new row gets the default."""
    sql = "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
    fixed = fix(pgsieve, sql)
    if not check('ADD COLUMN "token" uuid;' in fixed and "SET DEFAULT gen_random_uuid()" in fixed
                 and "-- backfill" in fixed, f"add-column-rewrite: --fix writes the two steps ({fixed!r})"):
        return
    node = "SELECT relfilenode FROM pg_class WHERE relname = 'orders'"
    for what, script in (("as written", sql), ("as fixed", fixed)):
        c.psql("CREATE DATABASE rewrite")
        c.psql(SETUP, dbname="rewrite")
        before = c.psql(node, dbname="rewrite").strip()
        c.psql(script, dbname="rewrite")
        after = c.psql(node, dbname="rewrite").strip()
        if what == "as written":
            check(before != after, f"add-column-rewrite: {what}, the table is rewritten ({before} -> {after})")
        else:
            nulls = c.psql("SELECT count(*) FROM orders WHERE token IS NULL", dbname="rewrite").strip()
            c.psql("INSERT INTO orders (id) VALUES (-1)", dbname="rewrite")
            new = c.psql("SELECT token IS NOT NULL FROM orders WHERE id = -1", dbname="rewrite").strip()
            check(before == after and nulls == "20000" and new == "t",
                  f"add-column-rewrite: {what}, nothing is rewritten ({before} -> {after}), the 20000 rows "
                  f"are left for the backfill ({nulls}), a new row gets the default ({new})")
        c.psql("DROP DATABASE rewrite")


def new_migration_cases(pgsieve, c):
    """Fixes that write a new migration, on golang-migrate's layout: each up file is sent as one
    query (psql -c, as golang-migrate's ExecContext sends it: several statements are one
    implicit transaction). The concurrent build that shared its file with another statement, and
    the VALIDATE of a constraint added in a file of two statements, each land in a new file
    000003_...; the fixed tree is linted clean of those findings and every file of it runs on
    the server in order, leaving a valid index and a validated constraint."""
    cases = [
        ("create-index-blocking",
         "ALTER TABLE orders ADD COLUMN flag int;\nCREATE INDEX orders_total_idx ON orders (total);\n",
         "000003_orders_total_idx_concurrently.up.sql",
         "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_total_idx'::regclass"),
        ("add-foreign-key-blocking",
         "ALTER TABLE orders ADD COLUMN flag int;\n"
         "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n",
         "000003_validate_orders_user_fk.up.sql",
         "SELECT convalidated FROM pg_constraint WHERE conname = 'orders_user_fk'"),
        ("add-check-blocking",
         "ALTER TABLE orders ADD COLUMN flag int;\n"
         "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);\n",
         "000003_validate_orders_total_positive.up.sql",
         "SELECT convalidated FROM pg_constraint WHERE conname = 'orders_total_positive'"),
    ]
    tables = ("CREATE TABLE users (id bigint PRIMARY KEY);\n"
              "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric, note text);\n")
    for n, (rule, sql, new, done) in enumerate(cases):
        with tempfile.TemporaryDirectory() as d:
            files = {"000001_tables.up.sql": tables, "000001_tables.down.sql": "DROP TABLE orders;\nDROP TABLE users;\n",
                     "000002_change.up.sql": sql, "000002_change.down.sql": "ALTER TABLE orders DROP COLUMN flag;\n"}
            for name, text in files.items():
                with open(os.path.join(d, name), "w") as f:
                    f.write(text)
            lint = [pgsieve, "lint", "--no-config", "--format", "json", "--fail-on", "never", d]
            before = json.loads(subprocess.run(lint, capture_output=True, text=True).stdout)["findings"]
            p = subprocess.run([pgsieve, "lint", "--no-config", "--fix", "--fail-on", "never", d],
                               capture_output=True, text=True)
            names = sorted(os.listdir(d))
            if not check(new in names and new.replace(".up.", ".down.") in names,
                         f"{rule}: --fix writes the new migration {new} and its down ({names}; {p.stderr})"):
                continue
            after = json.loads(subprocess.run(lint, capture_output=True, text=True).stdout)["findings"]
            rules = [f["rule"] for f in after]
            check(rule not in rules and not {"migration-graph", "syntax-error", "not-in-transaction",
                                              "missing-downgrade", "not-valid-never-validated"} & set(rules),
                  f"{rule}: the fixed tree is linted clean of it ({rules})")
            was = [f["rule"] for f in before]
            check(all(rules.count(r) <= was.count(r) for r in rules),
                  f"{rule}: no new finding after the fix ({was} before, {rules} after)")
            db = f"newmig{n}"
            c.psql(f"CREATE DATABASE {db}")
            try:
                c.psql(RECIPE_SETUP, dbname=db)
                c.psql("ALTER TABLE orders DROP COLUMN IF EXISTS flag", dbname=db)
                ran = []
                for name in names:
                    if name.endswith(".up.sql") and not name.startswith("000001"):
                        with open(os.path.join(d, name)) as f:
                            c.psql(f.read(), dbname=db)  # one query, as golang-migrate sends it
                        ran.append(name)
                check(c.psql(done, dbname=db).strip() == "t",
                      f"{rule}: the fixed migrations ({ran}) run on the server, as golang-migrate sends them, "
                      f"and leave it done ({done})")
            except RuntimeError as e:
                check(False, f"{rule}: the fixed migrations run on the server: {e}")
            c.psql(f"DROP DATABASE {db}")


def main():
    pgsieve = os.path.abspath(sys.argv[1])
    with Cluster() as c:
        for case in (lock_cases, recipe_cases, rewrite_cases, applied_untouched, new_migration_cases):
            try:
                case(pgsieve, c)
            except Exception as e:  # a case that cannot run is a failure, not a skip
                check(False, f"{case.__name__}: {e}")
    print(f"{checks - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
