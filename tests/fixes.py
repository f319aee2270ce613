#!/usr/bin/env python3
"""Fixes (issue 17): every fix pgsieve offers on the fixtures, applied as a client of the JSON
format would apply it, must give a migration that

- still parses (no syntax-error finding),
- no longer has the finding it fixed (the rule's count drops by the number of its fixes applied),
- has no new finding (no rule's count grows), files the fix created included.

Each fixture (fixtures/<rule>/*.sql) is linted with its `-- pgsieve-test:` options; the fixes of
its findings are applied to a copy, one fix whole or not at all, skipping a fix whose edits
overlap one applied before (as `pgsieve lint --fix` does), and the copy is linted again with
the same options. Also checks that the rules whose docs say they have a fix offer one on at
least one fixture, so a fix cannot disappear unnoticed.

Then `pgsieve lint --fix` itself on migration directories: it writes what the JSON fixes say,
keeps file modes, a second run changes nothing (idempotent), --dry-run prints a unified diff
that `patch` applies to the same result and changes nothing, files outside --since (in a git
repository) and standard input are never touched, and --dry-run without --fix is a usage error.
(Migrations a history table records as applied: tests/schema/fixes.py, against a server.)

usage: fixes.py PGSIEVE FIXTURES_DIR
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import TRACE_RULES, resolve_paths  # noqa: E402

failures = []
passed = 0


def check(ok, what):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(what)
    return ok


def options(path):
    with open(path, "rb") as f:
        first = f.readline().decode("utf-8", "replace")
    marker = "-- pgsieve-test:"
    if not first.startswith(marker):
        return []
    return resolve_paths(shlex.split(first[len(marker):]), path)


def lint(pgsieve, extra, paths, cwd):
    cmd = [pgsieve, "lint", "--no-config", "--format", "json", "--fail-on", "never"] + extra + paths
    p = subprocess.run(cmd, capture_output=True, timeout=60, cwd=cwd)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.decode(errors='replace')}")
    return json.loads(p.stdout)


def overlap(s, e, ts, te):
    """Whether two edits, bytes [s, e) and [ts, te), touch the same text: they share bytes, one
    inserts inside the other's range, or both insert at one place (whose text goes first?)."""
    if s == e and ts == te:
        return s == ts
    if s == e:
        return ts < s < te
    if ts == te:
        return s < ts < e
    return s < te and ts < e


def apply_fixes(fixes, root):
    """Applies fixes (JSON objects) to the files under root, from the last edit to the first;
    returns (applied fixes, created paths)."""
    taken = {}  # file -> [(start, end)] of accepted edits
    accepted = []
    for fix in fixes:
        spans = [(e["file"], e["offset"], e["offset"] + e["length"]) for e in fix["edits"]]
        clash = any(overlap(s, e, ts, te) for f, s, e in spans for ts, te in taken.get(f, []))
        clash = clash or any(os.path.exists(os.path.join(root, n["path"])) for n in fix["files"])
        if clash:
            continue
        for f, s, e in spans:
            taken.setdefault(f, []).append((s, e))
        accepted.append(fix)
    edits = {}
    created = []
    for fix in accepted:
        for e in fix["edits"]:
            edits.setdefault(e["file"], []).append(e)
        for n in fix["files"]:
            with open(os.path.join(root, n["path"]), "wb") as f:
                f.write(n["content"].encode())
            created.append(n["path"])
    for name, es in edits.items():
        with open(os.path.join(root, name), "rb") as f:
            data = f.read()
        for e in sorted(es, key=lambda e: (e["offset"], e["length"]), reverse=True):
            data = data[:e["offset"]] + e["text"].encode() + data[e["offset"] + e["length"]:]
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    return accepted, created


