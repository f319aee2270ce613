#!/usr/bin/env python3
"""The plans of `pgsieve diff --format sql` measured on a real server (issue 19), the way
schema-diff tools are judged. For each schema pair A, B:

  1. A and B are loaded into databases of a PostgreSQL server this test starts itself
     (tests/schema/pgcluster.py);
  2. `pgsieve diff --from A --to B --format sql` is written; pgsieve's own lint of it must find no
     syntax error (a plan it prints is meant to run);
  3. the plan is applied with `psql -v ON_ERROR_STOP=1` to two copies of A: one empty, one with
     rows (generated for every table by ROW_GENERATOR, plus the pair's own rows.sql); the pair's
     after.sql then runs on the copy with rows (what the rows must still say: no duplicate key
     from a sequence, no old values in a new column);
  4. `pg_dump -s` of each copy must equal B's, normalised only where pg_dump output varies without
     the schema differing (normalise_dump);
  5. pgsieve's own second diff, from the migrated copy to B, must be empty.

A plan pgsieve refuses (exit 2, or a difference it writes as a note instead of SQL, counted in
`unsupported`) is counted as refused; it must still run, but B is not expected.

A plan that stops at its guard (GUARD: --to requires values the rows lack, which no statement can
give them) runs right when the copy's schema is still A's; it is counted apart, not as exact. A
pair's guard.txt lists what the guard must say (a line starting with "!": must not say).

Pairs: every tests/diff_plans/NAME/{a,b}.sql (hand-written: one per item of issue 19 and the hard
cases), every tests/diff/NAME/{a,b}.sql, and pairs of states of the public migration histories in
../shared/corpora, replayed in their framework's order (the order `pgsieve status` lists them in):
each history is run migration by migration into one database until its first migration that
PostgreSQL refuses here, and a snapshot taken at CORPUS_STEPS points; consecutive snapshots are
the pairs. A pair may also hold `args` (extra arguments of pgsieve diff, one line).

What still fails is listed in XFAIL (pair -> the checks that fail, and why). A listed check that
passes fails the test, so the list only shrinks; docs/diff.md repeats it.

usage: diff_plans.py PGSIEVE SHARED_DIR
Without SHARED_DIR/corpora the test skips (exit 77, tests/shared_data.py); with CI=true or
PGSIEVE_REQUIRE_SHARED=1 its absence fails.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "schema"))
from pgcluster import Cluster  # noqa: E402
sys.path.insert(0, HERE)
import shared_data  # noqa: E402

HAND = os.path.join(HERE, "diff_plans")
OLD_PAIRS = os.path.join(HERE, "diff")
CHECKS = ("plan", "runs-empty", "runs-rows", "after", "dump-empty", "dump-rows", "settles", "guard")

# The histories replayed, and how many snapshots each gives (pairs = snapshots - 1).
CORPORA = {
    "prisma-documenso": 8,
    "gomigrate-ente": 8,
    "diesel-cratesio": 8,
    "gomigrate-kratos": 8,
    "dbmate-supabase-postgres": 5,
    "sqitch-chef-server": 5,
    "flyway-dhis2": 5,
}

# pair -> {check: why it still fails}, in tests/diff_plans/xfail.json. Emptied as the plans are
# fixed; docs/diff.md lists what is left. PGSIEVE_PLAN_WRITE_XFAIL=1 rewrites it with what fails
# now (each reason the first line of the failure), for review in git.
XFAIL_FILE = os.path.join(HAND, "xfail.json")
with open(XFAIL_FILE, encoding="utf-8") as _f:
    XFAIL = json.load(_f)

# The error of the check a plan starts with when --to requires values of rows that no statement
# can give them (a column made NOT NULL without a default): it stops the plan before it changes
# anything. Such a stop counts as the plan running right (the database is verified unchanged),
# not as an exact round trip.
GUARD = "pgsieve plan stopped before changing anything"

# Rows for every table of a database: a few per table, in passes so that foreign keys find rows
# of the tables they reference; a row PostgreSQL refuses (a CHECK, a unique key, a partition
# bound) is skipped. Columns with a default, an identity or a generation expression get theirs.
ROW_GENERATOR = r"""
DO $gen$
DECLARE
  t record; c record; cols text; vals text; v text; i int; pass int; base oid; cat char; tname name;
