#!/usr/bin/env python3
"""Golden fixtures: fixtures/<rule-id>/bad-*.sql and ok-*.sql.

For each bad-NAME.sql, bad-NAME.expected lists the findings of that rule (and any syntax-error)
one per line as `LINE:COL-END_LINE:END_COL SEVERITY MESSAGE`; each ok-NAME.sql must produce no
finding of the rule. A first line `-- pgsieve-test: ARGS` passes extra arguments to
`pgsieve lint` (for example --pg-version 11 or --assume-in-transaction); relative paths there
(`--config FILE`, or `before.sql`, a migration linted first so that the model knows the tables
it creates as existing ones) are looked up in the fixture's directory, then from the repository
root.

Also fails when a rule has no fixture directory, fewer than three bad or three ok cases, or no
documentation, and when a fixture directory names no rule. A rule that needs a live database
(DATABASE_RULES) needs only the ok cases here; its bad cases are tested against a real server.

`--db-setup FILE` (a SQL file in the fixture's directory) stands for a live database: the runner
starts one throwaway PostgreSQL server (tests/schema/pgcluster.py) the first time a fixture asks,
creates a fresh database per fixture, runs FILE there with psql (errors do not stop it, so a
setup can leave what a failed statement leaves, such as the INVALID index of a failed CREATE
INDEX CONCURRENTLY) and passes `--db DSN` instead. Without a server those fixtures are skipped.

UPDATE_FIXTURES=1 rewrites the .expected files from the current output, for review in git.

usage: fixtures.py PGSIEVE FIXTURES_DIR [RULE...]
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

ENGINE_RULES = {"syntax-error"}
# Rules that report only with a live database (--db), which a fixture cannot have: their ok
# fixtures run here, their bad cases in the named test, against a server it starts.
DATABASE_RULES = {"modified-applied-migration": "tests/schema/status.py"}
# Rules only `pgsieve trace` reports, from what a real server did: their fixtures are traced, each
# on a fresh database of the server the runner starts (--db, a scratch database of its own), not
# linted; skipped without a server. tests/schema/trace.py tests the command itself.
TRACE_RULES = {"migration-fails", "trace-rewrite", "trace-scan-under-lock", "trace-lock-held",
               "trace-mismatch", "round-trip-differs"}


class SkipFixture(Exception):
    pass


class Databases:
    """Fresh databases for --db-setup fixtures, in one server started on first use."""

    def __init__(self):
        self.cluster = None
        self.count = 0
        self.unavailable = False

    def create(self, setup):
        if self.unavailable:
            raise SkipFixture("no PostgreSQL server")
        if self.cluster is None:
            sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema"))
            from pgcluster import Cluster, SKIP  # noqa: E402
            try:
                self.cluster = Cluster()
            except SystemExit as e:
                if e.code == SKIP:
                    self.unavailable = True
                    raise SkipFixture("no PostgreSQL server")
                raise
        self.count += 1
        name = f"fixture{self.count}"
        self.cluster.psql(f"CREATE DATABASE {name}")
        if setup is None:
            return self.cluster.dsn(name)
        psql = os.path.join(self.cluster.bindir, "psql")
        with open(setup, "rb") as f:
            subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=0"], stdin=f, capture_output=True,
                           env=self.cluster.env(name), check=True)
        return self.cluster.dsn(name)

    def close(self):
        if self.cluster is not None:
            self.cluster.cleanup()


DATABASES = Databases()


def resolve_paths(extra, path):
    """Relative paths in a fixture's options, the value of `--config FILE` and extra `.sql`
    files to lint before the fixture (earlier migrations that tell the model about existing
    tables), name files in the fixture's own directory or, failing that, relative to the
    repository root (the directory above fixtures/); so do `.py` files (Alembic revisions a
    framework rule's fixture lints): make them absolute, since the runner's
    working directory varies (meson runs it from the build directory)."""
    fixture_dir = os.path.dirname(os.path.abspath(path))
    repo_root = os.path.dirname(os.path.dirname(fixture_dir))
    out = list(extra)
    for i, arg in enumerate(out):
        if i > 0 and out[i - 1] == "--config":
            prefix, value = "", arg
        elif arg.startswith("--config="):
            prefix, value = "--config=", arg[len("--config="):]
        elif arg.endswith((".sql", ".py")) and not arg.startswith("-"):
            prefix, value = "", arg
        else:
            continue
        if os.path.isabs(value):
            continue
        for base in (fixture_dir, repo_root):
            if os.path.exists(os.path.join(base, value)):
                out[i] = prefix + os.path.join(base, value)
                break
    return out


def lint(pgsieve, path, rule=None):
    with open(path, "rb") as f:
        first = f.readline().decode("utf-8", "replace")
    extra = []
    marker = "-- pgsieve-test:"
    if first.startswith(marker):
        extra = resolve_paths(shlex.split(first[len(marker):]), path)
    if "--db-setup" in extra:
        i = extra.index("--db-setup")
        extra[i:i + 2] = ["--db", DATABASES.create(extra[i + 1])]
    if rule in TRACE_RULES:
        # alone in a directory: the fixtures beside it would be run first as its earlier migrations
        alone = os.path.join(tempfile.mkdtemp(prefix="pgsieve-fixture-"), os.path.basename(path))
        shutil.copyfile(path, alone)
        cmd = [pgsieve, "trace", "--no-config", "--format", "json", "--fail-on", "never",
               "--db", DATABASES.create(None)] + extra + [alone]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=120)
        finally:
            shutil.rmtree(os.path.dirname(alone), ignore_errors=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()}")
        return json.loads(proc.stdout)
    else:
        cmd = [pgsieve, "lint", "--no-config", "--format", "json", "--fail-on", "never"] + extra + [path]
    proc = subprocess.run(cmd, capture_output=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()}")
    return json.loads(proc.stdout)


def render(findings, rule):
    lines = []
    for f in findings:
        if f["rule"] != rule and f["rule"] not in ENGINE_RULES:
            continue
        lines.append(f"{f['line']}:{f['column']}-{f['end_line']}:{f['end_column']} "
                     f"{f['rule']} {f['severity']} {f['message']}")
    return lines


def main():
    pgsieve, root = sys.argv[1], sys.argv[2]
    only = set(sys.argv[3:])
    update = os.environ.get("UPDATE_FIXTURES") == "1"
    rules = json.loads(subprocess.run([pgsieve, "rules", "--format", "json"], capture_output=True,
                                      check=True).stdout)
    rule_ids = {r["id"] for r in rules}
    failures, passed = [], 0

    for d in sorted(os.listdir(root)):
        # fixtures/frameworks holds migration trees per framework (tests/frameworks.py)
        if os.path.isdir(os.path.join(root, d)) and d not in rule_ids and not d.startswith("_") \
                and d != "frameworks":
            failures.append(f"fixtures/{d}: names no rule")

    for rule in sorted(rule_ids):
        if only and rule not in only:
            continue
        doc = subprocess.run([pgsieve, "explain", rule], capture_output=True, text=True)
        if doc.returncode != 0 or len(doc.stdout.strip()) < 200 or "TODO" in doc.stdout:
            failures.append(f"{rule}: rule has no real documentation (docs/rules/{rule}.md)")
        d = os.path.join(root, rule)
        if not os.path.isdir(d):
            failures.append(f"{rule}: no fixtures (fixtures/{rule}/)")
            continue
        names = sorted(os.listdir(d))
        bad = [n for n in names if n.startswith("bad-") and n.endswith(".sql")]
        ok = [n for n in names if n.startswith("ok-") and n.endswith(".sql")]
        if rule in DATABASE_RULES and len(ok) >= 3:
            pass  # the bad cases are in DATABASE_RULES[rule]
        elif len(bad) < 3 or len(ok) < 3:
            failures.append(f"{rule}: needs at least 3 bad and 3 ok fixtures ({len(bad)} bad, {len(ok)} ok)")
        for n in bad:
            path = os.path.join(d, n)
            exp_path = path[:-4] + ".expected"
            try:
                got = render(lint(pgsieve, path, rule)["findings"], rule)
            except SkipFixture as e:
                print(f"skip {path}: {e}")
                continue
            except Exception as e:  # noqa: BLE001 - report and continue
                failures.append(f"{path}: {e}")
                continue
            if update:
                with open(exp_path, "w", encoding="utf-8") as f:
                    f.write("\n".join(got) + ("\n" if got else ""))
            want = []
            if os.path.exists(exp_path):
                with open(exp_path, encoding="utf-8") as f:
                    want = [l.rstrip("\n") for l in f if l.strip()]
            else:
                failures.append(f"{path}: no .expected file (run with UPDATE_FIXTURES=1 and review)")
                continue
            if not any(l.split(" ")[1] == rule for l in want):
                failures.append(f"{path}: a bad fixture must expect at least one {rule} finding")
            if got != want:
                failures.append(f"{path}: findings differ\n  want: " + "\n        ".join(want) +
                                "\n  got:  " + "\n        ".join(got))
            else:
                passed += 1
        for n in ok:
            path = os.path.join(d, n)
            try:
                got = render(lint(pgsieve, path, rule)["findings"], rule)
            except SkipFixture as e:
                print(f"skip {path}: {e}")
                continue
            except Exception as e:  # noqa: BLE001
                failures.append(f"{path}: {e}")
                continue
            if got:
                failures.append(f"{path}: expected no {rule} finding, got\n  " + "\n  ".join(got))
            else:
                passed += 1

    for f in failures:
        print("FAIL " + f)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        DATABASES.close()
