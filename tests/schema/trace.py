#!/usr/bin/env python3
"""`pgsieve trace` on real servers: the throwaway cluster it starts itself (removed after a run,
after SIGINT and SIGTERM, run as an unprivileged user when the test runs as root), what it
observes per statement (locks, rewrites, scans, errors at the server's position, the framework's
transaction), the findings, --timeout, --rows, and --db on a scratch database of a server this
test starts (pgcluster.py), refused when it holds tables pgsieve did not create.

usage: trace.py PGSIEVE
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import Cluster, find_bindir, SKIP  # noqa: E402

failures = 0


def check(name, ok, detail=""):
    global failures
    if not ok:
        failures += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))
    else:
        print(f"ok {name}")


def write(d, name, text):
    path = os.path.join(d, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


SCHEMA = """CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL, age int);
CREATE TABLE orders (id serial PRIMARY KEY, user_id bigint REFERENCES users (id), total numeric);
"""

CHANGE = """ALTER TABLE users ALTER COLUMN age TYPE bigint;
CREATE INDEX users_email ON users (email);
ALTER TABLE orders ADD CONSTRAINT orders_total_pos CHECK (total >= 0);
SELECT nosuchcolumn FROM users;
ALTER TABLE users ADD COLUMN never int;
"""


def main():
    pgsieve = os.path.abspath(sys.argv[1])
    if not find_bindir():
        print("skip: no PostgreSQL server installed (initdb not found)")
        return SKIP
    work = tempfile.mkdtemp(prefix="pgsieve-trace-test-")
    tmp = os.path.join(work, "tmp")  # pgsieve's TMPDIR: its clusters are made here, and only here
    os.makedirs(tmp)
    os.chmod(work, 0o755)
    os.chmod(tmp, 0o1777)
    env = dict(os.environ, TMPDIR=tmp, NO_COLOR="1")

    def run(args, timeout=120, **kw):
        return subprocess.run([pgsieve, "trace"] + args, capture_output=True, text=True, env=env,
                              timeout=timeout, **kw)

    def leftovers():
        return [n for n in os.listdir(tmp) if n.startswith("pgsieve-trace-")]

    try:
        schema = write(work, "schema.sql", SCHEMA)
        change = write(work, "m/002_change.sql", CHANGE)

        # observation, findings and the JSON shape
        r = run(["--format", "json", "--schema", schema, "--rows", "200", change])
        check("json run exits 1 (findings)", r.returncode == 1, r.stderr)
        out = json.loads(r.stdout) if r.stdout.startswith("{") else {}
        stmts = out.get("statements", [])
        check("five statements, the fifth not run", len(stmts) == 4, [s.get("sql") for s in stmts])
        if len(stmts) == 4:
            alter, index, check_c, bad = stmts
            for key in ("file", "line", "column", "sql", "locks", "rewrites", "scans", "duration_ms", "error"):
                check(f"statement has '{key}'", key in alter)
            check("ALTER TYPE: ACCESS EXCLUSIVE on users",
                  {"relation": "public.users", "mode": "ACCESS EXCLUSIVE"} in
                  [{"relation": l["relation"], "mode": l["mode"]} for l in alter["locks"]], alter["locks"])
            check("ALTER TYPE: users rewritten", "public.users" in alter["rewrites"], alter["rewrites"])
            check("CREATE INDEX: SHARE on users, no stronger",
                  max((l["mode"] for l in index["locks"] if l["relation"] == "public.users"), default="") == "SHARE",
                  index["locks"])
            check("CREATE INDEX: users scanned",
                  any(s["relation"] == "public.users" and s["seq_scans"] > 0 for s in index["scans"]), index["scans"])
            check("CREATE INDEX: the new index is marked created",
                  any(l["relation"] == "public.users_email" and l["created"] for l in index["locks"]), index["locks"])
            check("line and column of the fourth", (bad["line"], bad["column"]) == (4, 1), bad)
            check("the error is the server's", bad["error"] and "nosuchcolumn" in bad["error"]["message"] and
                  bad["error"]["sqlstate"] == "42703", bad["error"])
            check("no mismatch with lint's lock table",
                  all(s["mismatch"] is None for s in stmts), [s["mismatch"] for s in stmts])
        found = {(f["rule"], f["line"], f["column"]) for f in out.get("findings", [])}
        check("migration-fails at the server's error position", ("migration-fails", 4, 8) in found, found)
        check("trace-rewrite at the ALTER TYPE", ("trace-rewrite", 1, 1) in found, found)
        check("trace-scan-under-lock at CREATE INDEX", ("trace-scan-under-lock", 2, 1) in found, found)
        check("rows generated", out.get("server", {}).get("tables_filled") == 2, out.get("server"))
        check("summary says stopped", out.get("summary", {}).get("stopped") is True, out.get("summary"))
        start = out.get("server", {}).get("start_seconds", 99)
        print(f"throwaway cluster started in {start} s (load {os.getloadavg()[0]:.1f})")
        check("the cluster starts in reasonable time", start < 30, start)
        check("the cluster is removed after the run", leftovers() == [], leftovers())

        # the text report: a lock timeline, marked where a lock blocks
        r = run(["--schema", schema, change])
        check("text: exit 1", r.returncode == 1, r.stderr)
        check("text: timeline marks blocking locks", "ACCESS EXCLUSIVE" in r.stdout and
              "<- blocks reads and writes" in r.stdout, r.stdout)
        check("text: findings as lint writes them", "[migration-fails]" in r.stdout, r.stdout)

        # sarif through lint's reporter
        r = run(["--format", "sarif", "--schema", schema, change])
        sarif = json.loads(r.stdout) if r.stdout.startswith("{") else {}
        rules = {res["ruleId"] for run_ in sarif.get("runs", []) for res in run_.get("results", [])}
        check("sarif carries the trace's findings", "migration-fails" in rules and "trace-rewrite" in rules, rules)

        # a lock that blocks, held across a slow statement of the same transaction
        held = write(work, "held.sql", "BEGIN;\nALTER TABLE users ADD COLUMN flag boolean;\n"
                                       "SELECT pg_sleep(0.3);\nCOMMIT;\n")
        r = run(["--format", "json", "--schema", schema, "--slow-ms", "100", held])
        found = [(f["rule"], f["line"]) for f in json.loads(r.stdout)["findings"]] if r.stdout.startswith("{") else []
        check("trace-lock-held at the slow statement", ("trace-lock-held", 3) in found, (found, r.stderr))

        # `-- pgsieve-ignore` before a statement silences the trace's findings on it, as lint's;
        # the same finding on another statement stays, and lint calls the suppression used
        ignored = write(work, "ign/001_ignored.sql",
                        "-- pgsieve-ignore trace-rewrite: users is small, reviewed\n"
                        "ALTER TABLE users ALTER COLUMN age TYPE bigint;\n"
                        "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);\n")
        r = run(["--format", "json", "--schema", schema, "--rows", "50", ignored])
        out = json.loads(r.stdout) if r.stdout.startswith("{") else {}
        found = [(f["rule"], f["line"]) for f in out.get("findings", [])]
        check("pgsieve-ignore: the ignored statement's trace-rewrite is silenced",
              ("trace-rewrite", 2) not in found and len(out.get("statements", [])) == 2, (found, r.stderr))
        check("pgsieve-ignore: the next statement's trace-rewrite stays", ("trace-rewrite", 3) in found, found)
        check("trace: the summary counts the file traced and its statements",
              out.get("summary", {}).get("files") == 1 and out.get("summary", {}).get("statements") == 2,
              out.get("summary"))
        r = run(["--schema", schema, "--rows", "50", ignored])
        check("trace text: the footer counts the file traced", "in 1 file (2 statements)" in r.stdout, r.stdout)
        r = subprocess.run([pgsieve, "check", "--format", "json", "--schema", schema, "--rows", "50", ignored],
                           capture_output=True, text=True, env=env, timeout=120)
        rules = [f["rule"] for f in json.loads(r.stdout).get("findings", [])] if r.stdout.startswith("{") else []
        check("check: a suppression of a trace rule is not called unused by lint",
              "unused-suppression" not in rules and "trace-rewrite" in rules, (rules, r.stderr))

        # COPY ... FROM STDIN gets the data lines that follow it, as psql sends them: the row
        # with age 150 is there for the CHECK after it to refuse
        copy = write(work, "copy/001_copy.sql",
                     "COPY users (email, age) FROM stdin;\n"
                     "a@example.com\t30\n"
                     "b@example.com\t150\n"
                     "\\.\n"
                     "ALTER TABLE users ADD CONSTRAINT users_age_sane CHECK (age < 120);\n")
        r = run(["--format", "json", "--schema", schema, "--rows", "0", copy])
        out = json.loads(r.stdout) if r.stdout.startswith("{") else {}
        stmts = out.get("statements", [])
        check("COPY FROM STDIN: two statements, the data lines are none",
              [s["command"] for s in stmts] == ["COPY", "ALTER TABLE"], ([s.get("sql") for s in stmts], r.stderr))
        if len(stmts) == 2:
            check("COPY FROM STDIN: the data is sent and the COPY succeeds", stmts[0]["error"] is None, stmts[0]["error"])
            check("COPY FROM STDIN: the rows are there (the CHECK fails on age 150)",
                  stmts[1]["error"] is not None and "users_age_sane" in stmts[1]["error"]["message"], stmts[1]["error"])
        nodata = write(work, "copy2/001_copy.sql", "COPY users (email, age) FROM stdin;\n")
        r = run(["--format", "json", "--schema", schema, "--rows", "0", nodata])
        out = json.loads(r.stdout) if r.stdout.startswith("{") else {}
        check("COPY FROM STDIN without data lines: copies nothing, fails nothing",
              [s["error"] for s in out.get("statements", [])] == [None], (out.get("statements"), r.stderr))

        # the Supabase CLI runs the file in a transaction but takes CREATE INDEX CONCURRENTLY
        # out of it (committing what came before, a new transaction for what follows)
        sb = os.path.join(work, "sb")
        write(sb, "supabase/config.toml", 'project_id = "trace-test"\n')
        write(sb, "supabase/migrations/20240101000000_users.sql", SCHEMA)
        alone = write(sb, "supabase/migrations/20240102000000_index.sql",
                      "ALTER TABLE users ADD COLUMN nick text;\n"
                      "CREATE INDEX CONCURRENTLY users_nick ON users (nick);\n"
                      "ALTER TABLE users ADD COLUMN bio text;\n")
        r = run(["--format", "json", "--rows", "20", alone])
        out = json.loads(r.stdout) if r.stdout.startswith("{") else {}
        stmts = out.get("statements", [])
        check("supabase: CONCURRENTLY runs on its own and succeeds",
              len(stmts) == 3 and all(s["error"] is None for s in stmts), ([(s["sql"], s["error"]) for s in stmts], r.stderr))
        check("supabase: the statements around it are in the CLI's transactions",
              [s["in_transaction"] for s in stmts] == [True, False, True], [s.get("in_transaction") for s in stmts])

        # the framework's transaction: golang-migrate sends a file as one multi-statement query,
        # so CREATE INDEX CONCURRENTLY in it fails; as a plain file it runs
        gm = os.path.join(work, "gm")
        write(gm, "1_users.up.sql", SCHEMA)
        write(gm, "1_users.down.sql", "DROP TABLE orders;\nDROP TABLE users;\n")
        write(gm, "2_index.up.sql", "CREATE INDEX CONCURRENTLY users_age ON users (age);\nSELECT 1;\n")
        write(gm, "2_index.down.sql", "DROP INDEX users_age;\n")
        r = run(["--format", "json", gm])
        out = json.loads(r.stdout) if r.stdout.startswith("{") else {}
        msgs = [f["message"] for f in out.get("findings", []) if f["rule"] == "migration-fails"]
        check("golang-migrate: CONCURRENTLY fails in the implicit transaction",
              any("cannot run inside a transaction block" in m for m in msgs), (msgs, r.stderr))
        plain = write(work, "plain/cic.sql", "CREATE INDEX CONCURRENTLY users_age ON users (age);\n")
        r = run(["--format", "json", "--schema", schema, plain])
        out = json.loads(r.stdout) if r.stdout.startswith("{") else {}
        check("plain SQL: CONCURRENTLY runs outside a transaction", r.returncode == 0 and
              out["statements"][0]["error"] is None and not out["statements"][0]["in_transaction"], (r.stdout, r.stderr))

        # --round-trip: a down that does not restore
        rt = os.path.join(work, "rt")
        write(rt, "1_users.up.sql", SCHEMA)
        write(rt, "1_users.down.sql", "DROP TABLE orders;\nDROP TABLE users;\n")
        write(rt, "2_col.up.sql", "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;\n")
        write(rt, "2_col.down.sql", "ALTER TABLE users DROP COLUMN a;\n")
        r = run(["--format", "json", "--round-trip", rt])
        out = json.loads(r.stdout) if r.stdout.startswith("{") else {}
        rt_f = [f for f in out.get("findings", []) if f["rule"] == "round-trip-differs"]
        check("round trip: the down that leaves a column is found", len(rt_f) == 1 and
              "users.b" in rt_f[0]["message"] and rt_f[0]["file"].endswith("2_col.down.sql"), (rt_f, r.stderr))
        phases = [s["phase"] for s in out.get("statements", [])]
        check("round trip: up, down, up again", phases.count("up again") == 4 and phases.count("down") == 3, phases)

        # check: lint and the round trip in one report
        ck = os.path.join(work, "ck")
        write(ck, "1_users.up.sql", SCHEMA)
        write(ck, "1_users.down.sql", "DROP TABLE orders;\nDROP TABLE users;\n")
        write(ck, "2_idx.up.sql", "CREATE INDEX users_age ON users (age);\nALTER TABLE users ADD COLUMN b int;\n")
        write(ck, "2_idx.down.sql", "DROP INDEX users_age;\n")
        r = subprocess.run([pgsieve, "check", "--format", "json", ck], capture_output=True, text=True, env=env,
                           timeout=120)
        out = json.loads(r.stdout) if r.stdout.startswith("{") else {}
        rules = {f["rule"] for f in out.get("findings", [])}
        check("check: exit 1", r.returncode == 1, r.stderr)
        check("check: lint's findings", "create-index-blocking" in rules, rules)
        check("check: the trace's findings", "trace-scan-under-lock" in rules, rules)
        check("check: the round trip", "round-trip-differs" in rules, rules)
        r = subprocess.run([pgsieve, "check", "--format", "sarif", ck], capture_output=True, text=True, env=env,
                           timeout=120)
        check("check: sarif", r.returncode == 1 and '"create-index-blocking"' in r.stdout and
              '"round-trip-differs"' in r.stdout, r.stderr)
        check("check left no cluster", leftovers() == [], leftovers())

        # --timeout: pgsieve's deadline cancels a statement whatever its own statement_timeout
        slow = write(work, "slow.sql", "SET statement_timeout = 0;\nSELECT pg_sleep(60);\n")
        t0 = time.time()
        r = run(["--timeout", "1", slow], timeout=60)
        took = time.time() - t0
        check("--timeout cancels", r.returncode == 1 and "--timeout" in r.stdout, (r.stdout, r.stderr))
        check("--timeout ends the run soon", took < 30, took)

        # interrupted: the cluster goes whatever way pgsieve ends
        for sig in (signal.SIGINT, signal.SIGTERM):
            p = subprocess.Popen([pgsieve, "trace", slow], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                                 start_new_session=True)
            deadline = time.time() + 60
            while time.time() < deadline and not any(
                    os.path.exists(os.path.join(tmp, n, "data", "postmaster.pid")) for n in leftovers()):
                time.sleep(0.1)
            time.sleep(0.5)
            check(f"{sig.name}: a cluster was running", leftovers() != [])
            p.send_signal(sig)
            p.wait(timeout=30)
            deadline = time.time() + 20
            while time.time() < deadline and leftovers():
                time.sleep(0.1)
            check(f"{sig.name}: the cluster is removed", leftovers() == [], leftovers())
            ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
            check(f"{sig.name}: no server left running", tmp not in ps, [l for l in ps.splitlines() if tmp in l])

        # no server programs
        empty = os.path.join(work, "empty")
        os.makedirs(empty)
        r = run(["--pg-bin", empty, change])
        check("--pg-bin without programs: exit 2", r.returncode == 2 and "initdb" in r.stderr, r.stderr)
        if os.geteuid() == 0 and shutil.which("unshare"):
            # none anywhere: /usr/lib/postgresql hidden in a mount namespace of its own
            hidden = subprocess.run(
                ["unshare", "-m", "sh", "-c",
                 "mount -t tmpfs none /usr/lib/postgresql && PATH=/nonexistent exec \"$0\" trace \"$1\"",
                 pgsieve, change], capture_output=True, text=True, env=env, timeout=60)
            if "mount" in hidden.stderr and hidden.returncode != 2:
                print("skip: cannot hide /usr/lib/postgresql here: " + hidden.stderr.strip())
            else:
                check("no server programs: exit 2 saying how to install them", hidden.returncode == 2 and
                      "apt-get install postgresql" in hidden.stderr, hidden.stderr)

        # --db: a scratch database only
        with Cluster(password="s3cret-pw") as c:
            c.psql("CREATE DATABASE app")
            c.psql("CREATE TABLE precious (id int)", dbname="app")
            c.psql("CREATE DATABASE scratch")
            r = run(["--db", c.dsn("app"), change])
            check("--db with someone's tables: exit 2", r.returncode == 2 and "public.precious" in r.stderr and
                  "--i-know-this-is-scratch" in r.stderr, r.stderr)
            check("--db: the password is never printed", "s3cret-pw" not in r.stderr + r.stdout)
            check("--db refused: nothing written", c.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
                                                          dbname="app").strip() == "1")
            r = run(["--db", c.dsn("scratch"), "--schema", schema, "--format", "json", change])
            check("--db scratch: traced", r.returncode == 1 and '"statements"' in r.stdout, r.stderr)
            check("--db scratch: no password in the report", "s3cret-pw" not in r.stdout + r.stderr)
            again = write(work, "again/003.sql", "ALTER TABLE users ADD COLUMN z int;\n")
            r = run(["--db", c.dsn("scratch"), again])
            check("--db: the tables of pgsieve's earlier trace are accepted", r.returncode == 0, r.stderr)
            r = run(["--db", c.dsn("app"), "--i-know-this-is-scratch", again])
            check("--i-know-this-is-scratch: taken", r.returncode == 1 and "users" in r.stdout, r.stdout + r.stderr)
            check("a no-option run left no cluster", leftovers() == [], leftovers())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
