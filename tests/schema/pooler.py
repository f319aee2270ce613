#!/usr/bin/env python3
"""pgsieve through a real PgBouncer in transaction pooling mode, with one server connection for
every client: whatever pgsieve sets must end with its transaction, so that the next client on
that server connection finds its own settings. `schema dump --db`, `lint --db` and
`status --db` run through the pooler, then a second client checks search_path, lock_timeout,
statement_timeout, idle_in_transaction_session_timeout and jit, and that nothing is left in a
transaction. Before settings were SET LOCAL, the second client found search_path '' and
pgsieve's timeouts.

usage: pooler.py PGSIEVE
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import SKIP, Cluster  # noqa: E402

failures = 0
SETTINGS = ["search_path", "lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout", "jit"]


def check(name, ok, detail=""):
    global failures
    if not ok:
        failures += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


def find_pgbouncer():
    for p in [shutil.which("pgbouncer"), "/usr/sbin/pgbouncer"]:
        if p and os.path.exists(p):
            return p
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    pgsieve = os.path.abspath(sys.argv[1])
    pgbouncer = find_pgbouncer()
    if not pgbouncer:
        if os.environ.get("CI") == "true":
            print("FAIL: pgbouncer is not installed (ci/deps.sh installs it)")
            return 1
        print("skip: pgbouncer is not installed (Debian package pgbouncer)")
        return SKIP
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    with Cluster() as pg, tempfile.TemporaryDirectory() as tmp:
        pg.psql("CREATE TABLE t (id int PRIMARY KEY)")
        # the values a client of the pooler has without pgsieve
        psql = os.path.join(pg.bindir, "psql")
        port = free_port()
        ini = os.path.join(pg.dir, "pgbouncer.ini")
        with open(ini, "w") as f:
            f.write(f"""[databases]
postgres = host={pg.dir} port={pg.port} dbname=postgres user=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = 1
max_db_connections = 1
server_reset_query =
logfile = {pg.dir}/pgbouncer.log
pidfile = {pg.dir}/pgbouncer.pid
""")
        args = [pgbouncer, ini]
        if os.geteuid() == 0:  # pgbouncer will not run as root
            shutil.chown(ini, "postgres", "postgres")
            args = ["runuser", "-u", "postgres", "--"] + args
        bouncer = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            dsn = f"host=127.0.0.1 port={port} dbname=postgres user=app sslmode=disable"

            def client(sql):
                r = subprocess.run([psql, "-X", "-A", "-t", "-d", dsn, "-c", sql], capture_output=True, text=True,
                                   env=env, timeout=30)
                check(f"psql through the pooler: {sql}", r.returncode == 0, r.stderr.strip()[:300])
                return r.stdout

            show = "SELECT " + ", ".join(f"current_setting('{s}')" for s in SETTINGS) + \
                ", pg_backend_pid(), (SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in%')"
            before = client(show).strip().split("|")
            check("the pooler has one server connection for everyone", len(before) == len(SETTINGS) + 2, before)

            mig = os.path.join(tmp, "migrations")
            os.mkdir(mig)
            with open(os.path.join(mig, "20240101000000_init.up.sql"), "w") as f:
                f.write("ALTER TABLE t ADD COLUMN v text;\n")
            with open(os.path.join(mig, "20240101000000_init.down.sql"), "w") as f:
                f.write("ALTER TABLE t DROP COLUMN v;\n")
            client("CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)")
            runs = [
                ["schema", "dump", "--db", dsn],
                ["lint", "--no-config", "--db", dsn, mig],
                ["status", "--framework", "golang-migrate", "--db", dsn, mig],
            ]
            for argv in runs:
                r = subprocess.run([pgsieve] + argv, capture_output=True, text=True, env=env, timeout=60)
                name = " ".join(argv[:2])
                check(f"{name} through PgBouncer (transaction mode) works", r.returncode in (0, 1),
                      f"{r.returncode}: {r.stderr.strip()[:300]}")
                after = client(show).strip().split("|")
                check(f"{name}: the same server connection serves the next client", after[-2] == before[-2],
                      f"backend {before[-2]} then {after[-2]}")
                for i, s in enumerate(SETTINGS):
                    check(f"{name}: the next client's {s} is its own", after[i] == before[i],
                          f"{before[i]!r} before, {after[i]!r} after")
                check(f"{name}: no session is left in a transaction", after[-1] == "0", after[-1])
        finally:
            bouncer.terminate()
            try:
                bouncer.wait(timeout=10)
            except subprocess.TimeoutExpired:
                bouncer.kill()
                bouncer.wait()

    print(f"{'FAILED' if failures else 'passed'}: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
