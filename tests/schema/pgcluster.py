"""A throwaway PostgreSQL cluster for tests: initdb + pg_ctl in a temporary directory, listening
only on a unix socket in that directory on a random port, removed again on exit. Never touches a
server it did not start.

As root (CI runs as root) initdb refuses to run, so the cluster runs as the `postgres` user
(`runuser -u postgres --`), which the postgresql packages create; the temporary directory is
handed to that user. Tests that cannot get a server skip (exit 77, meson's "skipped").
"""
import glob
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77


def find_bindir():
    env = os.environ.get("PG_BINDIR")
    if env and os.path.exists(os.path.join(env, "initdb")):
        return env
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    return None


class Cluster:
    def __init__(self, password=None):
        self.bindir = find_bindir()
        if not self.bindir:
            print("skip: no PostgreSQL server installed (initdb not found)")
            sys.exit(SKIP)
        self.as_root = os.geteuid() == 0
        self.dir = tempfile.mkdtemp(prefix="pgsieve-pg-")
        os.chmod(self.dir, 0o755)
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = os.path.join(self.dir, "data")
        self.port = random.randint(20000, 60000)
        self.password = password
        self.running = False
        self._start(password)

    def _run(self, args, **kw):
        if self.as_root:
            args = ["runuser", "-u", "postgres", "--"] + args
        return subprocess.run(args, capture_output=True, text=True, **kw)

    def _start(self, password):
        args = [os.path.join(self.bindir, "initdb"), "-D", self.data, "-U", "postgres", "--no-sync",
                "-E", "UTF8", "--locale=C"]
        if password:
            pwfile = os.path.join(self.dir, "pw")
            with open(pwfile, "w") as f:
                f.write(password + "\n")
            if self.as_root:
                shutil.chown(pwfile, "postgres", "postgres")
            args += ["-A", "scram-sha-256", "--pwfile", pwfile]
        else:
            args += ["-A", "trust"]
        r = self._run(args)
        if r.returncode != 0:
            self.cleanup()
            print("skip: initdb failed: " + r.stderr.strip())
            sys.exit(SKIP)
        self.start()

    def start(self):
        for _ in range(5):
            r = self._run([os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-w", "-l",
                           os.path.join(self.dir, "log"), "-o",
                           f"-c listen_addresses= -k {self.dir} -p {self.port} -c fsync=off", "start"])
            if r.returncode == 0:
                self.running = True
                return
            self.port = random.randint(20000, 60000)
        self.cleanup()
        print("skip: the server did not start")
        sys.exit(SKIP)

    def stop(self, mode="fast"):
        if self.running:
            self._run([os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", mode, "-w", "stop"])
            self.running = False

    def env(self, dbname="postgres"):
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("PG"):
                del e[k]
        e.update(PGHOST=self.dir, PGPORT=str(self.port), PGUSER="postgres", PGDATABASE=dbname)
        if self.password:
            e["PGPASSWORD"] = self.password
        return e

    def dsn(self, dbname="postgres"):
        s = f"host={self.dir} port={self.port} user=postgres dbname={dbname}"
        if self.password:
            s += f" password={self.password}"
        return s

    def psql(self, sql=None, file=None, dbname="postgres", check=True):
        args = [os.path.join(self.bindir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t"]
        if file:
            args += ["-f", file]
        else:
            args += ["-c", sql]
        r = subprocess.run(args, capture_output=True, text=True, env=self.env(dbname))
        if check and r.returncode != 0:
            raise RuntimeError(f"psql failed: {r.stderr}")
        return r.stdout

    def create_from(self, dbname, migrations_dir):
        """A new database with the .sql files of migrations_dir run into it in name order."""
        self.psql(f'CREATE DATABASE "{dbname}"')
        for f in sorted(os.listdir(migrations_dir)):
            if f.endswith(".sql"):
                self.psql(file=os.path.join(migrations_dir, f), dbname=dbname)

    def pg_dump(self, out, dbname="postgres"):
        r = subprocess.run([os.path.join(self.bindir, "pg_dump"), "-s", "-f", out], capture_output=True,
                           text=True, env=self.env(dbname))
        if r.returncode != 0:
            raise RuntimeError(f"pg_dump failed: {r.stderr}")

    def cleanup(self):
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()