def check_fixture(pgsieve, path, fixed_rules):
    extra = options(path)
    if "--db-setup" in extra:
        return  # needs a server; the fixes of such rules are tested where the server is
    name = os.path.basename(path)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, os.path.join(tmp, name))
        before = lint(pgsieve, extra, [name], tmp)
        mine = [f for f in before["findings"] if f["file"] == name]
        fixes = [f for f in mine if f.get("fix")]
        if not fixes:
            return
        for f in fixes:
            fixed_rules.add(f["rule"])
            check(f["fix"]["title"] and "\n" not in f["fix"]["title"], f"{path}: a fix has a one-line title")
        applied, created = apply_fixes([f["fix"] for f in fixes], tmp)
        by_fix = Counter(f["rule"] for f in fixes if f["fix"] in applied)
        after = lint(pgsieve, extra, [name] + sorted(created), tmp)
        now = [f for f in after["findings"] if f["file"] in [name] + created]
        with open(os.path.join(tmp, name), encoding="utf-8", errors="replace") as f:
            text = f.read()
        what = f"{path} fixed ({', '.join(sorted(by_fix))}):\n{text}"
        check(sum(f["rule"] == "syntax-error" for f in now) <= sum(f["rule"] == "syntax-error" for f in mine),
              f"{what}\n  the fixed migration does not parse: {[f['message'] for f in now if f['rule'] == 'syntax-error']}")
        was, got = Counter(f["rule"] for f in mine), Counter(f["rule"] for f in now)
        for rule, n in by_fix.items():
            check(got[rule] <= was[rule] - n,
                  f"{what}\n  {rule} still fires: {was[rule]} before, {n} fixed, {got[rule]} after")
        for rule in got:
            check(got[rule] <= was[rule],
                  f"{what}\n  a new {rule} finding: {[f['message'] for f in now if f['rule'] == rule]}")


MIGRATIONS = {
    "001_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, a int, payload json);\n"
                      "CREATE INDEX orders_old_idx ON orders (a);\n",
    "002_index.sql": "-- an index for the report\nCREATE INDEX orders_a_idx ON orders (a);\n",
    "003_drop.sql": "DROP INDEX orders_old_idx;\n",
    "004_table.sql": "CREATE TABLE events (id serial PRIMARY KEY, at timestamp, body json);\n",
}


def write_tree(d, files):
    for name, text in files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)


def read_tree(d):
    out = {}
    for name in sorted(os.listdir(d)):
        if os.path.isfile(os.path.join(d, name)):
            with open(os.path.join(d, name), "rb") as f:
                out[name] = f.read()
    return out


def run(pgsieve, args, cwd, stdin=None):
    return subprocess.run([pgsieve, "lint", "--no-config"] + args, cwd=cwd, capture_output=True,
                          timeout=120, input=stdin)