BEGIN
  FOR pass IN 1..2 LOOP
    FOR t IN SELECT cl.oid FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
             WHERE cl.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg_toast%'
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                               AND d.objid = cl.oid AND d.deptype = 'e')
             ORDER BY cl.oid LOOP
      FOR i IN 1..3 LOOP
        cols := ''; vals := '';
        FOR c IN SELECT a.attname, a.atttypid, a.atttypmod, a.attnum FROM pg_attribute a
                 WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
                   AND a.attgenerated = '' AND a.attidentity = '' AND NOT a.atthasdef
                 ORDER BY a.attnum LOOP
          v := NULL;
          SELECT format('(SELECT r.%I FROM %s r ORDER BY 1 OFFSET %s LIMIT 1)', ra.attname,
                        co.confrelid::regclass, (i + pass) % 3)
            INTO v FROM pg_constraint co JOIN pg_attribute ra ON ra.attrelid = co.confrelid
                                                              AND ra.attnum = co.confkey[1]
            WHERE co.conrelid = t.oid AND co.contype = 'f' AND co.conkey = ARRAY[c.attnum] LIMIT 1;
          IF v IS NULL THEN
            base := c.atttypid;
            WHILE (SELECT typtype FROM pg_type WHERE oid = base) = 'd' LOOP
              base := (SELECT typbasetype FROM pg_type WHERE oid = base);
            END LOOP;
            SELECT typcategory, typname INTO cat, tname FROM pg_type WHERE oid = base;
            v := CASE
              WHEN tname IN ('json', 'jsonb') THEN '''{}'''
              WHEN tname = 'uuid' THEN format('md5(%L)::uuid', t.oid::text || i || pass)
              WHEN cat = 'N' THEN (i + 3 * pass)::text
              WHEN cat = 'S' THEN format('%L', 'v' || (i + 3 * pass))
              WHEN cat = 'B' THEN CASE WHEN i % 2 = 0 THEN 'true' ELSE 'false' END
              WHEN cat = 'D' THEN format('%L', '2024-01-0' || i)
              WHEN cat = 'T' THEN '''1 day'''
              WHEN cat = 'E' THEN format('(enum_range(NULL::%s))[1]', base::regtype)
              WHEN cat = 'A' THEN '''{}'''
              WHEN cat = 'I' THEN '''10.0.0.1'''
              ELSE NULL END;
            IF v IS NOT NULL THEN
              v := v || '::' || format_type(c.atttypid, c.atttypmod);
            END IF;
          END IF;
          IF v IS NOT NULL THEN
            cols := cols || CASE WHEN cols = '' THEN '' ELSE ', ' END || quote_ident(c.attname);
            vals := vals || CASE WHEN vals = '' THEN '' ELSE ', ' END || v;
          END IF;
        END LOOP;
        BEGIN
          IF cols = '' THEN
            EXECUTE format('INSERT INTO %s DEFAULT VALUES', t.oid::regclass);
          ELSE
            EXECUTE format('INSERT INTO %s (%s) VALUES (%s)', t.oid::regclass, cols, vals);
          END IF;
        EXCEPTION WHEN OTHERS THEN
          NULL;
        END;
      END LOOP;
    END LOOP;
  END LOOP;
