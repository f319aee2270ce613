#!/usr/bin/env python3
"""A server that stops answering: `lint --db`, `status --db`, `schema dump --db` and `diff`
through a proxy on 127.0.0.1 that forwards to a real server until a given phase, then goes
silent (the connection stays open, so TCP keepalives are still answered and only a deadline of
pgsieve's own can end the wait). Each run must end within its deadline (enforced here, not by
meson), with exit status 2 and a message naming the phase that stalled.

Also: connection strings in forms libpq does not take (SQLAlchemy's postgresql+psycopg2://,
dj-database-url's postgis://, user:password@host without a scheme, another scheme) are accepted
as PostgreSQL URIs or refused, and the password never appears in any output format.

usage: stall.py PGSIEVE
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import Cluster  # noqa: E402

failures = 0
TIMEOUT = 2  # --db-timeout of the runs
DEADLINE = 15  # what a run may take at most here: the timeout and some slack for slow builds


def check(name, ok, detail=""):
    global failures
    if not ok:
        failures += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


class StallingProxy:
    """Forwards 127.0.0.1:port to the cluster's unix socket. After `after` queries (simple Query
    or extended Parse messages from the client; 0: at once, before the server's first byte)
    nothing more is forwarded in either direction, and the sockets stay open."""

    def __init__(self, unix_path, after):
        self.unix_path = unix_path
        self.after = after
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.socks = []
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.socks.append(client)
            if self.after == 0:
                continue  # accepted, never answered
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.connect(self.unix_path)
            self.socks.append(server)
            state = {"queries": 0, "silent": False}
            threading.Thread(target=self._client_to_server, args=(client, server, state), daemon=True).start()
            threading.Thread(target=self._server_to_client, args=(server, client, state), daemon=True).start()

    def _client_to_server(self, client, server, state):
        buf = b""
        started = False
        while True:
            try:
                data = client.recv(65536)
            except OSError:
                return
            if not data:
                return
            if state["silent"]:
                continue
            buf += data
            out = b""
            while True:  # whole messages only, to count them
                if not started:
                    if len(buf) < 4:
                        break
                    n = struct.unpack("!I", buf[:4])[0]
                    if len(buf) < n:
                        break
                    code = struct.unpack("!I", buf[4:8])[0]
                    started = code == 196608  # the startup packet (not an SSL or GSS request)
                    out += buf[:n]
                    buf = buf[n:]
                    continue
                if len(buf) < 5:
                    break
                n = struct.unpack("!I", buf[1:5])[0] + 1
                if len(buf) < n:
                    break
                if buf[:1] in (b"Q", b"P"):
                    if state["queries"] >= self.after:
                        state["silent"] = True
                        break
                    state["queries"] += 1
                out += buf[:n]
                buf = buf[n:]
            if out:
                server.sendall(out)

    def _server_to_client(self, server, client, state):
        while True:
            try:
                data = server.recv(65536)
            except OSError:
                return
            if not data or state["silent"]:
                if not data:
                    return
                continue
            try:
                client.sendall(data)
            except OSError:
                return

    def close(self):
        self.stopping = True
        self.listener.close()
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass


def run_stalled(pgsieve, name, args, after, phase_words, pg, env):
    proxy = StallingProxy(os.path.join(pg.dir, f".s.PGSQL.{pg.port}"), after)
    dsn = f"host=127.0.0.1 port={proxy.port} user=postgres dbname=postgres sslmode=disable gssencmode=disable"
    argv = [pgsieve] + [a if a != "DSN" else dsn for a in args] + ["--db-timeout", str(TIMEOUT)]
    started = time.time()
    try:
        r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        check(f"{name}: ends within {DEADLINE} s", False, "it hung")
        proxy.close()
        return
    took = time.time() - started
    proxy.close()
    check(f"{name}: exit status 2", r.returncode == 2, f"got {r.returncode}: {r.stderr.strip()[:300]}")
    check(f"{name}: ends soon after --db-timeout {TIMEOUT}", took < TIMEOUT + 6, f"{took:.1f} s")
    check(f"{name}: says it stopped answering", "did not answer within" in r.stderr, r.stderr.strip()[:300])
    for w in phase_words:
        check(f"{name}: names the phase ({w!r})", w in r.stderr, r.stderr.strip()[:300])


def main():
    pgsieve = os.path.abspath(sys.argv[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    with Cluster() as pg, tempfile.TemporaryDirectory() as tmp:
        pg.psql("CREATE TABLE t (id int PRIMARY KEY)")
        mig = os.path.join(tmp, "migrations")
        os.mkdir(mig)
        with open(os.path.join(mig, "20240101000000_init.up.sql"), "w") as f:
            f.write("ALTER TABLE t ADD COLUMN v text;\n")
        with open(os.path.join(mig, "20240101000000_init.down.sql"), "w") as f:
            f.write("ALTER TABLE t DROP COLUMN v;\n")
        pg.psql("CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)")

        # the proxy itself forwards: a run that does not stall succeeds through it
        proxy = StallingProxy(os.path.join(pg.dir, f".s.PGSQL.{pg.port}"), 10**6)
        dsn = f"host=127.0.0.1 port={proxy.port} user=postgres dbname=postgres sslmode=disable"
        r = subprocess.run([pgsieve, "schema", "dump", "--db", dsn], capture_output=True, text=True, env=env,
                           timeout=DEADLINE)
        proxy.close()
        check("through the proxy: schema dump works", r.returncode == 0 and '"public.t"' in r.stdout, r.stderr[:300])

        dump = ["schema", "dump", "--db", "DSN"]
        run_stalled(pgsieve, "schema dump, silent at connect", dump, 0, ["connecting"], pg, env)
        run_stalled(pgsieve, "schema dump, silent at the settings", dump, 1, ["setting up the session"], pg, env)
        run_stalled(pgsieve, "schema dump, silent at the server version", dump, 6, ["asking the server version"],
                    pg, env)
        run_stalled(pgsieve, "schema dump, silent during the catalog queries", dump, 9, ["reading"], pg, env)
        lint = ["lint", "--no-config", "--db", "DSN", mig]
        run_stalled(pgsieve, "lint, silent at connect", lint, 0, ["connecting"], pg, env)
        run_stalled(pgsieve, "lint, silent during the catalog queries", lint, 8, ["reading"], pg, env)
        status = ["status", "--framework", "golang-migrate", "--db", "DSN", mig]
        run_stalled(pgsieve, "status, silent at connect", status, 0, ["connecting"], pg, env)
        run_stalled(pgsieve, "status, silent at the history table", status, 7, ["history table"], pg, env)
        diff = ["diff", "--from", "DSN", "--to", mig]
        run_stalled(pgsieve, "diff, silent at connect", diff, 0, ["connecting"], pg, env)

        # connection strings other tools write: taken as PostgreSQL URIs, or refused unseen
        secret = "Sekr1t-pw-4242"
        socket_q = f"?host={pg.dir}&port={pg.port}"
        for scheme in ["postgresql+psycopg2", "postgres+asyncpg", "postgis", "pgsql"]:
            r = subprocess.run([pgsieve, "schema", "dump", "--db", f"{scheme}:///postgres{socket_q}&user=postgres"],
                               capture_output=True, text=True, env=env, timeout=DEADLINE)
            check(f"{scheme}:// is a PostgreSQL URI", r.returncode == 0, r.stderr.strip()[:300])
        hostile = [
            f"postgresql+psycopg2://app:{secret}@127.0.0.1:9/db",
            f"postgis://app:{secret}@127.0.0.1:9/db",
            f"app:{secret}@127.0.0.1:9/db",
            f"mysql://app:{secret}@127.0.0.1:9/db",
            f"postgresql://app@127.0.0.1:9/db?password={secret}",
            f"host=127.0.0.1 port=9 password='{secret}' dbname=x",
            f"host=127.0.0.1 port=9 password={secret} dbname",
        ]
        for dsn in hostile:
            for args in (["schema", "dump", "--db", dsn], ["lint", "--no-config", "--db", dsn, mig],
                         ["lint", "--no-config", "--format", "json", "--db", dsn, mig],
                         ["lint", "--no-config", "--format", "sarif", "--db", dsn, mig],
                         ["status", "--framework", "golang-migrate", "--format", "json", "--db", dsn, mig],
                         ["diff", "--from", dsn, "--to", mig], ["diff", "--format", "json", "--from", dsn, "--to", mig]):
                r = subprocess.run([pgsieve] + args, capture_output=True, text=True, env=env, timeout=DEADLINE)
                label = f"{' '.join(args[:2])} with {dsn.replace(secret, '***')}"
                check(f"{label}: exit status 2", r.returncode == 2, f"{r.returncode}: {r.stderr.strip()[:200]}")
                check(f"{label}: the password is not printed", secret not in r.stdout + r.stderr,
                      (r.stdout + r.stderr).strip()[:300])

    print(f"{'FAILED' if failures else 'passed'}: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