def test_cli(pgsieve):
    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(tmp, "migrations")
        os.mkdir(d)
        write_tree(d, MIGRATIONS)
        os.chmod(os.path.join(d, "002_index.sql"), 0o640)
        before = read_tree(d)

        # what the JSON fixes say, applied by hand, is what --fix must write (first pass)
        want_dir = os.path.join(tmp, "want")
        shutil.copytree(d, want_dir)
        listing = json.loads(run(pgsieve, ["--format", "json", "--fail-on", "never", "migrations"], tmp).stdout)
        fixes = [f["fix"] for f in listing["findings"] if f.get("fix")]
        check(len(fixes) >= 4, f"--fix: the tree has fixes to apply ({len(fixes)})")
        for fx in fixes:
            for e in fx["edits"]:
                e["file"] = os.path.basename(e["file"])
            for n in fx["files"]:
                n["path"] = os.path.basename(n["path"])
        apply_fixes(fixes, want_dir)

        # --dry-run: a diff that patch applies, nothing written, exit 1 (there is something to fix)
        p = run(pgsieve, ["--fix", "--dry-run", "migrations"], tmp)
        check(p.returncode == 1, f"--fix --dry-run exits 1 when it has fixes (got {p.returncode}: {p.stderr.decode()})")
        check(read_tree(d) == before, "--fix --dry-run changes no file")
        diff = p.stdout.decode()
        check(diff.startswith("--- a/migrations/") and "\n+++ b/migrations/" in diff and "\n@@ -" in diff,
              f"--fix --dry-run prints a unified diff:\n{diff}")
        patched = os.path.join(tmp, "patched")
        os.mkdir(patched)
        shutil.copytree(d, os.path.join(patched, "migrations"))
        pr = subprocess.run(["patch", "-p1", "--batch", "--forward"], cwd=patched, input=p.stdout,
                            capture_output=True)
        check(pr.returncode == 0, f"patch applies the --dry-run diff: {pr.stdout.decode()} {pr.stderr.decode()}")
        check(read_tree(os.path.join(patched, "migrations")) == read_tree(want_dir),
              "the --dry-run diff gives what the JSON fixes give")

        # --fix: at least what the first pass gives, then relinted until nothing applies
        p = run(pgsieve, ["--fix", "--fail-on", "never", "migrations"], tmp)
        err = p.stderr.decode()
        check(p.returncode == 0 and "applied " in err, f"--fix reports what it applied (exit {p.returncode}: {err})")
        after = read_tree(d)
        check(after != before, "--fix changed the migrations")
        check(b"CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx" in after["002_index.sql"],
              f"--fix: the index is built concurrently: {after['002_index.sql']!r}")
        check(b"DROP INDEX CONCURRENTLY IF EXISTS orders_old_idx" in after["003_drop.sql"],
              f"--fix: the index is dropped concurrently: {after['003_drop.sql']!r}")
        check(b"body jsonb" in after["004_table.sql"] and b"at timestamptz" in after["004_table.sql"] and
              b"GENERATED BY DEFAULT AS IDENTITY" in after["004_table.sql"],
              f"--fix: the new table's column types: {after['004_table.sql']!r}")
        check(os.stat(os.path.join(d, "002_index.sql")).st_mode & 0o777 == 0o640, "--fix keeps a file's mode")
        check(not [n for n in os.listdir(d) if ".pgsieve-fix." in n], "--fix leaves no temporary file")
        for name, text in after.items():
            one = json.loads(run(pgsieve, ["--format", "json", "--fail-on", "never", os.path.join("migrations", name)],
                                 tmp).stdout)
            check(not [f for f in one["findings"] if f["rule"] == "syntax-error"], f"--fix: {name} parses")
        left = json.loads(run(pgsieve, ["--format", "json", "--fail-on", "never", "migrations"], tmp).stdout)
        for rule in ("create-index-blocking", "drop-index-blocking", "prefer-jsonb", "prefer-timestamptz",
                     "prefer-identity"):
            check(not [f for f in left["findings"] if f["rule"] == rule], f"--fix: no {rule} finding is left")
        was = Counter(f["rule"] for f in listing["findings"])
        for rule, n in Counter(f["rule"] for f in left["findings"]).items():
            check(n <= was[rule], f"--fix: no new {rule} finding ({was[rule]} before, {n} after)")

        # idempotent: a second run writes nothing
        p = run(pgsieve, ["--fix", "--fail-on", "never", "migrations"], tmp)
        check(read_tree(d) == after and "applied 0 fixes" in p.stderr.decode(),
              f"a second --fix changes nothing: {p.stderr.decode()}")
        p = run(pgsieve, ["--fix", "--dry-run", "migrations"], tmp)
        check(p.returncode == 0 and p.stdout == b"", f"--dry-run after --fix shows nothing (exit {p.returncode})")

        # usage, standard input
        p = run(pgsieve, ["--dry-run", "migrations"], tmp)
        check(p.returncode == 2 and b"--dry-run" in p.stderr, f"--dry-run without --fix is a usage error ({p.returncode})")
        p = run(pgsieve, ["--fix", "--fail-on", "never", "-"], tmp, stdin=MIGRATIONS["002_index.sql"].encode())
        check(p.returncode == 0 and "applied 0 fixes" in p.stderr.decode(),
              f"--fix never writes standard input anywhere: {p.stderr.decode()}")

    # --since: a committed migration is context, not touched; the new one is fixed
    with tempfile.TemporaryDirectory() as tmp:
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
        subprocess.run(["git", "init", "-q", tmp], check=True)
        d = os.path.join(tmp, "migrations")
        os.mkdir(d)
        write_tree(d, {k: MIGRATIONS[k] for k in ("001_orders.sql", "002_index.sql")})
        subprocess.run(git + ["add", "."], cwd=tmp, check=True)
        subprocess.run(git + ["commit", "-q", "-m", "first"], cwd=tmp, check=True)
        write_tree(d, {"003_drop.sql": MIGRATIONS["003_drop.sql"]})
        p = run(pgsieve, ["--fix", "--since", "HEAD", "--fail-on", "never", "migrations"], tmp)
        tree = read_tree(d)
        check(tree["002_index.sql"] == MIGRATIONS["002_index.sql"].encode() and
              tree["001_orders.sql"] == MIGRATIONS["001_orders.sql"].encode(),
              f"--fix --since HEAD leaves the committed migrations alone: {p.stderr.decode()}")
        check(b"CONCURRENTLY" in tree["003_drop.sql"], f"--fix --since HEAD fixes the new one: {tree['003_drop.sql']!r}")