END
$gen$;
"""

# The statements of a dump, each with its "-- Name: ...; Type: ..." header, compared as a set:
# pg_dump orders objects of one kind by name and then by dependencies, and objects created in
# another order (by a plan, not by B's script) can come out in another order of the same
# dependencies. Also left out: the \restrict key (random per run), SET lines and the header.
# A table's columns are compared as a set: PostgreSQL cannot reorder columns, a column a plan
# adds comes last (docs/diff.md, "Limits"); and its storage parameters (WITH (...)), which
# pg_dump prints in the order they were set and the model keeps sorted.
def normalise_dump(text):
    text = re.sub(r"^\\(un)?restrict .*$", "", text, flags=re.M)
    blocks = re.split(r"\n--\n-- (?=Name: |Data for Name: )", text)
    out = []
    for blk in blocks[1:]:
        lines = [ln for ln in blk.splitlines() if ln and not ln.startswith(("--", "SET ", "SELECT pg_catalog.set_config"))]
        body = "\n".join(lines)
        if re.match(r"Name: [^\n]*; Type: ACL;", blk):
            # aclitems are in the order the grants were made
            body = "\n".join(sorted(lines))
        # storage parameters are a set too: pg_dump prints them in the order they were set
        body = re.sub(r"^WITH \((.*)\)(;?)$", lambda w: "WITH (" + ", ".join(sorted(w.group(1).split(", "))) + ")" + w.group(2),
                      body, flags=re.M)
        m = re.search(r"^(CREATE (?:UNLOGGED )?TABLE [^\n]*\(\n)(.*?)(\n\)[^\n]*)$", body, re.S | re.M)
        if m:
            cols = sorted(c.rstrip(",") for c in m.group(2).split("\n"))
            body = body[:m.start()] + m.group(1) + "\n".join(cols) + m.group(3) + body[m.end():]
        out.append(body)
    return sorted(out)


def dump_difference(a, b):
    na, nb = normalise_dump(a), normalise_dump(b)
    if na == nb:
        return ""
    only_a = [x for x in na if x not in nb]
    only_b = [x for x in nb if x not in na]
    return ("only after the plan:\n" + "\n".join(only_a[:6]) + "\nonly in B:\n" + "\n".join(only_b[:6]))[:3000]


class Harness:
    def __init__(self, pgsieve, pg, tmp):
        self.pgsieve, self.pg, self.tmp = pgsieve, pg, tmp
        self.results = {}   # pair -> {check: (ok, detail)}
        self.refused = {}   # pair -> reason
        self.guarded = {}   # pair -> what the plan's guard said when it stopped it
        self.stops = set()  # (pair, "runs-empty" or "runs-rows") that the guard stopped
        self.seq = 0

    def run(self, *args):
        return subprocess.run([self.pgsieve] + list(args), capture_output=True, text=True, timeout=600)

    def db(self, prefix):
        self.seq += 1
        return f"{prefix}_{self.seq}"

    def dump(self, dbname):
        out = os.path.join(self.tmp, dbname + ".dump")
        self.pg.pg_dump(out, dbname=dbname)
        with open(out, encoding="utf-8") as f:
            return f.read()

    def copy(self, template):
        name = self.db("copy")
        self.pg.psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop(self, name):
        self.pg.psql(f'DROP DATABASE IF EXISTS "{name}"')

    def apply(self, plan, dbname):
        try:
            self.pg.psql(file=plan, dbname=dbname)
            return True, ""
        except RuntimeError as e:
            return False, str(e).strip()

    def stopped_by_guard(self, name, err, dbname, db_a):
        """Whether the plan stopped at its guard (GUARD) with the database as it was: the schema
        of A, nothing changed. The guard is right to stop it: the rows lack values --to requires
        that no statement can give them (docs/diff.md, "Rows the plan cannot fill")."""
        if GUARD not in err:
            return False
        diff = dump_difference(self.dump(dbname), self.dump(db_a))
        if diff:
            return False
        self.guarded[name] = next(ln for ln in err.splitlines() if GUARD in ln).split("ERROR:", 1)[-1].strip()
        return True

    def pair(self, name, src_a, src_b, db_a, db_b, extra=(), rows=None, after=None):
        """Measures one pair: src_* are what pgsieve reads (a file or a DSN), db_* the databases."""
        res = self.results.setdefault(name, {})
        r = self.run("diff", "--from", src_a, "--to", src_b, "--format", "json", *extra)
        if r.returncode == 2:
            self.refused[name] = "exit 2: " + r.stderr.strip()
            res["plan"] = (True, "")
            return
        try:
            j = json.loads(r.stdout)
        except ValueError:
            res["plan"] = (False, f"exit {r.returncode}, no json: {r.stderr}")
            return
        syntax = [s["sql"] for s in j["plan"] for f in s["findings"] if f["rule"] == "syntax-error" and s["sql"]]
        res["plan"] = (r.returncode == 0 and not syntax, r.stderr + "\n".join(syntax))
        if j.get("unsupported"):
            self.refused[name] = "; ".join(s["note"] for s in j["plan"] if s["sql"] is None and s["note"])
        r = self.run("diff", "--from", src_a, "--to", src_b, "--format", "sql", *extra)
        plan = os.path.join(self.tmp, re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".sql")
        with open(plan, "w", encoding="utf-8") as f:
            f.write(r.stdout)
        dump_b = self.dump(db_b)

        empty = self.copy(db_a)
        ok, err = self.apply(plan, empty)
        # a history's own data migrations may have left rows in "empty" A
        guarded = not ok and self.stopped_by_guard(name, err, empty, db_a)
        if guarded:
            self.stops.add((name, "runs-empty"))
        res["runs-empty"] = (ok or guarded, err + "\n" + r.stdout[-4000:])
        if ok:
            diff = dump_difference(self.dump(empty), dump_b)
            res["dump-empty"] = (not diff, diff)
            # without the pair's --rename: after the plan there is nothing left to rename
            r2 = self.run("diff", "--from", self.pg.dsn(empty), "--to", src_b, "--exit-code")
            res["settles"] = (r2.returncode == 0, r2.stdout[-3000:] + r2.stderr)
        self.drop(empty)

        full = self.copy(db_a)
        self.pg.psql(ROW_GENERATOR, dbname=full)
        if rows:
            self.pg.psql(file=rows, dbname=full)
        ok, err = self.apply(plan, full)
        guarded = not ok and self.stopped_by_guard(name, err, full, db_a)
        if guarded:
            self.stops.add((name, "runs-rows"))
        res["runs-rows"] = (ok or guarded, err)
        if ok:
            diff = dump_difference(self.dump(full), dump_b)
            res["dump-rows"] = (not diff, diff)
            if after:
                ok, err = self.apply(after, full)
                res["after"] = (ok, err)
        self.drop(full)

    def hand_pair(self, name, d):
        a, b = os.path.join(d, "a.sql"), os.path.join(d, "b.sql")
        db_a, db_b = self.db("a"), self.db("b")
        for db, f in ((db_a, a), (db_b, b)):
            self.pg.psql(f'CREATE DATABASE "{db}"')
            self.pg.psql(file=f, dbname=db)
        extra = []
        if os.path.exists(os.path.join(d, "args")):
            with open(os.path.join(d, "args"), encoding="utf-8") as f:
                extra = f.read().split()
        opt = [os.path.join(d, x) if os.path.exists(os.path.join(d, x)) else None for x in ("rows.sql", "after.sql")]
        self.pair(name, a, b, db_a, db_b, extra, *opt)
        # guard.txt: the plan must stop at its guard with rows, saying each line of it (a line
        # starting with "!": not saying it)
        if os.path.exists(os.path.join(d, "guard.txt")):
            with open(os.path.join(d, "guard.txt"), encoding="utf-8") as f:
                want = [ln for ln in f.read().splitlines() if ln.strip()]
            said = self.guarded.get(name, "")
            ok = bool(said) and all((w[1:] not in said) if w.startswith("!") else (w in said) for w in want)
            self.results[name]["guard"] = (ok, f"the guard said: {said!r}; expected {want!r}")
        self.drop(db_a)
        self.drop(db_b)

    def corpus(self, corpus_dir, name, snapshots):
        """Replays a history into one database and measures the pairs of its snapshots."""
        r = self.run("status", "--db", self.pg.dsn(), "--format", "json", corpus_dir)
        if r.returncode not in (0, 1):
            self.results[f"{name}"] = {"plan": (False, "pgsieve status: " + r.stderr)}
            return
        paths = [m["path"] for s in json.loads(r.stdout)["sets"] for m in s["migrations"]]
        # snapshot k holds the first cuts[k] migrations; a migration PostgreSQL refuses here
        # (an extension or a role this server lacks) ends the history with a last snapshot
        cuts = sorted({max(1, round(len(paths) * (k + 1) / snapshots)) for k in range(snapshots)})
        work = self.db("replay")
        self.pg.psql(f'CREATE DATABASE "{work}"')
        snaps, done = [], 0
        for p in paths:
            ok = replay(self.pg, p, work, self.tmp)
            if ok:
                done += 1
            if done in cuts or not ok:
                if done and (not snaps or snaps[-1][0] != done):
                    snap = self.db("snap")
                    self.pg.psql(f'CREATE DATABASE "{snap}" TEMPLATE "{work}"')
                    snaps.append((done, snap))
                if not ok:
                    break
        self.drop(work)
        print(f"{name}: {done} of {len(paths)} migrations replayed"
              + (f" (stopped at {os.path.relpath(paths[done], corpus_dir)})" if done < len(paths) else ""))
        for (ca, sa), (cb, sb) in zip(snaps, snaps[1:]):
            self.pair(f"{name}@{ca}-{cb}", self.pg.dsn(sa), self.pg.dsn(sb), sa, sb)
        for _, s in snaps:
            self.drop(s)


def first_line(detail):
    """What a failure says first, without psql's file and line (which change with the plan)."""
    lines = [ln.strip() for ln in detail.splitlines() if ln.strip()]
    if lines and lines[0] == "only after the plan:":
        lines = lines[1:]  # the first object that differs: its "Name: ..." header
    first = lines[0] if lines else ""
    return re.sub(r"^psql failed: psql:[^:]*:\d+: ", "", first)[:200]


