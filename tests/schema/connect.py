#!/usr/bin/env python3
"""The catalog source when things go wrong: a refused connection, a wrong password (which must
never be printed, whatever form it came in), a connection string that does not parse, a lock
held by another session (lock_timeout), and a server that goes away while pgsieve reads the
catalog. Each is a clear message on stderr and exit status 2.

usage: connect.py PGSIEVE
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import Cluster  # noqa: E402

SECRET = "s3cret-Pa55word-xyzzy"
failures = 0


def check(name, ok, detail=""):
    global failures
    if not ok:
        failures += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


def run(pgsieve, args, env=None, timeout=60):
    return subprocess.run([pgsieve] + args, capture_output=True, text=True, env=env, timeout=timeout)


def expect_trouble(name, r, *words, secret=None):
    out = r.stdout + r.stderr
    check(name + ": exit status 2", r.returncode == 2, f"got {r.returncode}: {out.strip()[:300]}")
    for w in words:
        check(f"{name}: says {w!r}", w in r.stderr, r.stderr.strip()[:400])
    if secret:
        check(f"{name}: the password is not printed", secret not in out, out.strip()[:400])


def main():
    pgsieve = os.path.abspath(sys.argv[1])
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    with tempfile.TemporaryDirectory() as tmp:
        # nothing listens there
        r = run(pgsieve, ["schema", "dump", "--db", f"host={tmp} port=5 dbname=x user=u password={SECRET}"],
                env=clean_env)
        expect_trouble("refused (unix socket)", r, "cannot connect", f"host={tmp}", "port=5", "dbname=x",
                       "user=u", secret=SECRET)
        mig = os.path.join(tmp, "001_init.sql")
        with open(mig, "w") as f:
            f.write("CREATE TABLE t (id int);\n")
        r = run(pgsieve, ["lint", "--db", f"postgresql://u:{SECRET}@127.0.0.1:9/x", "--no-config", mig],
                env=clean_env)
        expect_trouble("refused (TCP, URI with a password)", r, "cannot connect", "127.0.0.1", secret=SECRET)
        r = run(pgsieve, ["schema", "dump", "--db", f"host=/nowhere password={SECRET} port"], env=clean_env)
        expect_trouble("a connection string that does not parse", r, "does not parse", secret=SECRET)

    with Cluster(password=SECRET) as pg:
        good = pg.dsn()
        r = run(pgsieve, ["schema", "dump", "--db", good], env=clean_env)
        check("the right password connects", r.returncode == 0, r.stderr.strip()[:300])
        # the dump read from the database cannot be written (a full disk): exit 2, not 0
        with open("/dev/full", "wb") as full:
            p = subprocess.run([pgsieve, "schema", "dump", "--db", good], stdout=full, stderr=subprocess.PIPE,
                               text=True, env=clean_env, timeout=60)
        check("schema dump --db to a full disk: exit 2 with a message",
              p.returncode == 2 and "cannot write" in p.stderr, f"exit {p.returncode}: {p.stderr.strip()[:300]}")
        wrong = "Wr0ng-" + SECRET[::-1]
        bad_dsn = good.replace(f"password={SECRET}", f"password={wrong}")
        r = run(pgsieve, ["schema", "dump", "--db", bad_dsn], env=clean_env)
        expect_trouble("a wrong password", r, "cannot connect", "password authentication failed", secret=wrong)
        check("a wrong password: the right one is not printed either", SECRET not in r.stderr)
        env = pg.env()
        env["PGPASSWORD"] = wrong
        r = run(pgsieve, ["schema", "dump", "--db", ""], env=env)
        expect_trouble("a wrong PGPASSWORD", r, "cannot connect", secret=wrong)
        r = run(pgsieve, ["schema", "dump", "--db",
                          f"postgresql://postgres:{wrong}@/postgres?host={pg.dir}&port={pg.port}"], env=clean_env)
        expect_trouble("a wrong password in a URI", r, "cannot connect", secret=wrong)

    with Cluster() as pg:
        # an expression index: its definition comes from pg_get_indexdef (one on plain columns is
        # written from the catalog rows, which take no lock)
        pg.psql("CREATE TABLE busy (id int PRIMARY KEY, v text); CREATE INDEX busy_v_idx ON busy (lower(v))")
        # another session holds ACCESS EXCLUSIVE: pg_get_indexdef waits, lock_timeout ends it
        holder = subprocess.Popen([os.path.join(pg.bindir, "psql"), "-X", "-q", "-c",
                                   "BEGIN; LOCK TABLE busy IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60)"],
                                  env=pg.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1)
            started = time.time()
            r = run(pgsieve, ["schema", "dump", "--db", pg.dsn()], env=clean_env)
            expect_trouble("a lock held by another session", r, "gave up after waiting", "ACCESS EXCLUSIVE")
            check("the lock wait is bounded", time.time() - started < 30, f"{time.time() - started:.1f} s")

            # the server goes away while pgsieve waits for that lock
            proc = subprocess.Popen([pgsieve, "schema", "dump", "--db", pg.dsn()], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, env=clean_env)
            waiting = False
            for _ in range(50):
                out = pg.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgsieve' "
                              "AND wait_event_type = 'Lock'", check=False)
                if out.strip() == "1":
                    waiting = True
                    break
                time.sleep(0.05)
            check("pgsieve names itself application_name 'pgsieve' and waits", waiting)
            pg.stop("immediate")
            out, err = proc.communicate(timeout=60)
            r = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
            expect_trouble("the server stopped mid-run", r, "lost")
        finally:
            holder.kill()
            holder.wait()

    print(f"{'FAILED' if failures else 'passed'}: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