def test_baseline(pgsieve):
    """--fix with --baseline: the findings the baseline records are the team's accepted debt,
    neither reported nor fixed; a finding that is not in it is fixed."""
    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(tmp, "migrations")
        os.mkdir(d)
        write_tree(d, {k: MIGRATIONS[k] for k in ("001_orders.sql", "002_index.sql")})
        p = run(pgsieve, ["--write-baseline", "baseline.json", "--fail-on", "never", "migrations"], tmp)
        check(p.returncode == 0 and os.path.exists(os.path.join(tmp, "baseline.json")),
              f"--write-baseline records the debt: {p.stderr.decode()}")
        write_tree(d, {"003_drop.sql": MIGRATIONS["003_drop.sql"]})
        before = read_tree(d)
        p = run(pgsieve, ["--fix", "--baseline", "baseline.json", "--fail-on", "never", "migrations"], tmp)
        tree = read_tree(d)
        check(tree["002_index.sql"] == before["002_index.sql"],
              f"--fix --baseline leaves a baselined finding unfixed: {tree['002_index.sql']!r} {p.stderr.decode()}")
        check(b"DROP INDEX CONCURRENTLY IF EXISTS orders_old_idx" in tree["003_drop.sql"],
              f"--fix --baseline fixes the finding the baseline does not hold: {tree['003_drop.sql']!r}")
        check("(1 file changed, 0 created)" in p.stderr.decode(), f"--fix --baseline changes only that file: {p.stderr.decode()}")
        # without the baseline the same tree has the baselined fix to apply
        p = run(pgsieve, ["--fix", "--dry-run", "migrations"], tmp)
        check(b"CONCURRENTLY IF NOT EXISTS orders_a_idx" in p.stdout,
              f"without --baseline the baselined finding's fix is offered: {p.stdout.decode()}")