def up_text(path):
    """The up part of a migration file: dbmate's `-- migrate:up` section, else the whole file."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    m = re.search(r"^--\s*migrate:up[^\n]*\n(.*?)(?=^--\s*migrate:down|\Z)", text, re.S | re.M)
    return m.group(1) if m else text


def replay(pg, path, dbname, tmp):
    """Runs one migration; in one transaction unless it manages its own or cannot run in one."""
    text = up_text(path)
    f = os.path.join(tmp, "migration.sql")
    with open(f, "w", encoding="utf-8") as out:
        out.write(text)
    single = not re.search(r"\b(CONCURRENTLY|BEGIN|COMMIT|ALTER\s+TYPE\s+\S+\s+ADD\s+VALUE)\b", text, re.I)
    args = [os.path.join(pg.bindir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", f]
    if single:
        args.insert(1, "-1")
    r = subprocess.run(args, capture_output=True, text=True, env=pg.env(dbname))
    return r.returncode == 0


def main():
    pgsieve = os.path.abspath(sys.argv[1])
    shared = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "..", "shared")
    corpora = shared_data.need(os.path.join(shared, "corpora"), "the corpora of real migration histories")
    only = os.environ.get("PGSIEVE_PLAN_PAIRS")  # a regular expression: measure only these pairs
    with Cluster() as pg, tempfile.TemporaryDirectory() as tmp:
        pg.psql("CREATE ROLE reader; CREATE ROLE writer")
        h = Harness(pgsieve, pg, tmp)
        for base in (HAND, OLD_PAIRS):
            for name in sorted(os.listdir(base)):
                d = os.path.join(base, name)
                if os.path.isdir(d) and (not only or re.search(only, name)):
                    h.hand_pair(name, d)
        for name, snaps in CORPORA.items():
            if not only or re.search(only, name):
                h.corpus(os.path.join(corpora, name), name, snaps)

    failures = 0
    if os.environ.get("PGSIEVE_PLAN_WRITE_XFAIL") == "1":
        now = {}
        for name, res in h.results.items():
            for check in CHECKS:
                if check in res and not res[check][0]:
                    now.setdefault(name, {})[check] = first_line(res[check][1])
        if only:  # pairs not measured now keep their entries
            now = dict({k: v for k, v in XFAIL.items() if k not in h.results}, **now)
        with open(XFAIL_FILE, "w", encoding="utf-8") as f:
            json.dump(now, f, indent=1, sort_keys=True)
            f.write("\n")
        XFAIL.clear()
        XFAIL.update(now)
    for name, res in h.results.items():
        want = XFAIL.get(name, {})
        for check in CHECKS:
            if check not in res:
                continue
            ok, detail = res[check]
            if not ok and check in want:
                print(f"xfail: {name}: {check}: {want[check]}" + ("" if first_line(detail) == want[check]
                                                                    else f" (now: {first_line(detail)})"))
            elif not ok:
                failures += 1
                print(f"FAIL: {name}: {check}\n  " + detail.strip().replace("\n", "\n  "))
            elif check in want:
                failures += 1
                print(f"FAIL: {name}: {check} passes now: remove it from XFAIL")
        for check in want:
            if check not in res and check not in ("runs-rows", "dump-rows", "dump-empty", "settles", "after"):
                print(f"note: {name}: {check} listed in XFAIL was not measured")
        if name in h.refused:
            print(f"refused: {name}: {h.refused[name]}")
        if name in h.guarded:
            print(f"guarded: {name}: {h.guarded[name]}")
    pairs = len(h.results)
    runs = sum(1 for n, r in h.results.items() if r.get("runs-empty", (False,))[0] and r.get("runs-rows", (False,))[0]
               and n not in h.guarded)
    exact = sum(1 for n, r in h.results.items()
                if all(r.get(c, (False,))[0] for c in ("runs-empty", "runs-rows", "dump-empty", "dump-rows", "settles"))
                and r.get("after", (True,))[0] and n not in h.guarded)
    # the table of docs/diff.md: per group, plans that run on empty A / on A with rows (a stop at
    # the guard with nothing changed counted apart), exact round trips
    hand = set(os.listdir(HAND))
    for group in ("hand-written", "tests/diff", "corpora"):
        names = [n for n in h.results if (n in hand if group == "hand-written" else
                                          os.path.isdir(os.path.join(OLD_PAIRS, n)) if group == "tests/diff" else
                                          n not in hand and not os.path.isdir(os.path.join(OLD_PAIRS, n)))]
        ran = {c: sum(1 for n in names if h.results[n].get(c, (False,))[0] and (n, c) not in h.stops)
               for c in ("runs-empty", "runs-rows")}
        ex = sum(1 for n in names if n not in h.guarded and all(h.results[n].get(c, (False,))[0] for c in
                 ("runs-empty", "runs-rows", "dump-empty", "dump-rows", "settles")) and h.results[n].get("after", (True,))[0])
        print(f"{group}: {len(names)} pairs, runs on empty A {ran['runs-empty']}, on A with rows {ran['runs-rows']}, "
              f"stopped by the guard {sum(1 for n in names if n in h.guarded)}, exact {ex}")
    print(f"{pairs} pairs, {runs} plans run (empty and with rows), {exact} exact round trips, "
          f"{len(h.guarded)} stopped by their guard with nothing changed, "
          f"{len(h.refused)} refused in part, {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