def test_markers(pgsieve):
    """A runner that wraps each migration: the concurrent build gets the framework's
    no-transaction marker when it is alone in its migration (docs/frameworks.md has the
    markers and their sources), and the migration then runs it outside a transaction."""
    cases = [
        ("dbmate", {
            "20240101000000_orders.sql": "-- migrate:up\nCREATE TABLE orders (id bigint PRIMARY KEY, a int);\n\n"
                                         "-- migrate:down\nDROP TABLE orders;\n",
            "20240102000000_index.sql": "-- migrate:up\nCREATE INDEX orders_a_idx ON orders (a);\n\n"
                                        "-- migrate:down\nDROP INDEX orders_a_idx;\n",
        }, "20240102000000_index.sql",
         "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);\n\n"
         "-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY IF EXISTS orders_a_idx;\n"),
        ("sqlx", {
            "20240101000000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, a int);\n",
            "20240102000000_index.sql": "CREATE INDEX orders_a_idx ON orders (a);\n",
        }, "20240102000000_index.sql",
         "-- no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);\n"),
    ]
    index = "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);\n"
    diesel_tables = {"2024-01-01-000000_orders/up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, a int);\n",
                     "2024-01-01-000000_orders/down.sql": "DROP TABLE orders;\n",
                     "2024-01-02-000000_index/up.sql": "CREATE INDEX orders_a_idx ON orders (a);\n",
                     "2024-01-02-000000_index/down.sql": "DROP INDEX CONCURRENTLY IF EXISTS orders_a_idx;\n"}
    # (framework, files, the file checked, what it must hold after --fix, the up part's mode then)
    cases = [(fw, files, name, want, "implicit transaction") for fw, files, name, want in cases] + [
        ("goose", {
            "001_orders.sql": "-- +goose Up\nCREATE TABLE orders (id bigint PRIMARY KEY, a int);\n"
                              "-- +goose Down\nDROP TABLE orders;\n",
            "002_index.sql": "-- +goose Up\nCREATE INDEX orders_a_idx ON orders (a);\n"
                             "-- +goose Down\nDROP INDEX CONCURRENTLY IF EXISTS orders_a_idx;\n",
        }, "002_index.sql",
         "-- +goose NO TRANSACTION\n-- +goose Up\n" + index + "-- +goose Down\nDROP INDEX CONCURRENTLY IF EXISTS orders_a_idx;\n",
         "no transaction"),
        # Diesel: metadata.toml written beside up.sql ...
        ("diesel", diesel_tables, "2024-01-02-000000_index/metadata.toml", "run_in_transaction = false\n",
         "implicit transaction"),
        # ... or the key put at its top, where it is not a table's key
        ("diesel", dict(diesel_tables, **{"2024-01-02-000000_index/metadata.toml": "[extra]\nowner = \"ops\"\n"}),
         "2024-01-02-000000_index/metadata.toml", "run_in_transaction = false\n[extra]\nowner = \"ops\"\n",
         "implicit transaction"),
        # ... or its value turned
        ("diesel", dict(diesel_tables, **{"2024-01-02-000000_index/metadata.toml": "run_in_transaction = true\n"}),
         "2024-01-02-000000_index/metadata.toml", "run_in_transaction = false\n", "implicit transaction"),
        # Flyway: the script's .conf that says executeInTransaction=true (else Flyway already runs a
        # lone CREATE INDEX CONCURRENTLY outside a transaction)
        ("flyway", {
            "V1__orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, a int);\n",
            "V2__index.sql": "CREATE INDEX orders_a_idx ON orders (a);\n",
            "V2__index.sql.conf": "# reviewed\nexecuteInTransaction=true\n",
        }, "V2__index.sql.conf", "# reviewed\nexecuteInTransaction=false\n", "no transaction"),
    ]
    for fw, files, name, want, mode in cases:
        with tempfile.TemporaryDirectory() as tmp:
            d = os.path.join(tmp, "migrations")
            os.mkdir(d)
            for rel in files:
                os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
            write_tree(d, files)
            p = run(pgsieve, ["--framework", fw, "--fix", "--fail-on", "never", "migrations"], tmp)
            with open(os.path.join(d, name)) as f:
                got = f.read()
            check(got == want, f"{fw}: --fix adds the no-transaction marker:\n{got}\nwant:\n{want}\n{p.stderr.decode()}")
            left = json.loads(run(pgsieve, ["--framework", fw, "--format", "json", "--fail-on", "never",
                                            "migrations"], tmp).stdout)
            index_file = [k for k in files if "index" in k and not k.endswith(".conf") and "down" not in k][0]
            tx = [f["transaction"] for f in left["files"] if f["path"].endswith(index_file) and f["part"] == "up"]
            check(tx == [mode], f"{fw}: the fixed migration runs {mode} ({tx})")
            rules = [f["rule"] for f in left["findings"] if f["file"].endswith(index_file)]
            check(not {"not-in-transaction", "create-index-blocking", "syntax-error"} & set(rules),
                  f"{fw}: nothing left about the concurrent build ({rules})")
            with open(os.path.join(d, index_file)) as f:
                check("CONCURRENTLY IF NOT EXISTS orders_a_idx" in f.read(), f"{fw}: the build is concurrent")


# A concurrent build that shares its migration with another statement, in each layout pgsieve
# writes new migrations for: (framework, files, the new migration's files with what each holds).
ORDERS = "CREATE TABLE orders (id bigint PRIMARY KEY, a int, b int);\n"
CHANGE = "ALTER TABLE orders ADD COLUMN c int;\n-- for the report\nCREATE INDEX orders_b_idx ON orders (b);\n"
MOVED = "-- for the report\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_b_idx ON orders (b);\n"
UNDO = "ALTER TABLE orders DROP COLUMN c;\n"
DOWN = "-- pgsieve-ignore-file missing-downgrade: the index comes from %s, whose down migration undoes it\n"
NEW_MIGRATIONS = [
    ("golang-migrate", {"000001_orders.up.sql": ORDERS, "000001_orders.down.sql": "DROP TABLE orders;\n",
                        "000002_change.up.sql": CHANGE, "000002_change.down.sql": UNDO},
     {"000003_orders_b_idx_concurrently.up.sql": MOVED,
      "000003_orders_b_idx_concurrently.down.sql": DOWN % "000002_change.up.sql"}),
    ("goose", {"00001_orders.sql": "-- +goose Up\n" + ORDERS + "-- +goose Down\nDROP TABLE orders;\n",
               "00002_change.sql": "-- +goose Up\n" + CHANGE + "-- +goose Down\n" + UNDO},
     {"00003_orders_b_idx_concurrently.sql": "-- +goose NO TRANSACTION\n-- +goose Up\n" + MOVED +
      "\n-- +goose Down\n" + DOWN % "00002_change.sql"}),
    ("dbmate", {"20240101000000_orders.sql": "-- migrate:up\n" + ORDERS + "\n-- migrate:down\nDROP TABLE orders;\n",
                "20240102000000_change.sql": "-- migrate:up\n" + CHANGE + "\n-- migrate:down\n" + UNDO},
     {"20240102000001_orders_b_idx_concurrently.sql": "-- migrate:up transaction:false\n" + MOVED +
      "\n-- migrate:down transaction:false\n" + DOWN % "20240102000000_change.sql"}),
    ("sqlx", {"20240101000000_orders.sql": ORDERS, "20240102000000_change.sql": CHANGE},
     {"20240102000001_orders_b_idx_concurrently.sql": "-- no-transaction\n" + MOVED}),
    ("diesel", {"2024-01-01-000000_orders/up.sql": ORDERS, "2024-01-01-000000_orders/down.sql": "DROP TABLE orders;\n",
                "2024-01-02-000000_change/up.sql": CHANGE, "2024-01-02-000000_change/down.sql": UNDO},
     {"2024-01-02-000001_orders_b_idx_concurrently/up.sql": MOVED,
      "2024-01-02-000001_orders_b_idx_concurrently/down.sql": DOWN % "up.sql",
      "2024-01-02-000001_orders_b_idx_concurrently/metadata.toml": "run_in_transaction = false\n"}),
    ("flyway", {"V1__orders.sql": ORDERS, "V2__change.sql": CHANGE},
     {"V2.1__orders_b_idx_concurrently.sql": MOVED,
      "V2.1__orders_b_idx_concurrently.sql.conf": "executeInTransaction=false\n"}),
    ("sql", {"001_orders.sql": ORDERS, "002_change.sql": CHANGE},
     {"003_orders_b_idx_concurrently.sql": MOVED}),
]


def test_new_migrations(pgsieve):
    """--fix moves a concurrent build out of a migration it shares into a new migration right
    after it, in the runner's layout and naming with its no-transaction marker; the fixed
    tree has no finding about it (nor a new one of any rule), and --dry-run shows the new files."""
    for fw, files, new in NEW_MIGRATIONS:
        with tempfile.TemporaryDirectory() as tmp:
            d = os.path.join(tmp, "migrations")
            for rel in files:
                os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
            write_tree(d, files)
            lint = ["--framework", fw, "--format", "json", "--fail-on", "never", "migrations"]
            before = json.loads(run(pgsieve, lint, tmp).stdout)
            fixes = [f["fix"] for f in before["findings"] if f["rule"] == "create-index-blocking" and f.get("fix")]
            check(len(fixes) == 1 and sorted(os.path.relpath(n["path"], "migrations") for n in fixes[0]["files"]) ==
                  sorted(new), f"{fw}: the fix's files[] are the new migration's ({fixes})")
            p = run(pgsieve, ["--framework", fw, "--fix", "--dry-run", "migrations"], tmp)
            check(all(f"+++ b/migrations/{n}" in p.stdout.decode() for n in new) and
                  not os.path.exists(os.path.join(d, sorted(new)[0])),
                  f"{fw}: --dry-run shows the new files and writes none:\n{p.stdout.decode()}")
            p = run(pgsieve, ["--framework", fw, "--fix", "--fail-on", "never", "migrations"], tmp)
            for name, want in new.items():
                path = os.path.join(d, name)
                got = open(path).read() if os.path.exists(path) else None
                check(got == want, f"{fw}: --fix writes {name}:\n{got}\nwant:\n{want}\n{p.stderr.decode()}")
            changed = [k for k in files if "change" in k and "down" not in k][0]
            with open(os.path.join(d, changed)) as f:
                text = f.read()
            check("CREATE INDEX" not in text and "for the report" not in text and "ADD COLUMN c" in text,
                  f"{fw}: the statement and its comment left {changed}:\n{text}")
            after = json.loads(run(pgsieve, lint, tmp).stdout)
            rules = [f["rule"] for f in after["findings"]]
            check(not {"create-index-blocking", "not-in-transaction", "syntax-error", "migration-graph",
                       "missing-downgrade", "unused-suppression"} & set(rules),
                  f"{fw}: the fixed tree has nothing about the build, the versions or the downs ({rules})")
            was = Counter(f["rule"] for f in before["findings"])
            for rule, n in Counter(rules).items():
                check(n <= was[rule], f"{fw}: no new {rule} finding ({was[rule]} before, {n} after)")
            moved = [f for f in after["files"] if any(f["path"].endswith(n) for n in new) and f["part"] == "up"]
            check(moved and moved[0]["transaction"] in ("implicit transaction", "no transaction", "as written"),
                  f"{fw}: the new migration runs outside the runner's transaction ({moved})")
            p = run(pgsieve, ["--framework", fw, "--fix", "--fail-on", "never", "migrations"], tmp)
            check("applied 0 fixes" in p.stderr.decode() or "created" in p.stderr.decode() and
                  ", 0 created)" in p.stderr.decode(), f"{fw}: a second --fix creates nothing ({p.stderr.decode()})")

    # a VALIDATE moved to the next migration, where the runner wraps the ADD's
    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(tmp, "migrations")
        os.mkdir(d)
        write_tree(d, {"20240101000000_orders.sql": "-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY);\n" +
                       "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n\n"
                       "-- migrate:down\nDROP TABLE orders;\nDROP TABLE users;\n",
                       "20240102000000_fk.sql": "-- migrate:up\nALTER TABLE orders ADD CONSTRAINT orders_user_fk "
                       "FOREIGN KEY (user_id) REFERENCES users (id);\n\n-- migrate:down\n"
                       "ALTER TABLE orders DROP CONSTRAINT orders_user_fk;\n"})
        p = run(pgsieve, ["--framework", "dbmate", "--fix", "--fail-on", "never", "migrations"], tmp)
        tree = read_tree(d)
        new = tree.get("20240102000001_validate_orders_user_fk.sql", b"").decode()
        check(new.startswith("-- migrate:up\nALTER TABLE \"orders\" VALIDATE CONSTRAINT \"orders_user_fk\";\n") and
              b"REFERENCES users (id) NOT VALID;" in tree["20240102000000_fk.sql"],
              f"dbmate: NOT VALID in the migration, VALIDATE in the next one:\n{new}\n{p.stderr.decode()}")
        after = json.loads(run(pgsieve, ["--framework", "dbmate", "--format", "json", "--fail-on", "never",
                                         "migrations"], tmp).stdout)
        rules = [f["rule"] for f in after["findings"]]
        check(not {"add-foreign-key-blocking", "not-valid-never-validated", "missing-downgrade",
                   "migration-graph"} & set(rules), f"dbmate: the fixed tree is clean of the key's findings ({rules})")


def main():
    pgsieve, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    rules = json.loads(subprocess.run([pgsieve, "rules", "--format", "json"], capture_output=True,
                                      check=True).stdout)
    fixed_rules = set()
    for d in sorted(os.listdir(root)):
        # trace rules' fixtures are run by `pgsieve trace` against a server (tests/fixtures.py)
        if not os.path.isdir(os.path.join(root, d)) or d == "frameworks" or d in TRACE_RULES:
            continue
        for n in sorted(os.listdir(os.path.join(root, d))):
            if n.endswith(".sql") and (n.startswith("bad-") or n.startswith("ok-")):
                try:
                    check_fixture(pgsieve, os.path.join(root, d, n), fixed_rules)
                except Exception as e:  # noqa: BLE001 - report and go on
                    check(False, f"{os.path.join(d, n)}: {e}")
    for r in rules:
        if r.get("fix"):
            check(r["id"] in fixed_rules, f"{r['id']}: says it has a fix, but no fixture got one")
    test_cli(pgsieve)
    test_baseline(pgsieve)
    test_markers(pgsieve)
    test_new_migrations(pgsieve)
    print("rules with fixes on the fixtures: " + ", ".join(sorted(fixed_rules)))
    for f in failures:
        print("FAIL " + f)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
